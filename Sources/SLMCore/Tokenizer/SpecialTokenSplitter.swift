/// A piece of input text: either ordinary text to pre-tokenize or a special token matched whole.
enum TextFragment: Equatable {
    case text(Range<Int>)
    case token(Int32)
}

/// Cuts text at the texts of special tokens, the way llama.cpp partitions it.
///
/// Special tokens are tried longest first; each one splits every remaining text fragment at all of
/// its occurrences. Control tokens take part only with special parsing; user-defined tokens always.
/// No whitespace around a matched token is stripped.
struct SpecialTokenSplitter: Sendable {
    private struct Entry: Sendable {
        var bytes: [UInt8]
        var id: Int32
        var isControl: Bool
    }

    private let entries: [Entry]

    init(vocabulary: TokenVocabulary) {
        var entries: [Entry] = []
        for id in 0..<vocabulary.count {
            let kind = vocabulary.kinds[id]
            guard kind == .control || kind == .userDefined || kind == .unknown else { continue }
            let bytes = Array(vocabulary.bytes[Int(vocabulary.offsets[id])..<Int(vocabulary.offsets[id + 1])])
            guard !bytes.isEmpty else { continue }
            entries.append(Entry(bytes: bytes, id: Int32(id), isControl: kind != .userDefined))
        }
        entries.sort { $0.bytes.count != $1.bytes.count ? $0.bytes.count > $1.bytes.count : $0.id < $1.id }
        self.entries = entries
    }

    /// The fragments of `utf8`, in order.
    func fragments(of utf8: UnsafeBufferPointer<UInt8>, parseSpecial: Bool) -> [TextFragment] {
        var fragments: [TextFragment] = utf8.isEmpty ? [] : [.text(0..<utf8.count)]
        for entry in entries where parseSpecial || !entry.isControl {
            var split: [TextFragment] = []
            split.reserveCapacity(fragments.count)
            var changed = false
            for fragment in fragments {
                guard case .text(let range) = fragment else {
                    split.append(fragment)
                    continue
                }
                var start = range.lowerBound
                while let match = Self.find(entry.bytes, in: utf8, from: start, to: range.upperBound) {
                    if match > start { split.append(.text(start..<match)) }
                    split.append(.token(entry.id))
                    start = match + entry.bytes.count
                    changed = true
                }
                if start < range.upperBound { split.append(.text(start..<range.upperBound)) }
            }
            if changed { fragments = split }
        }
        return fragments
    }

    /// The first index at or after `start` where `needle` occurs in `haystack[..<end]`.
    private static func find(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int? {
        guard let first = needle.first, end - start >= needle.count else { return nil }
        var index = start
        let lastStart = end - needle.count
        while index <= lastStart {
            if haystack[index] == first {
                var matched = true
                for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }
}
