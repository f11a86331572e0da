import Foundation
import Logging
import PostgresNIO

/// Who gave a quality score.
public enum FeedbackSource: String, Sendable, Codable, CaseIterable {
    case user, judge, heuristic
}

/// Quality scores keyed by request (table `feedback`), idempotent per (request, source, source id).
public struct FeedbackStore: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    /// A store over the database `client` connects to.
    public init(client: PostgresClient, logger: Logger = Logger(label: "switchyard.feedback")) {
        self.client = client
        self.logger = logger
    }

    /// Records (or replaces) the score `source`/`sourceID` gave `requestID`.
    /// - Parameters:
    ///   - sourceID: Distinguishes several scores of one source (a user id, a judge model); empty for one.
    /// - Throws: `StoreError.invalidFeedback` for a score outside 0...1.
    public func record(requestID: UUID, source: FeedbackSource, sourceID: String = "", score: Double, comment: String? = nil) async throws {
        guard score.isFinite, (0...1).contains(score) else {
            throw StoreError.invalidFeedback(reason: "score \(score) is outside 0...1")
        }
        do {
            try await client.query("""
                INSERT INTO feedback (request_id, source, source_id, score, comment)
                VALUES (\(requestID), \(source.rawValue), \(sourceID), \(score), \(comment))
                ON CONFLICT (request_id, source, source_id)
                DO UPDATE SET score = EXCLUDED.score, comment = EXCLUDED.comment, created_at = now()
                """, logger: logger)
        } catch {
            throw StoreError.wrapping(error, operation: "record feedback")
        }
    }

    /// Every score of a request, as (source, source id, score).
    public func scores(requestID: UUID) async throws -> [(source: FeedbackSource, sourceID: String, score: Double)] {
        do {
            let rows = try await client.query(
                "SELECT source, source_id, score FROM feedback WHERE request_id = \(requestID) ORDER BY source, source_id",
                logger: logger)
            var scores: [(source: FeedbackSource, sourceID: String, score: Double)] = []
            for try await (source, sourceID, score) in rows.decode((String, String, Double).self) {
                if let source = FeedbackSource(rawValue: source) { scores.append((source, sourceID, score)) }
            }
            return scores
        } catch {
            throw StoreError.wrapping(error, operation: "read feedback")
        }
    }
}
