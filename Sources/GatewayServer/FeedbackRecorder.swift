import Foundation
import Logging
import PostgresNIO
import Store

/// Where `POST /v1/feedback` and the judge write scores; the Store's `feedback` table in production.
public protocol FeedbackRecorder: Sendable {
    /// Whether the metrics database holds a request with this id.
    /// - Throws: when the database cannot be asked.
    func requestExists(_ id: UUID) async throws -> Bool
    /// Records (or replaces) the score `source`/`sourceID` gave request `requestID`.
    /// - Throws: when the score could not be stored.
    func record(requestID: UUID, source: FeedbackSource, sourceID: String, score: Double, comment: String?) async throws
}

/// Feedback through the Store's ``FeedbackStore``; request ids checked against the `requests` table.
public struct StoreFeedbackRecorder: FeedbackRecorder {
    private let client: PostgresClient
    private let store: FeedbackStore
    private let logger: Logger

    /// A recorder over the database `client` connects to.
    public init(client: PostgresClient, logger: Logger = Logger(label: "switchyard.feedback")) {
        self.client = client
        self.store = FeedbackStore(client: client, logger: logger)
        self.logger = logger
    }

    public func requestExists(_ id: UUID) async throws -> Bool {
        let rows = try await client.query("SELECT 1 FROM requests WHERE id = \(id) LIMIT 1", logger: logger)
        for try await _ in rows.decode(Int.self) { return true }
        return false
    }

    public func record(requestID: UUID, source: FeedbackSource, sourceID: String, score: Double, comment: String?) async throws {
        try await store.record(requestID: requestID, source: source, sourceID: sourceID, score: score, comment: comment)
    }
}
