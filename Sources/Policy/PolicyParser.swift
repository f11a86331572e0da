import Foundation
import Yams

/// Turns the text of one policy file into a ``PolicyDocument``, reporting every problem in one pass.
///
/// ```swift
/// switch PolicyParser.parse(yaml: text, file: "policies/default.yaml", baseDirectory: "policies") {
/// case .success(let policy): use(policy)
/// case .failure(let failure): print(failure)   // FILE:LINE: FIELD: message, one per line
/// }
/// ```
public enum PolicyParser {
    /// Parses and validates one policy file.
    /// - Parameters:
    ///   - yaml: The file's text.
    ///   - file: The name errors report (as the admin typed it).
    ///   - baseDirectory: Folder that relative paths in the file (`models.*.path`, `classes.model`) resolve against.
    public static func parse(yaml: String, file: String, baseDirectory: String) -> Result<PolicyDocument, PolicyValidationFailure> {
        let root: Node
        do {
            guard let composed = try Yams.compose(yaml: DuplicateKeyMarker.mark(yaml)) else {
                return .failure(PolicyValidationFailure(errors: [.syntax(file: file, line: 1, reason: "the file is empty")]))
            }
            root = composed
        } catch let error as YamlError {
            return .failure(PolicyValidationFailure(errors: [syntaxError(error, file: file)]))
        } catch {
            return .failure(PolicyValidationFailure(errors: [.syntax(file: file, line: 1, reason: "\(error)")]))
        }
        var parser = SectionParser(reader: YAMLNodeReader(file: file), baseDirectory: baseDirectory)
        let draft = parser.parseRoot(root)
        var errors = parser.reader.errors
        errors += PolicyReferenceValidator(file: file, lines: parser.lines, declaredModels: parser.declaredModels,
                                           declaredRoutes: parser.declaredRoutes, ruleIndices: parser.ruleIndices,
                                           ruleCount: parser.ruleCount).validate(draft)
        guard errors.isEmpty else { return .failure(PolicyValidationFailure(errors: errors)) }
        return .success(draft)
    }

    private static func syntaxError(_ error: YamlError, file: String) -> PolicyError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
            let reason = context.map { "\($0.text) \(problem)" } ?? problem
            return .syntax(file: file, line: mark.line, reason: reason)
        case .composer(let context, let problem, let mark, _):
            let reason = context.map { "\($0.text) \(problem)" } ?? problem
            return .syntax(file: file, line: mark.line, reason: reason)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return .syntax(file: file, line: context.mark.line, reason: "duplicate keys \(duplicates.joined(separator: ", ")) in one mapping")
        default:
            return .syntax(file: file, line: 1, reason: "\(error)")
        }
    }
}

/// Reads the sections of one file; remembers the line of every field it read for the reference checks.
struct SectionParser {
    var reader: YAMLNodeReader
    let baseDirectory: String
    /// Line of every field path read, e.g. `rules[2].candidates[0]` → 41.
    private(set) var lines: [String: Int] = [:]
    /// Every model name in the file with its `kind` when readable, valid or not (so references to a broken model are not reported twice).
    private(set) var declaredModels: [String: ModelKind?] = [:]
    /// Every route name in the file, valid or not.
    private(set) var declaredRoutes: Set<String> = []
    /// For each parsed rule, its index in the file's `rules` list.
    private(set) var ruleIndices: [Int] = []
    /// How many items the file's `rules` list has, parsed or not.
    private(set) var ruleCount = 0

    init(reader: YAMLNodeReader, baseDirectory: String) {
        self.reader = reader; self.baseDirectory = baseDirectory
    }

    private mutating func note(_ path: String, _ line: Int) { lines[path] = line }

    // MARK: Root

    mutating func parseRoot(_ root: Node) -> PolicyDocument {
        var document = PolicyDocument(models: [], classes: ClassCatalog(domains: [], tasks: []), routes: [], rules: [])
        guard let top = reader.mapping(root, path: "", allowed: PolicyKeys.root, required: ["version", "models", "routes", "rules"]) else {
            return document
        }
        if let entry = top["version"] {
            note("version", entry.keyLine)
            if let version = reader.int(entry.value, path: "version", in: 1...Int.max), version != 1 {
                reader.report(.invalidValue(file: reader.file, line: entry.keyLine, path: "version", reason: "only version 1 is known, got \(version)"))
            }
        }
        if let entry = top["server"] { document.server = parseServer(entry) }
        if let entry = top["models"] { document.models = parseModels(entry) }
        if let entry = top["classes"] { document.classes = parseClasses(entry) }
        if let entry = top["routes"] { document.routes = parseRoutes(entry) }
        if let entry = top["rules"] { document.rules = parseRules(entry) }
        if let entry = top["objective"] { document.objective = parseObjective(entry) }
        if let entry = top["logging"] { document.logging = parseLogging(entry) }
        if let entry = top["judge"] { document.judge = parseJudge(entry) }
        note("models", top["models"]?.keyLine ?? 1)
        note("rules", top["rules"]?.keyLine ?? 1)
        note("classes", top["classes"]?.keyLine ?? 1)
        return document
    }

    // MARK: server, objective, logging

    private mutating func parseServer(_ entry: YAMLNodeReader.Entry) -> ServerLimits {
        var limits = ServerLimits()
        guard let fields = reader.mapping(entry.value, path: "server", allowed: PolicyKeys.server, ownerLine: entry.keyLine) else { return limits }
        if let f = fields["max_body_bytes"], let v = reader.int(f.value, path: "server.max_body_bytes", in: 1_024...1_073_741_824) { limits.maxBodyBytes = v }
        if let f = fields["max_concurrent_requests"], let v = reader.int(f.value, path: "server.max_concurrent_requests", in: 1...1_000_000) { limits.maxConcurrentRequests = v }
        if let f = fields["request_timeout_ms"], let v = reader.int(f.value, path: "server.request_timeout_ms", in: 1...86_400_000) { limits.requestTimeoutMS = v }
        return limits
    }

    private mutating func parseObjective(_ entry: YAMLNodeReader.Entry) -> Objective {
        var objective = Objective()
        guard let fields = reader.mapping(entry.value, path: "objective", allowed: PolicyKeys.objective, ownerLine: entry.keyLine) else { return objective }
        if let f = fields["cost_weight"], let v = reader.double(f.value, path: "objective.cost_weight", in: 0...1e9) { objective.costWeight = v }
        if let f = fields["latency_weight"], let v = reader.double(f.value, path: "objective.latency_weight", in: 0...1e9) { objective.latencyWeight = v }
        return objective
    }

    private mutating func parseJudge(_ entry: YAMLNodeReader.Entry) -> JudgePolicy? {
        note("judge", entry.keyLine)
        guard let fields = reader.mapping(entry.value, path: "judge", allowed: PolicyKeys.judge, required: ["route"], ownerLine: entry.keyLine),
              let routeField = fields["route"] else { return nil }
        note("judge.route", routeField.keyLine)
        guard let route = reader.string(routeField.value, path: "judge.route") else { return nil }
        var judge = JudgePolicy(route: route)
        if let f = fields["sample_rate"] {
            guard let rate = reader.double(f.value, path: "judge.sample_rate", in: 0...1) else { return nil }
            judge.sampleRate = rate
        }
        if let f = fields["rubric"] {
            guard let rubric = reader.string(f.value, path: "judge.rubric") else { return nil }
            judge.rubric = rubric
        }
        return judge
    }

    private mutating func parseLogging(_ entry: YAMLNodeReader.Entry) -> LoggingPolicy {
        var logging = LoggingPolicy()
        guard let fields = reader.mapping(entry.value, path: "logging", allowed: PolicyKeys.logging, ownerLine: entry.keyLine) else { return logging }
        if let f = fields["content"], let v = reader.word(f.value, path: "logging.content", as: LoggingPolicy.Content.self) { logging.content = v }
        return logging
    }

    // MARK: models

    private mutating func parseModels(_ entry: YAMLNodeReader.Entry) -> [ModelSpec] {
        guard let entries = reader.namedEntries(entry.value, path: "models") else { return [] }
        if entries.isEmpty {
            reader.report(.invalidValue(file: reader.file, line: entry.keyLine, path: "models", reason: "declare at least one model"))
        }
        return entries.compactMap { parseModel($0) }
    }

    private mutating func parseModel(_ entry: YAMLNodeReader.Entry) -> ModelSpec? {
        let path = "models.\(entry.key)"
        note(path, entry.keyLine)
        declaredModels[entry.key] = .some(nil)
        if case .mapping(let mapping) = entry.value, let kindNode = mapping["kind"], let kind = kindNode.string.flatMap(ModelKind.init(rawValue:)) {
            declaredModels[entry.key] = kind
        }
        let all = PolicyKeys.modelCommon + PolicyKeys.modelHosted + PolicyKeys.modelLocal + PolicyKeys.modelWorker
        guard let fields = reader.mapping(entry.value, path: path, allowed: all, required: ["kind"], ownerLine: entry.keyLine),
              let kindField = fields["kind"], let kind = reader.word(kindField.value, path: "\(path).kind", as: ModelKind.self) else { return nil }
        let own: [String]
        let required: [String]
        switch kind {
        case .openai, .anthropic:
            own = PolicyKeys.modelCommon + PolicyKeys.modelHosted
            required = ["base_url", "api_key_env", "model", "price_per_million_input", "price_per_million_output", "context"]
        case .local:
            own = PolicyKeys.modelCommon + PolicyKeys.modelLocal
            required = ["path", "context", "price_per_cpu_second"]
        case .worker:
            own = PolicyKeys.modelCommon + PolicyKeys.modelWorker
            required = ["urls", "context", "price_per_cpu_second"]
        }
        for (key, field) in fields where !own.contains(key) {
            reader.report(.invalidValue(file: reader.file, line: field.keyLine, path: "\(path).\(key)", reason: "does not apply to `kind: \(kind.rawValue)` models"))
        }
        for key in required where fields[key] == nil {
            reader.report(.missingKey(file: reader.file, line: entry.keyLine, path: "\(path).\(key)"))
        }
        var ok = true
        func value<T>(_ key: String, _ read: (inout YAMLNodeReader, Node, String) -> T?) -> T? {
            guard let field = fields[key] else { return nil }
            let result = read(&reader, field.value, "\(path).\(key)")
            if result == nil { ok = false }
            return result
        }
        let context = value("context") { $0.int($1, path: $2, in: 16...10_000_000) }
        let timeout = value("timeout_ms") { $0.int($1, path: $2, in: 1...86_400_000) } ?? 60_000
        let connectTimeout = value("connect_timeout_ms") { $0.int($1, path: $2, in: 1...600_000) } ?? 5_000
        let retries = value("retries") { $0.int($1, path: $2, in: 0...10) } ?? 0
        let provider: ModelProvider?
        switch kind {
        case .openai, .anthropic:
            let baseURL = value("base_url") { $0.string($1, path: $2) }
            if let baseURL, let field = fields["base_url"], !(baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://")) {
                reader.report(.invalidValue(file: reader.file, line: field.keyLine, path: "\(path).base_url", reason: "must start with http:// or https://"))
                ok = false
            }
            let keyEnv = value("api_key_env") { $0.string($1, path: $2) }
            if let keyEnv, let field = fields["api_key_env"], !Self.isEnvironmentName(keyEnv) {
                reader.report(.invalidValue(file: reader.file, line: field.keyLine, path: "\(path).api_key_env",
                                            reason: "must be the NAME of an environment variable (letters, digits, _), never the key itself"))
                ok = false
            }
            let upstream = value("model") { $0.string($1, path: $2) }
            let input = value("price_per_million_input") { $0.double($1, path: $2, in: 0...100_000) }
            let output = value("price_per_million_output") { $0.double($1, path: $2, in: 0...100_000) }
            if let baseURL, let keyEnv, let upstream, let input, let output {
                provider = .hosted(HostedModel(api: kind == .openai ? .openai : .anthropic, baseURL: baseURL, apiKeyEnv: keyEnv,
                                               upstreamModel: upstream, pricePerMillionInput: input, pricePerMillionOutput: output))
            } else { provider = nil }
        case .local:
            let declared = value("path") { $0.string($1, path: $2) }
            if let field = fields["path"] { note("\(path).path", field.keyLine) }
            let slots = value("slots") { $0.int($1, path: $2, in: 1...1_024) } ?? 1
            let price = value("price_per_cpu_second") { $0.double($1, path: $2, in: 0...100) }
            let kvCache = value("kv_cache") { $0.word($1, path: $2, as: LocalKVCache.self) } ?? .f16
            if let declared, let price {
                provider = .local(LocalModel(declaredPath: declared, resolvedPath: PolicyPaths.resolve(declared, against: baseDirectory),
                                             slots: slots, pricePerCPUSecond: price, kvCache: kvCache))
            } else { provider = nil }
        case .worker:
            var urls: [String]?
            if let field = fields["urls"], let list = reader.stringList(field.value, path: "\(path).urls", nonEmpty: true) {
                for (index, url) in list.enumerated() where !(url.value.hasPrefix("http://") || url.value.hasPrefix("https://")) {
                    reader.report(.invalidValue(file: reader.file, line: url.line, path: "\(path).urls[\(index)]", reason: "must start with http:// or https://"))
                    ok = false
                }
                urls = list.map(\.value)
            }
            let price = value("price_per_cpu_second") { $0.double($1, path: $2, in: 0...100) }
            if let urls, !urls.isEmpty, let price { provider = .worker(WorkerModel(urls: urls, pricePerCPUSecond: price)) } else { provider = nil }
        }
        guard ok, let provider, let context else { return nil }
        return ModelSpec(name: entry.key, provider: provider, contextWindow: context, timeoutMS: timeout,
                         connectTimeoutMS: connectTimeout, retries: retries)
    }

    /// Whether a string looks like an environment variable name (a letter or `_`, then letters, digits, `_`).
    static func isEnvironmentName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        func isLetter(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 }
        guard let first = bytes.first, isLetter(first), bytes.count <= 128 else { return false }
        return bytes.allSatisfy { isLetter($0) || ($0 >= 48 && $0 <= 57) }
    }

    // MARK: classes

    private mutating func parseClasses(_ entry: YAMLNodeReader.Entry) -> ClassCatalog {
        var catalog = ClassCatalog(domains: [], tasks: [])
        guard let fields = reader.mapping(entry.value, path: "classes", allowed: PolicyKeys.classes, required: ["domains"], ownerLine: entry.keyLine) else { return catalog }
        if let f = fields["unknown_below"], let v = reader.double(f.value, path: "classes.unknown_below", in: 0...1) { catalog.unknownBelow = v }
        if let f = fields["model"], let v = reader.string(f.value, path: "classes.model") {
            catalog.modelPath = PolicyPaths.resolve(v, against: baseDirectory)
        }
        if let f = fields["domains"] { catalog.domains = parseClassDefinitions(f, path: "classes.domains") }
        if let f = fields["tasks"] { catalog.tasks = parseClassDefinitions(f, path: "classes.tasks") }
        return catalog
    }

    private mutating func parseClassDefinitions(_ entry: YAMLNodeReader.Entry, path: String) -> [ClassDefinition] {
        guard let entries = reader.namedEntries(entry.value, path: path) else { return [] }
        var definitions: [ClassDefinition] = []
        for item in entries {
            let itemPath = "\(path).\(item.key)"
            note(itemPath, item.keyLine)
            if item.key == ClassCatalog.unknown || item.key == "*" {
                reader.report(.invalidValue(file: reader.file, line: item.keyLine, path: itemPath, reason: "`\(item.key)` is reserved"))
                continue
            }
            var definition = ClassDefinition(name: item.key)
            if case .scalar(let scalar) = item.value, scalar.string.isEmpty || item.value.tag.rawValue == Tag.Name.null.rawValue {
                definitions.append(definition)
                continue
            }
            if let fields = reader.mapping(item.value, path: itemPath, allowed: PolicyKeys.classDefinition, ownerLine: item.keyLine) {
                if let f = fields["keywords"], let list = reader.stringList(f.value, path: "\(itemPath).keywords") { definition.keywords = list.map(\.value) }
                if let f = fields["examples"], let list = reader.stringList(f.value, path: "\(itemPath).examples") { definition.examples = list.map(\.value) }
            }
            definitions.append(definition)
        }
        return definitions
    }

    // MARK: routes

    private mutating func parseRoutes(_ entry: YAMLNodeReader.Entry) -> [RouteSpec] {
        guard let entries = reader.namedEntries(entry.value, path: "routes") else { return [] }
        if entries.isEmpty {
            reader.report(.invalidValue(file: reader.file, line: entry.keyLine, path: "routes", reason: "declare at least one route"))
        }
        var routes: [RouteSpec] = []
        for item in entries {
            let path = "routes.\(item.key)"
            note(path, item.keyLine)
            declaredRoutes.insert(item.key)
            guard let fields = reader.mapping(item.value, path: path, allowed: PolicyKeys.route, required: ["model"], ownerLine: item.keyLine) else { continue }
            var route = RouteSpec(name: item.key, model: "")
            var ok = true
            if let f = fields["model"] {
                note("\(path).model", f.keyLine)
                if let v = reader.string(f.value, path: "\(path).model") { route.model = v } else { ok = false }
            } else { ok = false }
            if let f = fields["reasoning"] {
                if let v = reader.word(f.value, path: "\(path).reasoning", as: ReasoningStrategy.self) { route.reasoning = v } else { ok = false }
            }
            if let f = fields["blade"] {
                note("\(path).blade", f.keyLine)
                if let v = reader.string(f.value, path: "\(path).blade") { route.bladeModel = v } else { ok = false }
            }
            if let f = fields["bridge"] {
                if let v = reader.bool(f.value, path: "\(path).bridge") { route.bridge = v } else { ok = false }
            }
            if ok { routes.append(route) }
        }
        return routes
    }

    // MARK: rules

    private mutating func parseRules(_ entry: YAMLNodeReader.Entry) -> [RuleSpec] {
        guard let items = reader.sequence(entry.value, path: "rules") else { return [] }
        ruleCount = items.count
        if items.isEmpty {
            reader.report(.invalidValue(file: reader.file, line: entry.keyLine, path: "rules", reason: "declare at least one rule"))
        }
        var rules: [RuleSpec] = []
        for (index, item) in items.enumerated() {
            if let rule = parseRule(item, path: "rules[\(index)]") {
                rules.append(rule)
                ruleIndices.append(index)
            }
        }
        return rules
    }

    private mutating func parseRule(_ node: Node, path: String) -> RuleSpec? {
        let line = YAMLNodeReader.line(node)
        note(path, line)
        guard let fields = reader.mapping(node, path: path, allowed: PolicyKeys.rule, required: ["name", "candidates"], ownerLine: line) else { return nil }
        var ok = fields["name"] != nil && fields["candidates"] != nil
        var rule = RuleSpec(name: "", candidates: [])
        if let f = fields["name"] {
            note("\(path).name", f.keyLine)
            if let v = reader.string(f.value, path: "\(path).name") { rule.name = v } else { ok = false }
        }
        if let f = fields["match"] {
            if let match = parseMatch(f, path: "\(path).match") { rule.match = match } else { ok = false }
        }
        if let f = fields["candidates"] {
            note("\(path).candidates", f.keyLine)
            if let list = reader.stringList(f.value, path: "\(path).candidates", nonEmpty: true) {
                for (index, item) in list.enumerated() { note("\(path).candidates[\(index)]", item.line) }
                rule.candidates = list.map(\.value)
            } else { ok = false }
        }
        if let f = fields["fallbacks"] {
            if let list = reader.stringList(f.value, path: "\(path).fallbacks") {
                for (index, item) in list.enumerated() { note("\(path).fallbacks[\(index)]", item.line) }
                rule.fallbacks = list.map(\.value)
            } else { ok = false }
        }
        if let f = fields["strategy"] {
            note("\(path).strategy", f.keyLine)
            if let strategy = parseStrategy(f, path: "\(path).strategy") { rule.strategy = strategy } else { ok = false }
        }
        if let f = fields["constraints"] {
            note("\(path).constraints", f.keyLine)
            if let constraints = parseConstraints(f, path: "\(path).constraints") { rule.constraints = constraints } else { ok = false }
        }
        return ok ? rule : nil
    }

    private mutating func parseMatch(_ entry: YAMLNodeReader.Entry, path: String) -> RuleMatch? {
        note(path, entry.keyLine)
        guard let fields = reader.mapping(entry.value, path: path, allowed: PolicyKeys.match, ownerLine: entry.keyLine) else { return nil }
        var match = RuleMatch()
        var ok = true
        func names(_ key: String) -> [String]? {
            guard let field = fields[key] else { return nil }
            let fieldPath = "\(path).\(key)"
            note(fieldPath, field.keyLine)
            if case .sequence = field.value {
                guard let list = reader.stringList(field.value, path: fieldPath, nonEmpty: true) else { ok = false; return nil }
                for (index, item) in list.enumerated() { note("\(fieldPath)[\(index)]", item.line) }
                if list.contains(where: { $0.value == "*" }) { return nil }
                return list.map(\.value)
            }
            guard let value = reader.string(field.value, path: fieldPath) else { ok = false; return nil }
            return value == "*" ? nil : [value]
        }
        match.domains = names("domain")
        match.tasks = names("task")
        match.difficulties = names("difficulty")
        return ok ? match : nil
    }

    private mutating func parseStrategy(_ entry: YAMLNodeReader.Entry, path: String) -> RoutingStrategy? {
        guard let fields = reader.mapping(entry.value, path: path, allowed: PolicyKeys.strategy, required: ["kind"], ownerLine: entry.keyLine),
              let kindField = fields["kind"], let kind = reader.string(kindField.value, path: "\(path).kind") else { return nil }
        func misplaced(_ key: String) {
            if let field = fields[key] {
                reader.report(.invalidValue(file: reader.file, line: field.keyLine, path: "\(path).\(key)", reason: "does not apply to `kind: \(kind)`"))
            }
        }
        switch kind {
        case "fixed":
            misplaced("accept"); misplaced("exploration")
            return fields["accept"] == nil && fields["exploration"] == nil ? .fixed : nil
        case "cascade":
            misplaced("exploration")
            guard let acceptField = fields["accept"] else {
                reader.report(.missingKey(file: reader.file, line: entry.keyLine, path: "\(path).accept"))
                return nil
            }
            note("\(path).accept", acceptField.keyLine)
            guard let accept = parseAccept(acceptField, path: "\(path).accept") else { return nil }
            return fields["exploration"] == nil ? .cascade(accept) : nil
        case "bandit":
            misplaced("accept")
            guard let field = fields["exploration"] else {
                reader.report(.missingKey(file: reader.file, line: entry.keyLine, path: "\(path).exploration"))
                return nil
            }
            guard let exploration = reader.double(field.value, path: "\(path).exploration", in: 0...1) else { return nil }
            return fields["accept"] == nil ? .bandit(BanditSettings(exploration: exploration)) : nil
        default:
            reader.report(.invalidValue(file: reader.file, line: kindField.keyLine, path: "\(path).kind", reason: "`\(kind)` is not one of `fixed`, `cascade`, `bandit`"))
            return nil
        }
    }

    private mutating func parseAccept(_ entry: YAMLNodeReader.Entry, path: String) -> CascadeAcceptance? {
        guard let fields = reader.mapping(entry.value, path: path, allowed: PolicyKeys.accept, ownerLine: entry.keyLine) else { return nil }
        var accept = CascadeAcceptance()
        var ok = true
        if let f = fields["min_mean_logprob"] {
            if let v = reader.double(f.value, path: "\(path).min_mean_logprob", in: -1_000...0) { accept.minMeanLogprob = v } else { ok = false }
        }
        if let f = fields["min_token_logprob"] {
            if let v = reader.double(f.value, path: "\(path).min_token_logprob", in: -1_000...0) { accept.minTokenLogprob = v } else { ok = false }
        }
        if let f = fields["max_mean_entropy"] {
            if let v = reader.double(f.value, path: "\(path).max_mean_entropy", in: 0...1_000) { accept.maxMeanEntropy = v } else { ok = false }
        }
        if ok && accept == CascadeAcceptance() {
            reader.report(.invalidValue(file: reader.file, line: entry.keyLine, path: path, reason: "give at least one of `min_mean_logprob`, `min_token_logprob`, `max_mean_entropy`"))
            return nil
        }
        return ok ? accept : nil
    }

    private mutating func parseConstraints(_ entry: YAMLNodeReader.Entry, path: String) -> RuleConstraints? {
        guard let fields = reader.mapping(entry.value, path: path, allowed: PolicyKeys.constraints, ownerLine: entry.keyLine) else { return nil }
        var constraints = RuleConstraints()
        var ok = true
        if let f = fields["max_cost_usd"] {
            note("\(path).max_cost_usd", f.keyLine)
            if let v = reader.double(f.value, path: "\(path).max_cost_usd", in: 0...10_000) {
                if v == 0 {
                    reader.report(.impossibleConstraint(file: reader.file, line: f.keyLine, path: "\(path).max_cost_usd", reason: "a zero budget admits no model (local models are priced per CPU-second too)"))
                    ok = false
                } else { constraints.maxCostUSD = v }
            } else { ok = false }
        }
        if let f = fields["latency_slo_ms"] {
            note("\(path).latency_slo_ms", f.keyLine)
            if let v = reader.int(f.value, path: "\(path).latency_slo_ms", in: 1...86_400_000) { constraints.latencySLOMS = v } else { ok = false }
        }
        if let f = fields["local_only"] {
            note("\(path).local_only", f.keyLine)
            if let v = reader.bool(f.value, path: "\(path).local_only") { constraints.localOnly = v } else { ok = false }
        }
        return ok ? constraints : nil
    }
}
