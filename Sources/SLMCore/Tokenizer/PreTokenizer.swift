/// Splits text into the pre-tokens that BPE merges never cross, as `tokenizer.ggml.pre` names it.
///
/// The GPT-2 pattern is `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`,
/// written out by hand over Unicode scalar properties (the same walk llama.cpp uses).
/// `smollm` first isolates every `\p{N}` scalar, so `2024` becomes four pre-tokens.
public enum PreTokenizer: String, Sendable, CaseIterable {
    /// The plain GPT-2 pattern.
    case gpt2
    /// Every digit on its own, then the GPT-2 pattern (SmolLM, StarCoder).
    case smollm

    /// The pre-tokenizer a GGUF `tokenizer.ggml.pre` value names.
    /// - Throws: `TokenizerError.unsupportedPreTokenizer` for a name we do not implement.
    public init(ggmlName: String) throws(TokenizerError) {
        switch ggmlName {
        case "default", "gpt2", "gpt-2": self = .gpt2
        case "smollm", "starcoder", "refact", "command-r", "codeshell", "exaone", "minerva-7b": self = .smollm
        default: throw .unsupportedPreTokenizer(ggmlName)
        }
    }

    /// The byte ranges of the pre-tokens of `utf8[range]`, in order, appended to `pieces`.
    ///
    /// `utf8` must be valid UTF-8 (a Swift string's bytes are).
    func split(_ utf8: UnsafeBufferPointer<UInt8>, range: Range<Int>, into pieces: inout [Range<Int>]) {
        var scalars = DecodedScalars(utf8, range: range)
        switch self {
        case .gpt2:
            Self.splitGPT2(&scalars, from: 0, to: scalars.count, into: &pieces)
        case .smollm:
            var runStart = 0
            for index in 0..<scalars.count where scalars.classes[index].contains(.number) {
                Self.splitGPT2(&scalars, from: runStart, to: index, into: &pieces)
                pieces.append(scalars.byteRange(index..<index + 1))
                runStart = index + 1
            }
            Self.splitGPT2(&scalars, from: runStart, to: scalars.count, into: &pieces)
        }
    }

    /// The GPT-2 pattern over scalars `start..<end`; positions outside that fragment count as absent.
    private static func splitGPT2(_ scalars: inout DecodedScalars, from start: Int, to end: Int, into pieces: inout [Range<Int>]) {
        let apostrophe = UInt32(UInt8(ascii: "'")), space = UInt32(UInt8(ascii: " "))
        func value(_ position: Int) -> UInt32? { position < end ? scalars.values[position] : nil }
        func classes(_ position: Int) -> ScalarClass? { position < end ? scalars.classes[position] : nil }
        func isPunctuationLike(_ classes: ScalarClass?) -> Bool {
            guard let classes else { return false }
            return classes.isDisjoint(with: [.letter, .number, .whitespace])
        }

        var position = start
        func emit(upTo pieceEnd: Int) {
            pieces.append(scalars.byteRange(position..<pieceEnd))
            position = pieceEnd
        }
        func run(from first: Int, while belongs: (ScalarClass?) -> Bool) -> Int {
            var cursor = first
            while belongs(classes(cursor)) { cursor += 1 }
            return cursor
        }
        while position < end {
            let scalar = scalars.values[position]

            // 's|'t|'re|'ve|'m|'ll|'d
            if scalar == apostrophe, let next = value(position + 1) {
                if next == 0x73 || next == 0x74 || next == 0x6D || next == 0x64 {  // s t m d
                    emit(upTo: position + 2)
                    continue
                }
                if let nextNext = value(position + 2),
                   (next == 0x72 && nextNext == 0x65) || (next == 0x76 && nextNext == 0x65) || (next == 0x6C && nextNext == 0x6C) {  // re ve ll
                    emit(upTo: position + 3)
                    continue
                }
            }

            let bodyStart = scalar == space ? position + 1 : position
            let bodyClasses = classes(bodyStart)
            // ' ?\p{L}+'
            if bodyClasses?.contains(.letter) == true {
                emit(upTo: run(from: bodyStart) { $0?.contains(.letter) == true })
                continue
            }
            // ' ?\p{N}+'
            if bodyClasses?.contains(.number) == true {
                emit(upTo: run(from: bodyStart) { $0?.contains(.number) == true })
                continue
            }
            // ' ?[^\s\p{L}\p{N}]+'
            if isPunctuationLike(bodyClasses) {
                emit(upTo: run(from: bodyStart, while: isPunctuationLike))
                continue
            }

            let whitespaceEnd = run(from: position) { $0?.contains(.whitespace) == true }
            let whitespaceCount = whitespaceEnd - position
            if whitespaceCount > 1, whitespaceEnd < end {
                // '\s+(?!\S)': the last whitespace is left to lead the next pre-token
                emit(upTo: whitespaceEnd - 1)
            } else if whitespaceCount > 0 {
                emit(upTo: whitespaceEnd)  // '\s+'
            } else {
                emit(upTo: position + 1)  // nothing matches: a piece of its own
            }
        }
    }
}

/// The scalars of a UTF-8 fragment with their byte offsets and pattern classes.
struct DecodedScalars {
    var values: [UInt32] = []
    var classes: [ScalarClass] = []
    /// Byte offset of each scalar, plus one final entry for the end of the fragment.
    var offsets: [Int] = []

    var count: Int { values.count }

    init(_ utf8: UnsafeBufferPointer<UInt8>, range: Range<Int>) {
        values.reserveCapacity(range.count)
        classes.reserveCapacity(range.count)
        offsets.reserveCapacity(range.count + 1)
        var index = range.lowerBound
        while index < range.upperBound {
            let lead = utf8[index]
            var scalar = UInt32(lead)
            var length = 1
            if lead >= 0xF0 {
                length = 4
                scalar = UInt32(lead & 0x07)
            } else if lead >= 0xE0 {
                length = 3
                scalar = UInt32(lead & 0x0F)
            } else if lead >= 0xC0 {
                length = 2
                scalar = UInt32(lead & 0x1F)
            }
            length = min(length, range.upperBound - index)
            if length > 1 {
                for continuation in 1..<length {
                    scalar = (scalar << 6) | UInt32(utf8[index + continuation] & 0x3F)
                }
            }
            values.append(scalar)
            classes.append(ScalarClass.of(scalar))
            offsets.append(index)
            index += length
        }
        offsets.append(range.upperBound)
    }

    /// The byte range of the scalars `scalarRange`.
    func byteRange(_ scalarRange: Range<Int>) -> Range<Int> {
        offsets[scalarRange.lowerBound]..<offsets[scalarRange.upperBound]
    }
}
