import Foundation
@testable import GatewayServer
import GatewayTesting
import PostgresNIO
import Store
import SwitchyardTypes
import Testing

/// A request id used by the table-driven body tests.
private let feedbackKnownID = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"

/// `POST /v1/feedback`: validation naming the field, 404 for unknown requests, one row per key and request.
@Suite(.timeLimit(.minutes(3)))
struct FeedbackTests {

    @Test(arguments: [
        ("", nil as String?),
        ("[1]", nil),
        ("{\"score\": 0.5}", "request_id"),
        ("{\"request_id\": 12, \"score\": 0.5}", "request_id"),
        ("{\"request_id\": \"chatcmpl-1\", \"score\": 0.5}", "request_id"),
        ("{\"request_id\": \"\(feedbackKnownID)\"}", "score"),
        ("{\"request_id\": \"\(feedbackKnownID)\", \"score\": \"high\"}", "score"),
        ("{\"request_id\": \"\(feedbackKnownID)\", \"score\": 1.5}", "score"),
        ("{\"request_id\": \"\(feedbackKnownID)\", \"score\": -0.1}", "score"),
        ("{\"request_id\": \"\(feedbackKnownID)\", \"score\": 0.5, \"comment\": 3}", "comment"),
        ("{\"request_id\": \"\(feedbackKnownID)\", \"score\": 0.5, \"comment\": \"\(String(repeating: "x", count: 4_001))\"}", "comment"),
        ("{\"request_id\": \"\(feedbackKnownID)\", \"score\": 0.5, \"source\": \"robot\"}", "source"),
        ("{\"request_id\": \"\(feedbackKnownID)\", \"scores\": 0.5}", "scores"),
    ])
    func rejectsInvalidBodiesNamingTheField(body: String, param: String?) throws {
        let error = #expect(throws: GatewayError.self) { try FeedbackRequest.parse(Data(body.utf8)) }
        switch error {
        case .malformedJSON?: #expect(param == nil)
        case .invalidField(let named, _)?: #expect(named == param)
        default: Issue.record("unexpected error \(String(describing: error))")
        }
        #expect(error?.status == .badRequest)
    }

    @Test(arguments: [
        ("{\"request_id\": \"\(feedbackKnownID)\", \"score\": 0}", 0.0, nil as String?, nil as FeedbackSource?),
        ("{\"request_id\": \"\(feedbackKnownID.uppercased())\", \"score\": 1, \"comment\": \"great\"}", 1.0, "great", nil),
        ("{\"request_id\": \"\(feedbackKnownID)\", \"score\": 0.25, \"comment\": null, \"source\": \"heuristic\"}", 0.25, nil, .heuristic),
    ])
    func acceptsValidBodies(body: String, score: Double, comment: String?, source: FeedbackSource?) throws {
        let parsed = try FeedbackRequest.parse(Data(body.utf8))
        #expect(parsed == FeedbackRequest(requestID: UUID(uuidString: feedbackKnownID)!, score: score, comment: comment, source: source))
    }

    @Test func recentRequestsForgetTheOldestAtCapacity() {
        let recent = FeedbackRecentRequests(capacity: 3)
        let ids = (0..<5).map { _ in UUID() }
        for id in ids { recent.insert(id) }
        #expect(ids.map(recent.contains) == [false, false, true, true, true])
    }

    @Test func feedbackIsStoredOncePerKeyAndUpdatedWhenSentAgain() async throws {
        try await withFeedbackGateway { gateway, database, keys in
            let answer = try await gateway.chat(GatewayHarness.chatBody(), key: keys.client.secret)
            #expect(answer.status == 200)
            let requestID = try #require(answer.headers["x-switchyard-request-id"])

            // Before the metrics writer flushed: the gateway remembers the id it just answered.
            let first = try await postFeedback(gateway, key: keys.client.secret, #"{"request_id":"\#(requestID)","score":0.2,"comment":"meh"}"#)
            #expect(first.status == 200)
            #expect(try first.decoded(FeedbackAnswer.self) == FeedbackAnswer(requestID: requestID, source: "user", score: 0.2, comment: "meh"))
            let second = try await postFeedback(gateway, key: keys.client.secret, #"{"request_id":"\#(requestID)","score":0.9}"#)
            #expect(second.status == 200)
            let other = try await postFeedback(gateway, key: keys.other.secret, #"{"request_id":"\#(requestID)","score":0.4}"#)
            #expect(other.status == 200)

            let scores = try await FeedbackStore(client: database.client).scores(requestID: try #require(UUID(uuidString: requestID)))
            #expect(scores.count == 2)
            #expect(scores.contains { $0.source == .user && $0.sourceID == keys.client.record.id.uuidString.lowercased() && $0.score == 0.9 })
            #expect(scores.contains { $0.source == .user && $0.sourceID == keys.other.record.id.uuidString.lowercased() && $0.score == 0.4 })
            let comments = try await database.client.query("SELECT comment FROM feedback WHERE source_id = \(keys.client.record.id.uuidString.lowercased())")
            var seen: [String?] = []
            for try await comment in comments.decode(String?.self) { seen.append(comment) }
            #expect(seen == [nil], "a second post replaces the first one's score and comment")
        }
    }

    @Test func requestsKnownOnlyToTheDatabaseAreAcceptedAndUnknownOnesAre404() async throws {
        try await withFeedbackGateway { gateway, database, keys in
            // A request served earlier (by another replica, or before a restart): only the database knows it.
            let earlier = RequestRecord(requestedModel: "fake-gpt", status: 200, latencyMS: 12)
            try await RecordBatchInserter(client: database.client).insert([earlier])

            let known = try await postFeedback(gateway, key: keys.client.secret, #"{"request_id":"\#(earlier.id.uuidString)","score":1}"#)
            #expect(known.status == 200)

            let unknown = try await postFeedback(gateway, key: keys.client.secret, #"{"request_id":"\#(UUID().uuidString)","score":1}"#)
            #expect(unknown.status == 404)
            #expect(unknown.error?.code == "request_not_found")
            #expect(unknown.error?.param == "request_id")

            let invalid = try await postFeedback(gateway, key: keys.client.secret, #"{"request_id":"\#(earlier.id.uuidString)","score":2}"#)
            #expect(invalid.status == 400)
            #expect(invalid.error?.param == "score")

            let judged = try await postFeedback(gateway, key: keys.client.secret, #"{"request_id":"\#(earlier.id.uuidString)","score":1,"source":"judge"}"#)
            #expect(judged.status == 403)
            #expect(judged.error?.code == "insufficient_permissions")
            let anonymous = try await postFeedback(gateway, key: nil, #"{"request_id":"\#(earlier.id.uuidString)","score":1}"#)
            #expect(anonymous.status == 401)

            let scores = try await FeedbackStore(client: database.client).scores(requestID: earlier.id)
            #expect(scores.map(\.score) == [1])
        }
    }

    // MARK: Support

    struct Keys: Sendable {
        var client: CreatedAPIKey
        var other: CreatedAPIKey
    }

    private func postFeedback(_ gateway: GatewayClient, key: String?, _ json: String) async throws -> HTTPAnswer {
        try await gateway.send(.POST, "/v1/feedback", body: Array(json.utf8), key: key)
    }

    private func withFeedbackGateway(_ body: @escaping @Sendable (GatewayClient, TestDatabase, Keys) async throws -> Void) async throws {
        try await PostgresHarness.withFreshDatabase { database in
            let store = APIKeyStore(client: database.client)
            let keys = Keys(client: try await store.create(name: "feedback-client", role: .client),
                            other: try await store.create(name: "feedback-other", role: .client))
            let spill = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-spill-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: spill) }
            let writer = try MetricsWriter(client: database.client, configuration: MetricsWriterConfiguration(spillFolder: spill))
            try await PolicyReloadHarness.run(
                sink: writer, services: [writer], authenticator: StoreAPIKeyAuthenticator(store: store),
                feedback: StoreFeedbackRecorder(client: database.client)
            ) { gateway, _, _ in
                try await body(gateway, database, keys)
            }
        }
    }
}
