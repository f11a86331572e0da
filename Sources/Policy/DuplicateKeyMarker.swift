import Foundation

/// Yams stops at the first duplicate mapping key, which would hide every other error in the file.
/// This pass renames the second and later occurrences of a key in the same block mapping to
/// `KEY~~duplicate~~N`, so the file composes and ``YAMLNodeReader`` reports each duplicate with its line.
///
/// It understands block mappings and `- ` list items; duplicates inside flow mappings (`{a: 1, a: 2}`)
/// are still reported by Yams, as a syntax error.
enum DuplicateKeyMarker {
    /// The infix that marks a renamed duplicate key.
    static let infix = "~~duplicate~~"

    /// The original key of a renamed duplicate, or nil for an ordinary key.
    static func originalKey(of key: String) -> String? {
        guard let range = key.range(of: infix) else { return nil }
        return String(key[..<range.lowerBound])
    }

    /// The text with repeated block-mapping keys renamed.
    static func mark(_ text: String) -> String {
        var frames: [(indent: Int, keys: Set<String>)] = []
        var blockScalarIndent: Int?
        var renamed = 0
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for index in lines.indices {
            let line = lines[index]
            let bytes = Array(line.utf8)
            let indent = bytes.prefix { $0 == 32 }.count
            if indent == bytes.count || bytes[indent] == UInt8(ascii: "#") { continue }
            if let scalarIndent = blockScalarIndent {
                if indent > scalarIndent { continue }
                blockScalarIndent = nil
            }
            var keyStart = indent
            var startsItem = false
            while keyStart + 1 < bytes.count, bytes[keyStart] == UInt8(ascii: "-"), bytes[keyStart + 1] == 32 {
                startsItem = true
                keyStart += 2
                while keyStart < bytes.count, bytes[keyStart] == 32 { keyStart += 1 }
            }
            guard let key = plainKey(bytes, from: keyStart) else { continue }
            if startsItem {
                frames.removeAll { $0.indent >= keyStart }
                frames.append((keyStart, [key.name]))
            } else {
                frames.removeAll { $0.indent > keyStart }
                if let last = frames.indices.last, frames[last].indent == keyStart {
                    if frames[last].keys.contains(key.name) {
                        renamed += 1
                        let prefix = String(decoding: bytes[..<keyStart], as: UTF8.self)
                        let rest = String(decoding: bytes[key.end...], as: UTF8.self)
                        lines[index] = prefix + key.name + infix + String(renamed) + rest
                    } else {
                        frames[last].keys.insert(key.name)
                    }
                } else {
                    frames.append((keyStart, [key.name]))
                }
            }
            let tail = String(decoding: bytes[key.end...], as: UTF8.self).split(separator: "#").first?.trimmingCharacters(in: .whitespaces) ?? ""
            if tail.hasPrefix(":"), let marker = tail.dropFirst().trimmingCharacters(in: .whitespaces).first, marker == "|" || marker == ">" {
                blockScalarIndent = indent
            }
        }
        return renamed == 0 ? text : lines.joined(separator: "\n")
    }

    /// A plain (unquoted) key starting at `start` and followed by `:` and a space or line end.
    private static func plainKey(_ bytes: [UInt8], from start: Int) -> (name: String, end: Int)? {
        guard start < bytes.count else { return nil }
        let first = bytes[start]
        if [UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "#"), UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"), UInt8(ascii: ">")].contains(first) {
            return nil
        }
        var i = start
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: ":"), i + 1 == bytes.count || bytes[i + 1] == 32 {
                let name = String(decoding: bytes[start..<i], as: UTF8.self).trimmingCharacters(in: .whitespaces)
                return name.isEmpty ? nil : (name, start + name.utf8.count)
            }
            if bytes[i] == UInt8(ascii: "#") && i > start && bytes[i - 1] == 32 { return nil }
            i += 1
        }
        return nil
    }
}
