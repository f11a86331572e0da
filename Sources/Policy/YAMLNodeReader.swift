import Foundation
import Yams

/// Reads typed values out of a composed YAML tree, recording every problem instead of stopping at the first.
///
/// One reader serves one file for one parse; it is not shared between tasks.
struct YAMLNodeReader {
    /// The file name put into every error.
    let file: String
    /// Problems found so far.
    private(set) var errors: [PolicyError] = []

    init(file: String) { self.file = file }

    /// Records a problem.
    mutating func report(_ error: PolicyError) { errors.append(error) }

    /// The 1-based line of a node (0 if unknown).
    static func line(_ node: Node) -> Int { node.mark?.line ?? 0 }

    // MARK: Mappings

    /// One entry of a mapping with the line of its key.
    struct Entry {
        let key: String
        let keyLine: Int
        let value: Node
    }

    /// The entries of a mapping after checking type, unknown keys, duplicate keys and required keys.
    ///
    /// Unknown and duplicate entries are reported and left out; returns nil when `node` is not a mapping.
    mutating func mapping(_ node: Node, path: String, allowed: [String], required: [String] = [], ownerLine: Int? = nil) -> [String: Entry]? {
        guard let entries = namedEntries(node, path: path) else { return nil }
        var result: [String: Entry] = [:]
        for entry in entries {
            guard allowed.contains(entry.key) else {
                report(.unknownKey(file: file, line: entry.keyLine, path: join(path, entry.key), suggestion: closest(entry.key, in: allowed)))
                continue
            }
            result[entry.key] = entry
        }
        for key in required where result[key] == nil && !entries.contains(where: { $0.key == key }) {
            report(.missingKey(file: file, line: ownerLine ?? Self.line(node), path: join(path, key)))
        }
        return result
    }

    /// The entries of a mapping whose keys are free names (models, routes, classes), duplicates reported and dropped.
    mutating func namedEntries(_ node: Node, path: String) -> [Entry]? {
        guard case .mapping(let mapping) = node else {
            report(.wrongType(file: file, line: Self.line(node), path: path, expected: "a mapping of `key: value` entries"))
            return nil
        }
        var seen: [String: Int] = [:]
        var entries: [Entry] = []
        for (keyNode, value) in mapping {
            let keyLine = Self.line(keyNode)
            guard case .scalar(let scalar) = keyNode else {
                report(.wrongType(file: file, line: keyLine, path: path, expected: "plain keys"))
                continue
            }
            let key = scalar.string
            if let original = DuplicateKeyMarker.originalKey(of: key) {
                report(.duplicateName(file: file, line: keyLine, path: join(path, original), name: original, firstLine: seen[original] ?? 0))
                continue
            }
            if let first = seen[key] {
                report(.duplicateName(file: file, line: keyLine, path: join(path, key), name: key, firstLine: first))
                continue
            }
            seen[key] = keyLine
            entries.append(Entry(key: key, keyLine: keyLine, value: value))
        }
        return entries
    }

    /// The items of a sequence; nil (reported) when `node` is not one.
    mutating func sequence(_ node: Node, path: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            report(.wrongType(file: file, line: Self.line(node), path: path, expected: "a list"))
            return nil
        }
        return Array(sequence)
    }

    // MARK: Scalars

    /// A string value (quoted or plain, but not a number, boolean or null).
    mutating func string(_ node: Node, path: String, nonEmpty: Bool = true) -> String? {
        guard case .scalar(let scalar) = node, node.tag.rawValue == Tag.Name.str.rawValue else {
            report(.wrongType(file: file, line: Self.line(node), path: path, expected: "a string (quote values like 1.5 or yes)"))
            return nil
        }
        if nonEmpty && scalar.string.trimmingCharacters(in: .whitespaces).isEmpty {
            report(.invalidValue(file: file, line: Self.line(node), path: path, reason: "must not be empty"))
            return nil
        }
        return scalar.string
    }

    /// A list of strings.
    mutating func stringList(_ node: Node, path: String, nonEmpty: Bool = false) -> [(value: String, line: Int)]? {
        guard let items = sequence(node, path: path) else { return nil }
        if nonEmpty && items.isEmpty {
            report(.invalidValue(file: file, line: Self.line(node), path: path, reason: "must list at least one entry"))
        }
        var values: [(String, Int)] = []
        for (index, item) in items.enumerated() {
            if let value = string(item, path: "\(path)[\(index)]") { values.append((value, Self.line(item))) }
        }
        return values
    }

    /// An integer within a range.
    mutating func int(_ node: Node, path: String, in range: ClosedRange<Int>) -> Int? {
        guard node.tag.rawValue == Tag.Name.int.rawValue, let value = node.int else {
            report(.wrongType(file: file, line: Self.line(node), path: path, expected: "an integer"))
            return nil
        }
        guard range.contains(value) else {
            report(.invalidValue(file: file, line: Self.line(node), path: path, reason: "must be between \(range.lowerBound) and \(range.upperBound), got \(value)"))
            return nil
        }
        return value
    }

    /// A number (integer or decimal) within a range.
    mutating func double(_ node: Node, path: String, in range: ClosedRange<Double>) -> Double? {
        let tag = node.tag.rawValue
        guard tag == Tag.Name.int.rawValue || tag == Tag.Name.float.rawValue, let value = node.float ?? node.int.map({ Double($0) }) else {
            report(.wrongType(file: file, line: Self.line(node), path: path, expected: "a number"))
            return nil
        }
        guard value.isFinite, range.contains(value) else {
            report(.invalidValue(file: file, line: Self.line(node), path: path, reason: "must be between \(format(range.lowerBound)) and \(format(range.upperBound)), got \(format(value))"))
            return nil
        }
        return value
    }

    /// A boolean (`true` / `false`).
    mutating func bool(_ node: Node, path: String) -> Bool? {
        guard node.tag.rawValue == Tag.Name.bool.rawValue, let value = node.bool else {
            report(.wrongType(file: file, line: Self.line(node), path: path, expected: "true or false"))
            return nil
        }
        return value
    }

    /// One of a fixed set of words.
    mutating func word<Value: RawRepresentable & CaseIterable>(_ node: Node, path: String, as type: Value.Type) -> Value? where Value.RawValue == String {
        guard let text = string(node, path: path) else { return nil }
        guard let value = Value(rawValue: text) else {
            let allowed = Value.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")
            report(.invalidValue(file: file, line: Self.line(node), path: path, reason: "`\(text)` is not one of \(allowed)"))
            return nil
        }
        return value
    }

    // MARK: Helpers

    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// The allowed key nearest to a misspelt one, when it is close enough to be a likely typo.
    private func closest(_ key: String, in allowed: [String]) -> String? {
        let scored = allowed.map { ($0, editDistance(key, $0)) }.min { $0.1 < $1.1 }
        guard let (best, distance) = scored, distance <= max(2, key.count / 3) else { return nil }
        return best
    }

    private func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
