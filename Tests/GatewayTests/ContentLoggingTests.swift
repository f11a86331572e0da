import Foundation
import GatewayServer
import GatewayTesting
import PostgresNIO
import Store
import Synchronization
import SwitchyardTypes
import Testing

/// The policy's `logging.content` decides what the `requests` row keeps of prompt and answer text,
/// for whole and streamed answers, through the real gateway and the real metrics writer.
@Suite(.timeLimit(.minutes(3)))
struct ContentLoggingTests {
    static let system = "You answer in one short sentence."
    static let user = "Write a short poem about autumn leaves for my friend."
    static let answer = "Leaves fall, gold and red, \"crisp\" underfoot."
    /// What the gateway logs as the prompt: the system and user turns, one per line.
    static var prompt: String { system + "\n" + user }

    static func body(stream: Bool) -> String {
        let escape = { (text: String) in String(decoding: try! JSONEncoder().encode(text), as: UTF8.self) }
        return #"{"model":"auto","messages":[{"role":"system","content":\#(escape(system))},"#
            + #"{"role":"assistant","content":"an earlier answer"},{"role":"user","content":\#(escape(user))}]"#
            + (stream ? #","stream":true"# : "") + "}"
    }

    @Test(arguments: ["none", "hash", "full"])
    func requestsRowKeepsWhatThePolicySays(mode: String) async throws {
        let rows = try await runRequests(mode: mode)
        #expect(rows.count == 2)
        let expected: (String) -> String? = { text in
            switch mode {
            case "hash": SHA256.hexDigest(of: text)
            case "full": text
            default: nil
            }
        }
        for row in rows {
            #expect(row.prompt == expected(Self.prompt), "stream: \(row.stream)")
            #expect(row.answer == expected(Self.answer), "stream: \(row.stream)")
        }
        #expect(Set(rows.map(\.stream)) == [false, true])
        if mode == "hash" {
            #expect(rows.allSatisfy { $0.prompt?.count == 64 && $0.prompt?.allSatisfy(\.isHexDigit) == true })
        }
    }

    /// The streamed answer's text is what the client was sent, chunk by chunk.
    @Test func streamedAnswerIsTheTextTheClientReceived() async throws {
        let received = ReceivedText()
        let rows = try await runRequests(mode: "full") { gateway in
            let answer = try await gateway.chat(Self.body(stream: true))
            #expect(answer.status == 200)
            let text = answer.chunks.compactMap { $0.choices.first?.delta.content }.joined()
            received.set(text)
        }
        let streamed = try #require(rows.first { $0.stream })
        #expect(received.value == Self.answer)
        #expect(streamed.answer == received.value)
    }

    // MARK: Helpers

    struct Row: Sendable { var prompt: String?; var answer: String?; var stream: Bool }

    /// Sends one whole and one streamed request (or runs `requests`) under a policy with `logging.content: mode`,
    /// then returns the `requests` rows; also checks the analyst role sees none of the text.
    private func runRequests(mode: String, _ requests: (@Sendable (GatewayClient) async throws -> Void)? = nil) async throws -> [Row] {
        try await PostgresHarness.withFreshDatabase { database in
            let spill = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-spill-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: spill) }
            let writer = try MetricsWriter(client: database.client, configuration: MetricsWriterConfiguration(spillFolder: spill))
            let upstream = FakeUpstream(fallback: .answer(text: Self.answer, promptTokens: 20, completionTokens: 9))
            let rules = """
                  - name: everything-cheap
                    candidates: [cheap-route]

                logging:
                  content: \(mode)
                """
            try await RoutingHarness.run(upstream: upstream, sink: writer, services: [writer],
                                         yaml: { RoutingHarness.policyYAML(upstream: $0, rules: rules) }) { gateway in
                if let requests {
                    try await requests(gateway)
                } else {
                    #expect(try await gateway.chat(Self.body(stream: false)).status == 200)
                    let streamed = try await gateway.chat(Self.body(stream: true))
                    #expect(streamed.status == 200)
                    #expect(streamed.body.contains("[DONE]"))
                }
                try await Task.sleep(for: .milliseconds(200))
                await writer.flush()
            }
            var rows: [Row] = []
            let result = try await database.client.query("SELECT prompt_content, answer_content, stream FROM requests")
            for try await (prompt, answer, stream) in result.decode((String?, String?, Bool).self) {
                rows.append(Row(prompt: prompt, answer: answer, stream: stream))
            }
            try await expectAnalystSeesNoText(database.client)
            return rows
        }
    }

    /// Every view the analyst role may read, as JSON text, contains neither the prompt, nor the answer, nor their hashes.
    private func expectAnalystSeesNoText(_ client: PostgresClient) async throws {
        let secrets = [Self.user, Self.answer, SHA256.hexDigest(of: Self.prompt), SHA256.hexDigest(of: Self.answer)]
        try await client.withConnection { connection in
            var views: [String] = []
            let granted = try await connection.query("""
                SELECT table_name FROM information_schema.role_table_grants
                WHERE grantee = 'switchyard_analyst' AND privilege_type = 'SELECT'
                """, logger: contentTestLogger)
            for try await name in granted.decode(String.self) { views.append(name) }
            #expect(views.contains("v_requests"))
            try await connection.query("SET ROLE switchyard_analyst", logger: contentTestLogger)
            for view in views {
                let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT row_to_json(v)::text FROM \(view) v"), logger: contentTestLogger)
                for try await json in rows.decode(String.self) {
                    for secret in secrets { #expect(!json.contains(secret), "\(view) shows prompt or answer text") }
                }
            }
            try await connection.query("RESET ROLE", logger: contentTestLogger)
        }
    }
}

/// The logger connection-level queries in these tests pass to PostgresNIO.
private let contentTestLogger = Logger(label: "test.content-logging")

/// Text one task writes and the test reads afterwards.
private final class ReceivedText: Sendable {
    private let text = Mutex("")
    func set(_ value: String) { text.withLock { $0 = value } }
    var value: String { text.withLock { $0 } }
}
