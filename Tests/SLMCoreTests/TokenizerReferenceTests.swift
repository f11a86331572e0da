import Foundation
import Testing
@testable import SLMCore

/// SmolLM2's tokenizer against llama.cpp's token ids in `../shared/refs`.
@Suite struct TokenizerReferenceTests {
    /// One line of `tokenize.jsonl`.
    struct Line: Decodable, Sendable, CustomStringConvertible {
        let category: String
        let text: String
        let parse_special: Bool
        let ids: [Int32]
        var description: String { "\(category) \(parse_special ? "special" : "plain"): \(text.debugDescription.prefix(40))" }
    }

    static func lines() throws -> [Line] {
        let lines = try TestSupport.refsLines("tokenize.jsonl", as: Line.self)
        guard lines.count == 76 else {
            throw TestSupport.MissingFile(description: "tokenize.jsonl has \(lines.count) lines, expected 76")
        }
        return lines
    }

    @Test(arguments: try lines())
    func encodesLikeLlamaCpp(_ line: Line) throws {
        let tokenizer = try TokenizerFixtures.smolLM()
        #expect(tokenizer.encode(line.text, parseSpecial: line.parse_special) == line.ids)
    }

    @Test(arguments: try lines())
    func decodesReferenceIDsBackToText(_ line: Line) throws {
        let tokenizer = try TokenizerFixtures.smolLM()
        #expect(tokenizer.decode(line.ids, renderSpecial: true) == line.text)
        #expect(tokenizer.decodeBytes(line.ids, renderSpecial: true) == Array(line.text.utf8))
    }

    @Test func encodesTheWholeGPL3TextLikeLlamaCpp() throws {
        let tokenizer = try TokenizerFixtures.smolLM()
        let reference = try PerplexityReference.load()
        let path = "/usr/share/common-licenses/GPL-3"
        guard var text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw TestSupport.MissingFile(description: "\(path) not found (Debian package base-files)")
        }
        if text.hasSuffix("\n") { text.removeLast() }
        let ids = tokenizer.encode(text, parseSpecial: false)
        #expect(ids.count == 7638)
        #expect(ids == reference.token_ids.map { Int32($0) })
        if let mismatch = zip(ids, reference.token_ids).enumerated().first(where: { $0.element.0 != Int32($0.element.1) }) {
            Issue.record("first mismatch at token \(mismatch.offset)")
        }
    }

    @Test func readsSpecialTokenRolesFromTheFile() throws {
        let tokenizer = try TokenizerFixtures.smolLM()
        #expect(tokenizer.vocabularySize == 49152)
        #expect(tokenizer.preTokenizer == .smollm)
        #expect(tokenizer.specialTokens.bos == 1)
        #expect(tokenizer.specialTokens.eos == 2)
        #expect(tokenizer.specialTokens.eot == 2)
        #expect(tokenizer.specialTokens.addsBOS == false)
        #expect(tokenizer.specialTokens.endOfGeneration == [0, 2])
        #expect(tokenizer.encode("hi", parseSpecial: false, addingBOS: true) == tokenizer.encode("hi", parseSpecial: false))
        for id in Int32(0)...16 { #expect(tokenizer.kind(of: id) == .control) }
        #expect(tokenizer.kind(of: 17) == .normal)
    }

    @Test func controlTokensRenderOnlyWhenAsked() throws {
        let tokenizer = try TokenizerFixtures.smolLM()
        let ids = tokenizer.encode("<|im_start|>user\nhi<|im_end|>", parseSpecial: true)
        #expect(tokenizer.decode(ids, renderSpecial: false) == "user\nhi")
        #expect(tokenizer.decode(ids, renderSpecial: true) == "<|im_start|>user\nhi<|im_end|>")
    }

    @Test func factoryPicksTheByteLevelTokenizerFromTheModelKey() throws {
        let file = try GGUFFile(path: TestSupport.modelPath())
        let tokenizer = try TokenizerFactory.tokenizer(for: file)
        #expect(tokenizer is ByteLevelBPETokenizer)
        #expect(tokenizer.encode("Hello world", parseSpecial: false) == [19556, 905])
    }
}
