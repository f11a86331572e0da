import Foundation
import GatewayTesting
import NIOCore
import NIOPosix
import Testing

/// Hostile bodies and bytes: nothing a client sends may produce a 500 or take the gateway down.
@Suite(.timeLimit(.minutes(3)))
struct FuzzedRequestsTests {
    /// A small seeded generator so a failure can be replayed.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let handWritten: [[UInt8]] = {
        let texts = [
            #"{"model":"fake-gpt","messages":[{"role":"user","content":"hi"}],"max_tokens":99999999999999999999999999}"#,
            #"{"model":"fake-gpt","messages":[{"role":"user","content":"hi"}],"temperature":-1e400}"#,
            #"{"model":"fake-gpt","messages":[{"role":"user","content":"hi"}],"temperature":NaN}"#,
            #"{"model":"fake-gpt","messages":[{"role":"user","content":"hi"}],"seed":-9223372036854775809}"#,
            #"{"model":"fake-gpt","messages":[{"role":"user","content":{"nested":[1,2,{"a":null}]}}]}"#,
            #"{"model":"fake-gpt","messages":[{"role":"user","content":[1,"two",null]}]}"#,
            #"{"model":["fake-gpt"],"messages":"hi"}"#,
            #"{"model":"fake-gpt","model":"fake-gpt","messages":[{"role":"user","content":"hi"}]}"#,
            #"{"model":"fake-gpt","messages":[null]}"#,
            #"{"model":"fake-gpt","messages":[{"role":"user","content":"hi"}],"stop":[1,2]}"#,
            #"{"model":"\u0000","messages":[{"role":"user","content":"\ud800"}]}"#,
            "\u{FEFF}{\"model\":\"fake-gpt\"}",
            String(repeating: "[", count: 100_000),
            #"{"model":"fake-gpt","messages":[{"role":"user","content":"hi","x":"#
                + String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000) + "}]}",
            #"{"model":"fake-gpt","messages":[{"role":"user","content":"hi"}],"extra":"#
                + String(repeating: "{\"a\":", count: 5_000) + "1" + String(repeating: "}", count: 5_000) + "}",
        ]
        var bodies = texts.map { Array($0.utf8) }
        bodies.append([0x7B, 0x22, 0x6D, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D])           // invalid UTF-8 in a key
        bodies.append(Array(#"{"model":"fake-gpt","messages":[{"role":"user","content":""#.utf8) + [0xC3, 0x28] + Array(#""}]}"#.utf8))
        return bodies
    }()

    @Test func hostileBodiesGet4xxWithAnErrorBody() async throws {
        var random = SplitMix64(state: 20_240_601)
        var bodies = Self.handWritten
        let valid = Array(GatewayHarness.chatBody().utf8)
        for round in 0..<60 {
            switch round % 3 {
            case 0: bodies.append((0..<Int.random(in: 1...512, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
            case 1: bodies.append(Array(valid.prefix(Int.random(in: 0..<valid.count, using: &random))))
            default:
                var mutated = valid
                for _ in 0..<3 { mutated[Int.random(in: 0..<mutated.count, using: &random)] = UInt8.random(in: 0...255, using: &random) }
                bodies.append(mutated)
            }
        }
        let hostile = bodies
        try await GatewayHarness.run { gateway in
            for body in hostile {
                let answer = try await gateway.send(.POST, "/v1/chat/completions", body: body)
                // A random mutation can leave a valid request (200) or a valid unknown model (404).
                #expect([200, 400, 404, 413].contains(answer.status), "status \(answer.status) for \(body.prefix(80))")
                if answer.status != 200 { #expect(answer.error != nil, "no error body for \(body.prefix(80))") }
            }
            #expect(try await gateway.get("/healthz", key: nil).status == 200)
        }
    }

    @Test func garbageOnTheSocketDoesNotTakeTheGatewayDown() async throws {
        try await GatewayHarness.run { gateway in
            var random = SplitMix64(state: 7)
            for _ in 0..<5 {
                let garbage = (0..<2048).map { _ in UInt8.random(in: 0...255, using: &random) }
                try await Self.sendRaw(garbage, port: gateway.port)
            }
            try await Self.sendRaw(Array("POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n".utf8), port: gateway.port)
            try await Self.sendRaw(Array("GET /healthz HTTP/1.1\r\nHost: x\r\n".utf8) + Array(repeating: UInt8(ascii: "a"), count: 100_000), port: gateway.port)
            #expect(try await gateway.get("/healthz", key: nil).status == 200)
            #expect(try await gateway.chat(GatewayHarness.chatBody()).status == 200)
        }
    }

    /// Writes bytes on a fresh connection and waits until the server closes it (or a second passes).
    static func sendRaw(_ bytes: [UInt8], port: Int) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        try await channel.executeThenClose { inbound, outbound in
            try? await outbound.write(ByteBuffer(bytes: bytes))
            try? await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { for try await _ in inbound {} }
                group.addTask { try await Task.sleep(for: .seconds(1)) }
                _ = try await group.next()
                group.cancelAll()
            }
        }
    }
}
