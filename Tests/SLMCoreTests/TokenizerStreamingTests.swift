import Testing
@testable import SLMCore

/// Streaming decoding: text comes out only as complete UTF-8 characters.
@Suite struct TokenizerStreamingTests {
    @Test(arguments: [
        // "é" is C3 A9, split across two chunks.
        ([[0x63, 0xC3], [0xA9]], ["c", "é"], ""),
        // A 4-byte emoji, one byte at a time.
        ([[0xF0], [0x9F], [0x8D], [0x95]], ["", "", "", "🍕"], ""),
        // "€" (E2 82 AC) split 2 + 1, with ASCII after it.
        ([[0xE2, 0x82], [0xAC, 0x21]], ["", "€!"], ""),
        // A byte that can never start a character is not held back.
        ([[0xFF], [0x41]], ["\u{FFFD}", "A"], ""),
        // A lead byte followed by ASCII: the broken character is replaced, the ASCII kept.
        ([[0xE2], [0x41]], ["", "\u{FFFD}A"], ""),
        // An unfinished character at the end comes out of `finish` as U+FFFD.
        ([[0x68, 0x69, 0xE2, 0x82]], ["hi"], "\u{FFFD}"),
    ] as [([[UInt8]], [String], String)])
    func emitsOnlyCompleteCharacters(chunks: [[UInt8]], expected: [String], atFinish: String) throws {
        var decoder = StreamingDecoder(tokenizer: try TokenizerFixtures.tiny())
        #expect(chunks.map { decoder.append(bytes: $0) } == expected)
        #expect(decoder.finish() == atFinish)
        #expect(!decoder.hasPendingBytes)
    }

    @Test(arguments: ["I love pizza 🍕🍕 and cats 🐱!", "안녕하세요, 만나서 반갑습니다.", "👍🏽 👨‍👩‍👧‍👦 🇰🇷", "你好，世界！"])
    func streamsRealTokensBackToTheText(text: String) throws {
        let tokenizer = try TokenizerFixtures.smolLM()
        let ids = tokenizer.encode(text, parseSpecial: false)
        var decoder = StreamingDecoder(tokenizer: tokenizer)
        let chunks = ids.map { decoder.append($0) }
        #expect(chunks.joined() + decoder.finish() == text)
        #expect(!chunks.contains { $0.contains("\u{FFFD}") })
        // These texts split at least one character across tokens, so something was held back.
        #expect(chunks.contains(""))
    }

    @Test func rendersControlTokensOnlyWhenAsked() throws {
        let tokenizer = try TokenizerFixtures.smolLM()
        var plain = StreamingDecoder(tokenizer: tokenizer)
        var rendered = StreamingDecoder(tokenizer: tokenizer, renderSpecial: true)
        #expect(plain.append(2) == "")
        #expect(rendered.append(2) == "<|im_end|>")
    }
}
