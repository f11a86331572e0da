/// Checks what a single field cannot show: references between sections, duplicate rule names,
/// constraints no candidate can meet and rules that can never match.
struct PolicyReferenceValidator {
    let file: String
    /// Line of every field path (from ``SectionParser``).
    let lines: [String: Int]
    /// Every model name in the file, with its kind when readable.
    let declaredModels: [String: ModelKind?]
    /// Every route name in the file.
    let declaredRoutes: Set<String>
    /// For each parsed rule, its index in the file.
    let ruleIndices: [Int]
    /// How many rules the file lists, parsed or not.
    let ruleCount: Int

    private func line(_ path: String) -> Int { lines[path] ?? 0 }

    /// Every cross-reference problem of a parsed (possibly partial) policy.
    func validate(_ policy: PolicyDocument) -> [PolicyError] {
        var errors: [PolicyError] = []
        for route in policy.routes {
            let path = "routes.\(route.name)"
            if declaredModels[route.model] == nil {
                errors.append(.danglingReference(file: file, line: line("\(path).model"), path: "\(path).model", kind: "model", name: route.model))
            }
            if let blade = route.bladeModel {
                if declaredModels[blade] == nil {
                    errors.append(.danglingReference(file: file, line: line("\(path).blade"), path: "\(path).blade", kind: "model", name: blade))
                } else if let kind = declaredModels[blade] ?? nil, kind != .local && kind != .worker {
                    errors.append(.invalidValue(file: file, line: line("\(path).blade"), path: "\(path).blade", reason: "the knowledge model must be a `local` or `worker` model, `\(blade)` is `\(kind.rawValue)`"))
                }
            }
        }
        if let judge = policy.judge, !declaredRoutes.contains(judge.route), declaredModels[judge.route] == nil {
            errors.append(.danglingReference(file: file, line: line("judge.route"), path: "judge.route", kind: "route or model", name: judge.route))
        }
        var firstRuleLine: [String: Int] = [:]
        var catchAll: (index: Int, name: String)?
        for (rule, index) in zip(policy.rules, ruleIndices) {
            let path = "rules[\(index)]"
            if let first = firstRuleLine[rule.name] {
                errors.append(.duplicateName(file: file, line: line("\(path).name"), path: "\(path).name", name: rule.name, firstLine: first))
            } else {
                firstRuleLine[rule.name] = line("\(path).name")
            }
            if let catchAll {
                errors.append(.impossibleConstraint(file: file, line: line(path), path: path, reason: "never matches: rule `\(catchAll.name)` (rules[\(catchAll.index)]) above it matches every class"))
            } else if rule.match.isCatchAll {
                catchAll = (index, rule.name)
            }
            errors += validateMatch(rule.match, path: "\(path).match", classes: policy.classes)
            errors += validateRoutes(rule, path: path, policy: policy)
        }
        if catchAll == nil, ruleCount > 0, policy.rules.count == ruleCount {
            errors.append(.impossibleConstraint(file: file, line: line("rules"), path: "rules", reason: "no rule matches every class; end the list with a rule without `match` (or with `*` everywhere)"))
        }
        return errors
    }

    private func validateMatch(_ match: RuleMatch, path: String, classes: ClassCatalog) -> [PolicyError] {
        var errors: [PolicyError] = []
        func check(_ names: [String]?, key: String, known: [String], kind: String) {
            guard let names else { return }
            let single = lines["\(path).\(key)[0]"] == nil
            for (index, name) in names.enumerated() where !known.contains(name) {
                let itemPath = single ? "\(path).\(key)" : "\(path).\(key)[\(index)]"
                errors.append(.danglingReference(file: file, line: line(itemPath), path: itemPath, kind: kind, name: name))
            }
        }
        check(match.domains, key: "domain", known: classes.domains.map(\.name) + [ClassCatalog.unknown], kind: "domain under `classes.domains`")
        check(match.tasks, key: "task", known: classes.tasks.map(\.name) + [ClassCatalog.unknown], kind: "task under `classes.tasks`")
        check(match.difficulties, key: "difficulty", known: ClassCatalog.difficulties, kind: "difficulty (easy, medium, hard)")
        return errors
    }

    private func validateRoutes(_ rule: RuleSpec, path: String, policy: PolicyDocument) -> [PolicyError] {
        var errors: [PolicyError] = []
        var seen: Set<String> = []
        for (list, key) in [(rule.candidates, "candidates"), (rule.fallbacks, "fallbacks")] {
            for (index, name) in list.enumerated() {
                let itemPath = "\(path).\(key)[\(index)]"
                guard declaredRoutes.contains(name) else {
                    errors.append(.danglingReference(file: file, line: line(itemPath), path: itemPath, kind: "route", name: name))
                    continue
                }
                guard seen.insert(name).inserted else {
                    errors.append(.invalidValue(file: file, line: line(itemPath), path: itemPath, reason: "route `\(name)` is listed twice in this rule"))
                    continue
                }
                if rule.constraints.localOnly, let route = policy.route(named: name), let kind = declaredModels[route.model] ?? nil,
                   kind != .local && kind != .worker {
                    errors.append(.impossibleConstraint(file: file, line: line(itemPath), path: itemPath,
                                                        reason: "`local_only: true` but route `\(name)` uses the hosted model `\(route.model)` (`kind: \(kind.rawValue)`)"))
                }
            }
        }
        switch rule.strategy {
        case .cascade where rule.candidates.count < 2, .bandit where rule.candidates.count < 2:
            errors.append(.impossibleConstraint(file: file, line: line("\(path).strategy"), path: "\(path).strategy",
                                                reason: "`\(rule.strategy.kind)` needs at least two candidates, the rule has \(rule.candidates.count)"))
        default:
            break
        }
        return errors
    }
}
