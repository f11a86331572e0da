import Foundation
import Store
import SwitchyardTypes

/// A validated `POST /v1/feedback` body: `{"request_id": "...", "score": 0..1, "comment": "..."}`.
///
/// `source` may be sent too: client keys may only give `user` feedback (the default); admin keys may
/// also record `judge` or `heuristic` scores (e.g. from an offline grader).
struct FeedbackRequest: Sendable, Equatable {
    /// The request graded (`x-switchyard-request-id`).
    var requestID: UUID
    /// The score in 0...1.
    var score: Double
    var comment: String?
    /// Who gave the score, if the body says.
    var source: FeedbackSource?

    /// Longest comment accepted, in characters.
    static let maxCommentLength = 4_000
    /// Fields the body may carry.
    static let knownFields: Set<String> = ["request_id", "score", "comment", "source"]

    /// Parses and validates a body, naming the field of the first problem.
    /// - Throws: ``GatewayError/malformedJSON(detail:)`` or ``GatewayError/invalidField(param:reason:)``.
    static func parse(_ data: Data) throws(GatewayError) -> FeedbackRequest {
        if data.isEmpty { throw .malformedJSON(detail: "the body is empty.") }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw .malformedJSON(detail: "the body is not valid JSON.")
        }
        guard case .object(let fields) = value else { throw .malformedJSON(detail: "the body must be a JSON object.") }
        if let unknown = fields.keys.sorted().first(where: { !knownFields.contains($0) }) {
            throw .invalidField(param: unknown, reason: "unknown field; expected request_id, score, comment or source.")
        }

        guard let rawID = fields["request_id"] else { throw .invalidField(param: "request_id", reason: "required.") }
        guard case .string(let idText) = rawID else { throw .invalidField(param: "request_id", reason: "must be a string.") }
        guard let requestID = UUID(uuidString: idText.trimmingCharacters(in: .whitespaces)) else {
            throw .invalidField(param: "request_id", reason: "must be the request's id as returned in x-switchyard-request-id (a UUID).")
        }

        guard let rawScore = fields["score"] else { throw .invalidField(param: "score", reason: "required.") }
        guard case .number(let score) = rawScore else { throw .invalidField(param: "score", reason: "must be a number.") }
        guard score.isFinite, (0...1).contains(score) else { throw .invalidField(param: "score", reason: "must be between 0 and 1.") }

        var comment: String?
        switch fields["comment"] {
        case nil, .null?: comment = nil
        case .string(let text)?:
            guard text.count <= maxCommentLength else {
                throw .invalidField(param: "comment", reason: "must be at most \(maxCommentLength) characters.")
            }
            comment = text
        default: throw .invalidField(param: "comment", reason: "must be a string.")
        }

        var source: FeedbackSource?
        switch fields["source"] {
        case nil, .null?: source = nil
        case .string(let text)?:
            guard let parsed = FeedbackSource(rawValue: text) else {
                throw .invalidField(param: "source", reason: "must be one of user, judge, heuristic.")
            }
            source = parsed
        default: throw .invalidField(param: "source", reason: "must be a string.")
        }
        return FeedbackRequest(requestID: requestID, score: score, comment: comment, source: source)
    }
}
