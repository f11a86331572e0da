import Foundation
import Hummingbird
import Logging
import NIOCore
import Store

/// `POST /v1/feedback`: a score in 0...1 (and a comment) for an answered request.
///
/// Idempotent per source: the score is stored under (request, source, API key id), so a key posting
/// again for the same request **replaces** its earlier score and comment (last write wins); other keys'
/// scores are kept beside it. Unknown request ids get 404, invalid bodies 400 naming the field.
struct FeedbackHandler: Sendable {
    let recorder: any FeedbackRecorder
    let recent: FeedbackRecentRequests
    let logger: Logger

    /// Largest body accepted.
    static let maxBodyBytes = 16 << 10

    func handle(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw GatewayError.bodyTooLarge(limit: Self.maxBodyBytes)
        }
        let feedback = try FeedbackRequest.parse(Data(buffer.readableBytesView))
        guard let key = context.apiKey else { throw GatewayError.missingAPIKey }
        let source = feedback.source ?? .user
        if source != .user && key.role != "admin" {
            return AdminError.forbidden(role: key.role, required: "admin").response
        }
        do {
            if !recent.contains(feedback.requestID) {
                guard try await recorder.requestExists(feedback.requestID) else {
                    return AdminError.unknownRequest(id: feedback.requestID.uuidString.lowercased()).response
                }
            }
            try await recorder.record(requestID: feedback.requestID, source: source, sourceID: key.id.uuidString.lowercased(),
                                      score: feedback.score, comment: feedback.comment)
        } catch {
            logger.error("feedback could not be stored", metadata: ["error.type": "\(type(of: error))"])
            return AdminError.feedbackUnavailable.response
        }
        return JSONBody.response(FeedbackAnswer(requestID: feedback.requestID.uuidString.lowercased(), source: source.rawValue,
                                                score: feedback.score, comment: feedback.comment))
    }
}

/// The body of a successful `POST /v1/feedback`.
struct FeedbackAnswer: Codable, Sendable, Equatable {
    var object = "feedback"
    var requestID: String
    var source: String
    var score: Double
    var comment: String?

    enum CodingKeys: String, CodingKey {
        case object, requestID = "request_id", source, score, comment
    }
}
