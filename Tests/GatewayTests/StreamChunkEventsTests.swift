import Foundation
@testable import GatewayServer
import NIOCore
import SwitchyardTypes
import Testing

/// The SSE events a stream sends per chunk: the JSON `JSONEncoder` gives (its key order aside), and
/// every string escaped byte for byte as `JSONEncoder` escapes it, whatever the text.
struct StreamChunkEventsTests {
    /// The JSON of an event (`data: <json>\n\n`) as a value, so key order does not matter.
    static func json(ofEvent event: String) throws -> JSONValue {
        #expect(event.hasPrefix("data: ") && event.hasSuffix("}\n\n"))
        return try JSONDecoder().decode(JSONValue.self, from: Data(event.dropFirst(6).dropLast(2).utf8))
    }

    /// Whether the event for `chunk` is the JSON `JSONEncoder` writes for it.
    static func matchesEncoder(_ chunk: ChatCompletionChunk) throws -> Bool {
        let expected = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: JSONBody.encode(chunk)))
        return try json(ofEvent: String(buffer: ChunkEvents.event(chunk))) == expected
    }

    /// `text` as `JSONEncoder` (slashes unescaped) writes a string, and as the direct writer does.
    static func escaped(_ text: String) -> (encoder: String, direct: String) {
        var buffer = ByteBuffer()
        ChunkEvents.writeJSONString(text, to: &buffer)
        return (String(buffer: JSONBody.encode(text)), String(buffer: buffer))
    }

    static func textChunk(_ content: String, id: String = "chatcmpl-0123456789abcdef", model: String = "smollm2",
                          created: Int = 1_764_268_000, index: Int = 0) -> ChatCompletionChunk {
        ChatCompletionChunk(id: id, created: created, model: model, choices: [ChunkChoice(index: index, delta: ChunkDelta(content: content))])
    }

    static let awkwardTexts: [String] = [
        "", "Hello", " number", "Café crème", "日本語", "emoji 😀👍🏽", "quote \" backslash \\ slash / end",
        "tab\tnew\nline\rcr", "\u{8}\u{c}", "\u{0}\u{1}\u{1f}", "\u{7f}", "\u{2028}\u{2029}", "\u{FFFD}",
        "</script>", "a\\u0041", String(repeating: "long ", count: 400),
    ] + (0..<0x20).map { "x" + String(UnicodeScalar(UInt8($0))) + "y" }

    @Test(arguments: awkwardTexts)
    func aTextChunkIsWhatJSONEncoderWrites(content: String) throws {
        let chunk = Self.textChunk(content)
        let event = String(buffer: ChunkEvents.event(chunk))
        #expect(try Self.matchesEncoder(chunk))
        #expect(try JSONDecoder().decode(ChatCompletionChunk.self, from: Data(event.dropFirst(6).dropLast(2).utf8)) == chunk)
        let escaped = Self.escaped(content)
        #expect(escaped.direct == escaped.encoder)
    }

    @Test func identifiersModelIndexAndTimeAreWrittenAsTheEncoderWritesThem() throws {
        for chunk in [
            Self.textChunk("x", id: "id with \"quotes\" and /slashes/", model: "vendor/model:tag", created: 0, index: 3),
            Self.textChunk("x", id: "", model: "modèle", created: -5, index: 0),
            Self.textChunk("x", created: Int.max, index: 12345),
        ] {
            #expect(try Self.matchesEncoder(chunk))
        }
    }

    @Test func otherChunksGoThroughTheEncoder() throws {
        let id = "chatcmpl-1"
        var finish = ChatCompletionChunk(id: id, created: 1, model: "m", choices: [ChunkChoice(index: 0, delta: ChunkDelta(), finishReason: "stop")])
        finish.switchyard = SwitchyardExtension(confidence: nil, cpuSeconds: 0.5, costUSD: 0.001)
        let chunks = [
            ChatCompletionChunk(id: id, created: 1, model: "m", choices: [ChunkChoice(index: 0, delta: ChunkDelta(role: "assistant", content: ""))]),
            finish,
            ChatCompletionChunk(id: id, created: 1, model: "m", choices: [], usage: Usage(promptTokens: 3, completionTokens: 4)),
            ChatCompletionChunk(id: id, created: 1, model: "m", choices: [ChunkChoice(index: 0, delta: ChunkDelta(content: "a"),
                                                                                  logprobs: .object(["content": .array([])]))]),
            ChatCompletionChunk(id: id, created: 1, model: "m", choices: [ChunkChoice(index: 0, delta: ChunkDelta(content: "a"))],
                                systemFingerprint: "fp"),
            ChatCompletionChunk(id: id, created: 1, model: "m", choices: [ChunkChoice(index: 0, delta: ChunkDelta(content: "a")),
                                                                      ChunkChoice(index: 1, delta: ChunkDelta(content: "b"))]),
        ]
        for chunk in chunks {
            #expect(try Self.matchesEncoder(chunk))
        }
    }

    @Test func randomTextsMatchTheEncoder() {
        var generator = SplitMix64(seed: 0x5EED)
        let scalars: [Unicode.Scalar] = (0..<0x80).compactMap(Unicode.Scalar.init) + ["é", "ß", "中", "😀", "\u{2028}", "\u{FFFD}", "\u{10FFFF}"]
        for _ in 0..<500 {
            let length = Int(generator.next() % 40)
            let text = String(String.UnicodeScalarView((0..<length).map { _ in scalars[Int(generator.next() % UInt64(scalars.count))] }))
            let escaped = Self.escaped(text)
            #expect(escaped.direct == escaped.encoder, "text: \(text.debugDescription)")
        }
    }
}

/// A small seeded generator, so the random texts are the same on every run.
private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
