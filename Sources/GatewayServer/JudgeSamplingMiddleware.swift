import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// On `POST /v1/chat/completions`: for the requests the judge samples, keeps a copy of the request body
/// and of the answer as it is sent, and hands both to the ``JudgeSampler`` once the answer is complete.
///
/// Requests not sampled pass through untouched; sampled ones are not slowed beyond the copy.
struct JudgeSamplingMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let sampler: JudgeSampler
    let maxBodyBytes: Int
    /// Longest answer copied for the judge; longer answers are not graded.
    static let maxAnswerBytes = 1 << 20

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let declaredLength = request.headers[.contentLength].flatMap(Int.init)
        guard declaredLength.map({ $0 <= maxBodyBytes }) ?? true, sampler.sample(context.requestID) else {
            return try await next(request, context)
        }
        let id = context.requestID
        var request = request
        let requestBody: ByteBuffer
        let response: Response
        do {
            requestBody = try await request.collectBody(upTo: maxBodyBytes)
            response = try await next(request, context)
        } catch {
            sampler.abandon(id)
            throw error
        }
        guard response.status == .ok else {
            sampler.abandon(id)
            return response
        }
        let sampler = self.sampler
        let requestData = Data(requestBody.readableBytesView)
        let capture = JudgeAnswerCapture(limit: Self.maxAnswerBytes)
        let body = response.body
        var teed = response
        teed.body = ResponseBody(contentLength: body.contentLength) { writer in
            do {
                try await body.write(JudgeTeeWriter(base: writer, capture: capture))
            } catch {
                sampler.abandon(id)
                throw error
            }
            if let answer = capture.bytes {
                sampler.answered(id, requestBody: requestData, responseBody: answer)
            } else {
                sampler.abandon(id)
            }
        }
        return teed
    }
}

/// The bytes of one answer as they are written, up to a limit (beyond it the copy is given up).
final class JudgeAnswerCapture: Sendable {
    private let limit: Int
    private let state = Mutex<(bytes: [UInt8], overflowed: Bool, finished: Bool)>(([], false, false))

    init(limit: Int) { self.limit = limit }

    func append(_ buffer: ByteBuffer) {
        state.withLock { state in
            guard !state.overflowed else { return }
            if state.bytes.count + buffer.readableBytes > limit {
                state.overflowed = true
                state.bytes = []
            } else {
                state.bytes.append(contentsOf: buffer.readableBytesView)
            }
        }
    }

    func finish() { state.withLock { $0.finished = true } }

    /// The whole answer, or nil when it was cut short or too long.
    var bytes: Data? {
        state.withLock { $0.finished && !$0.overflowed ? Data($0.bytes) : nil }
    }
}

/// Writes through to the client's writer, copying every buffer into a ``JudgeAnswerCapture``.
struct JudgeTeeWriter: ResponseBodyWriter {
    var base: any ResponseBodyWriter
    let capture: JudgeAnswerCapture

    mutating func write(_ buffer: ByteBuffer) async throws {
        capture.append(buffer)
        try await base.write(buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        try await base.finish(trailingHeaders)
        capture.finish()
    }
}
