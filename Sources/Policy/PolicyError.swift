import Foundation

/// One problem found in a policy file, with the file, line and field path an admin needs to fix it.
///
/// `description` reads `FILE:LINE: FIELD: message`, the format `switchyard policy check` prints.
public enum PolicyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read at all.
    case unreadableFile(file: String, reason: String)
    /// The text is not valid YAML.
    case syntax(file: String, line: Int, reason: String)
    /// A key the format does not know (often a typo).
    case unknownKey(file: String, line: Int, path: String, suggestion: String?)
    /// A required key is absent; `line` is the line of the enclosing mapping.
    case missingKey(file: String, line: Int, path: String)
    /// A value of the wrong YAML type (a list where a number belongs, ...).
    case wrongType(file: String, line: Int, path: String, expected: String)
    /// A value of the right type that is out of range or not one of the allowed words.
    case invalidValue(file: String, line: Int, path: String, reason: String)
    /// A name (model, route, rule, class) declared twice.
    case duplicateName(file: String, line: Int, path: String, name: String, firstLine: Int)
    /// A reference to a model, route or class that is not declared.
    case danglingReference(file: String, line: Int, path: String, kind: String, name: String)
    /// Constraints that no candidate can satisfy, or a rule that can never match.
    case impossibleConstraint(file: String, line: Int, path: String, reason: String)

    /// The file the problem is in.
    public var file: String {
        switch self {
        case .unreadableFile(let file, _), .syntax(let file, _, _), .unknownKey(let file, _, _, _),
             .missingKey(let file, _, _), .wrongType(let file, _, _, _), .invalidValue(let file, _, _, _),
             .duplicateName(let file, _, _, _, _), .danglingReference(let file, _, _, _, _),
             .impossibleConstraint(let file, _, _, _):
            return file
        }
    }

    /// The 1-based line of the offending node (0 when the file could not be read).
    public var line: Int {
        switch self {
        case .unreadableFile: return 0
        case .syntax(_, let line, _), .unknownKey(_, let line, _, _), .missingKey(_, let line, _),
             .wrongType(_, let line, _, _), .invalidValue(_, let line, _, _),
             .duplicateName(_, let line, _, _, _), .danglingReference(_, let line, _, _, _),
             .impossibleConstraint(_, let line, _, _):
            return line
        }
    }

    /// The field path, e.g. `rules[2].candidates[0]` (empty for file-level problems).
    public var path: String {
        switch self {
        case .unreadableFile, .syntax: return ""
        case .unknownKey(_, _, let path, _), .missingKey(_, _, let path), .wrongType(_, _, let path, _),
             .invalidValue(_, _, let path, _), .duplicateName(_, _, let path, _, _),
             .danglingReference(_, _, let path, _, _), .impossibleConstraint(_, _, let path, _):
            return path
        }
    }

    /// What is wrong, without the location.
    public var message: String {
        switch self {
        case .unreadableFile(_, let reason): return "cannot read file: \(reason)"
        case .syntax(_, _, let reason): return "invalid YAML: \(reason)"
        case .unknownKey(_, _, _, let suggestion):
            return "unknown key" + (suggestion.map { " (did you mean `\($0)`?)" } ?? "")
        case .missingKey: return "required key is missing"
        case .wrongType(_, _, _, let expected): return "expected \(expected)"
        case .invalidValue(_, _, _, let reason): return reason
        case .duplicateName(_, _, _, let name, let firstLine): return "`\(name)` is already declared on line \(firstLine)"
        case .danglingReference(_, _, _, let kind, let name): return "no \(kind) named `\(name)` is declared"
        case .impossibleConstraint(_, _, _, let reason): return reason
        }
    }

    /// `FILE:LINE: FIELD: message`.
    public var description: String {
        let location = line > 0 ? "\(file):\(line)" : file
        return path.isEmpty ? "\(location): \(message)" : "\(location): \(path): \(message)"
    }
}

/// Every problem found in one pass over a policy file set, in file and line order.
public struct PolicyValidationFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// The problems, sorted by file then line.
    public var errors: [PolicyError]

    /// Wraps the problems, sorting them by file and line.
    public init(errors: [PolicyError]) {
        self.errors = errors.enumerated().sorted { lhs, rhs in
            (lhs.element.file, lhs.element.line, lhs.offset) < (rhs.element.file, rhs.element.line, rhs.offset)
        }.map(\.element)
    }

    /// One `FILE:LINE: FIELD: message` line per problem.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
