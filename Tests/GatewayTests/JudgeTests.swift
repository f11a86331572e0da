import Foundation
@testable import GatewayServer
import GatewayTesting
import PostgresNIO
import Store
import Synchronization
import SwitchyardTypes
import Testing

/// Judge sampling: the fake upstream plays the judge; grades become `feedback` rows with source `judge`
/// and judge calls `model_calls` rows; a full queue drops samples and never blocks requests.
@Suite(.timeLimit(.minutes(3)))
struct JudgeTests {
    @Test(arguments: [
        ("0.8", 0.8 as Double?), ("Score: 0.25", 0.25), (".5", 0.5), ("1", 1), ("0", 0), ("8/10", 0.8), ("80%", 0.8),
        ("7 / 10 because it is mostly right", 0.7), ("The answer is good", nil), ("3", nil), ("-0.5", 0.5), ("", nil), ("12/10", nil),
    ])
    func readsTheJudgesScore(reply: String, expected: Double?) {
        let score = JudgeScoreParser.score(in: reply)
        if let expected {
            #expect(score.map { abs($0 - expected) < 1e-9 } == true, "\(reply) → \(String(describing: score))")
        } else {
            #expect(score == nil, "\(reply) → \(String(describing: score))")
        }
    }

    @Test func readsWholeAndStreamedAnswers() throws {
        let request = Data(#"{"model":"m","messages":[{"role":"user","content":"Capital of France?"}]}"#.utf8)
        let whole = Data(#"{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Paris."},"finish_reason":"stop"}]}"#.utf8)
        let transcript = try #require(JudgeTranscript.read(requestBody: request, responseBody: whole))
        #expect(transcript.answer == "Paris.")
        #expect(transcript.messages.map(\.role) == ["user"])

        let streamedRequest = Data(#"{"model":"m","stream":true,"messages":[{"role":"user","content":"Capital of France?"}]}"#.utf8)
        let events = ["Par", "is."].map { #"data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"\#($0)"}}]}"# + "\n\n" }
        let streamed = Data((events.joined() + "data: [DONE]\n\n").utf8)
        #expect(JudgeTranscript.read(requestBody: streamedRequest, responseBody: streamed)?.answer == "Paris.")
        #expect(JudgeTranscript.read(requestBody: request, responseBody: Data("{}".utf8)) == nil)

        let judgeRequest = transcript.judgeRequest(model: "judge", rubric: "Be strict.", maxCharacters: 100)
        #expect(judgeRequest.messages.first?.content?.text.contains("Be strict.") == true)
        #expect(judgeRequest.messages.last?.content?.text.contains("Paris.") == true)
        #expect(judgeRequest.messages.last?.content?.text.contains("user: Capital of France?") == true)
    }

    @Test func sampledAnswersAreGradedByTheJudgeInTheBackground() async throws {
        let upstream = FakeUpstream()
        upstream.enqueue(.answer(text: "Paris is the capital of France"), .answer(text: "0.75"),
                         .answer(text: "Blue whales are big"), .answer(text: "Score: 0.5"),
                         .answer(text: "Unsure answer"), .answer(text: "no idea"))
        let sink = RecordingSink()
        let feedback = InMemoryFeedback()
        try await PolicyReloadHarness.run(upstream: upstream, sink: sink, feedback: feedback,
                                          judge: JudgeSettings(model: "gpt", sampleRate: 1, rubric: "Reward correct geography.")) { gateway, _, _ in
            let whole = try await gateway.chat(GatewayHarness.chatBody())
            #expect(whole.status == 200)
            let wholeID = try #require(UUID(uuidString: whole.headers["x-switchyard-request-id"] ?? ""))
            let graded = try await feedback.waitFor(wholeID)
            #expect(graded?.source == .judge)
            #expect(graded?.sourceID == "fake-gpt")
            #expect(graded?.score == 0.75)

            let judgeBody = try #require(upstream.receivedRequests.last?.body)
            #expect(judgeBody.contains("Reward correct geography."))
            #expect(judgeBody.contains("Paris is the capital of France"))

            let streamed = try await gateway.chat(GatewayHarness.chatBody(stream: true))
            #expect(streamed.status == 200)
            let streamedID = try #require(UUID(uuidString: streamed.headers["x-switchyard-request-id"] ?? ""))
            #expect(try await feedback.waitFor(streamedID)?.score == 0.5)
            #expect(upstream.receivedRequests.last?.body.contains("Blue whales are big") == true)

            let unsure = try await gateway.chat(GatewayHarness.chatBody())
            let unsureID = try #require(UUID(uuidString: unsure.headers["x-switchyard-request-id"] ?? ""))
            let records = try await sink.waitFor(count: 6)
            let judgeCalls = records.flatMap { record in record.modelCalls.filter { $0.purpose == "judge" }.map { (record.id, $0) } }
            #expect(judgeCalls.count == 3)
            #expect(judgeCalls.contains { $0.0 == wholeID && $0.1.accepted && $0.1.model == "fake-gpt" && $0.1.status == 200 && $0.1.costUSD != nil })
            #expect(judgeCalls.contains { $0.0 == unsureID && !$0.1.accepted && $0.1.errorCode == "judge_unparsable" })
            #expect(await feedback.score(for: unsureID) == nil, "a reply without a score is not feedback")
            // The judge's record copy is the request's own record, so its `requests` row is left as it was.
            let copies = records.filter { $0.id == wholeID }
            #expect(copies.count == 2)
            #expect(copies[0].startedAt == copies[1].startedAt && copies[0].status == copies[1].status)

            let metrics = try await Self.waitForCounters(gateway) { Self.counter($0, outcome: "graded") == 2 && Self.counter($0, outcome: "failed") == 1 }
            #expect(Self.counter(metrics, outcome: "graded") == 2)
            #expect(Self.counter(metrics, outcome: "failed") == 1)
            #expect(Self.counter(metrics, outcome: "dropped") == 0)
        }
    }

    @Test func aFullQueueDropsSamplesWithoutHoldingRequests() async throws {
        let feedback = InMemoryFeedback(blocked: true)
        let upstream = FakeUpstream(fallback: .answer(text: "0.9"))
        try await PolicyReloadHarness.run(upstream: upstream, feedback: feedback,
                                          judge: JudgeSettings(model: "fake-gpt", sampleRate: 1, queueCapacity: 1, concurrency: 1)) { gateway, _, _ in
            let started = ContinuousClock.now
            var statuses: [Int] = []
            for _ in 0..<8 { statuses.append(try await gateway.chat(GatewayHarness.chatBody()).status) }
            #expect(statuses == Array(repeating: 200, count: 8))
            #expect(ContinuousClock.now - started < .seconds(10))

            var metrics = try await Self.waitForCounters(gateway) { (Self.counter($0, outcome: "dropped") ?? 0) >= 6 }
            // One answer is being graded (its score write is held), one waits in the queue, the rest are dropped.
            #expect(Self.counter(metrics, outcome: "dropped") == 6)
            await feedback.release()
            metrics = try await Self.waitForCounters(gateway) { Self.counter($0, outcome: "graded") == 2 }
            #expect(Self.counter(metrics, outcome: "graded") == 2)
        }
    }

    @Test func judgeGradesLandInFeedbackAndModelCallsTables() async throws {
        try await PostgresHarness.withFreshDatabase { database in
            let keys = APIKeyStore(client: database.client)
            let key = try await keys.create(name: "judge-client", role: .client)
            let spill = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-spill-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: spill) }
            let writer = try MetricsWriter(client: database.client, configuration: MetricsWriterConfiguration(spillFolder: spill))
            let upstream = FakeUpstream()
            upstream.enqueue(.answer(text: "Four", promptTokens: 9, completionTokens: 1), .answer(text: "1", promptTokens: 60, completionTokens: 1))
            let feedback = StoreFeedbackRecorder(client: database.client)
            try await PolicyReloadHarness.run(upstream: upstream, sink: writer, services: [writer], authenticator: StoreAPIKeyAuthenticator(store: keys),
                                              feedback: feedback, judge: JudgeSettings(model: "gpt", sampleRate: 1)) { gateway, _, _ in
                let answer = try await gateway.chat(GatewayHarness.chatBody(), key: key.secret)
                #expect(answer.status == 200)
                let id = try #require(UUID(uuidString: answer.headers["x-switchyard-request-id"] ?? ""))
                var scores: [(source: FeedbackSource, sourceID: String, score: Double)] = []
                for _ in 0..<300 where scores.isEmpty {
                    scores = try await FeedbackStore(client: database.client).scores(requestID: id)
                    if scores.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
                }
                #expect(scores.count == 1)
                #expect(scores.first?.source == .judge && scores.first?.sourceID == "fake-gpt" && scores.first?.score == 1)
                await writer.flush()

                let calls = try await database.client.query(
                    "SELECT purpose, model, input_tokens, accepted FROM model_calls WHERE request_id = \(id) ORDER BY sequence")
                var seen: [(String, String, Int, Bool)] = []
                for try await row in calls.decode((String, String, Int, Bool).self) { seen.append(row) }
                #expect(seen.map(\.0) == ["answer", "judge"])
                #expect(seen.last?.2 == 60 && seen.last?.3 == true)
                let requests = try await database.client.query("SELECT count(*)::int, min(status) FROM requests WHERE id = \(id)")
                for try await (count, status) in requests.decode((Int, Int).self) {
                    #expect(count == 1)
                    #expect(status == 200)
                }
            }
        }
    }

    /// Polls `/metrics` until `condition` holds (up to four seconds), returning the last text.
    private static func waitForCounters(_ gateway: GatewayClient, until condition: (String) -> Bool) async throws -> String {
        var metrics = ""
        for _ in 0..<200 {
            metrics = try await gateway.get("/metrics", key: nil).body
            if condition(metrics) { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        return metrics
    }

    private static func counter(_ metrics: String, outcome: String) -> Int? {
        let prefix = "switchyard_judge_samples_total{outcome=\"\(outcome)\"} "
        guard let line = metrics.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return nil }
        return Double(line.dropFirst(prefix.count)).map { Int($0) }
    }
}

/// Feedback kept in memory; optionally holds every write until released (to fill the judge's queue).
actor InMemoryFeedback: FeedbackRecorder {
    struct Entry: Sendable { var source: FeedbackSource; var sourceID: String; var score: Double }
    private var entries: [UUID: Entry] = [:]
    private var blocked: Bool
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(blocked: Bool = false) { self.blocked = blocked }

    func requestExists(_ id: UUID) async throws -> Bool { entries[id] != nil }

    func record(requestID: UUID, source: FeedbackSource, sourceID: String, score: Double, comment: String?) async throws {
        if blocked { await withCheckedContinuation { waiting.append($0) } }
        entries[requestID] = Entry(source: source, sourceID: sourceID, score: score)
    }

    func release() {
        blocked = false
        for continuation in waiting { continuation.resume() }
        waiting = []
    }

    func score(for id: UUID) -> Double? { entries[id]?.score }

    /// The entry for `id`, waiting up to five seconds for it.
    func waitFor(_ id: UUID) async throws -> Entry? {
        for _ in 0..<250 {
            if let entry = entries[id] { return entry }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}
