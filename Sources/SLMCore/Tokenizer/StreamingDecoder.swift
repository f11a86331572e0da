/// Turns generated tokens into text as they arrive, emitting only complete UTF-8 characters.
///
/// A token may end in the middle of a multi-byte character (`ðŁ` + `į` + `ķ` is one emoji); the
/// decoder holds such a partial character back until the next token completes it. Bytes that can
/// never form a character are emitted as U+FFFD rather than held forever.
///
/// ```swift
/// var decoder = StreamingDecoder(tokenizer: tokenizer)
/// for token in generated { print(decoder.append(token), terminator: "") }
/// print(decoder.finish())
/// ```
public struct StreamingDecoder: Sendable {
    /// The tokenizer whose pieces are decoded.
    public let tokenizer: any Tokenizer
    /// Whether control tokens are rendered as their text.
    public let renderSpecial: Bool
    private var pending: [UInt8] = []

    /// A decoder with nothing pending.
    public init(tokenizer: any Tokenizer, renderSpecial: Bool = false) {
        self.tokenizer = tokenizer
        self.renderSpecial = renderSpecial
        pending.reserveCapacity(64)
    }

    /// The text that `token` completes (possibly empty).
    public mutating func append(_ token: Int32) -> String {
        tokenizer.appendBytes(of: token, renderSpecial: renderSpecial, to: &pending)
        return takeCompleteText()
    }

    /// The text that `bytes` complete, for callers that produce raw bytes themselves.
    public mutating func append(bytes: some Sequence<UInt8>) -> String {
        pending.append(contentsOf: bytes)
        return takeCompleteText()
    }

    /// Whatever is still held back, with an unfinished character rendered as U+FFFD.
    public mutating func finish() -> String {
        defer { pending.removeAll(keepingCapacity: true) }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Whether a partial character is being held back.
    public var hasPendingBytes: Bool { !pending.isEmpty }

    private mutating func takeCompleteText() -> String {
        let keep = Self.incompleteSuffixLength(pending)
        let emitCount = pending.count - keep
        guard emitCount > 0 else { return "" }
        let text = String(decoding: pending[..<emitCount], as: UTF8.self)
        pending.removeFirst(emitCount)
        return text
    }

    /// Length of the trailing bytes that start a valid multi-byte character not yet complete.
    static func incompleteSuffixLength(_ bytes: [UInt8]) -> Int {
        // A character is at most 4 bytes, so only the last 3 can be an unfinished start.
        var continuationCount = 0
        for index in stride(from: bytes.count - 1, through: max(0, bytes.count - 4), by: -1) {
            let byte = bytes[index]
            if byte & 0xC0 == 0x80 {
                continuationCount += 1
                continue
            }
            let expected: Int
            switch byte {
            case 0xC2...0xDF: expected = 2
            case 0xE0...0xEF: expected = 3
            case 0xF0...0xF4: expected = 4
            default: return 0  // ASCII or an invalid lead: nothing worth waiting for
            }
            let have = continuationCount + 1
            return have < expected ? have : 0
        }
        return 0
    }
}
