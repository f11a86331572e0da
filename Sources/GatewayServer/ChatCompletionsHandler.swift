import Foundation
import HTTPTypes
import Hummingbird
import Providers
import SwitchyardTypes

/// `POST /v1/chat/completions`: decode, classify, plan the routes, call them (fallbacks, cascade,
/// augmentations), answer (whole or as SSE) and record one ``RequestRecord`` with its model calls.
///
/// The policy snapshot is read once at the start; the request finishes under it whatever reloads happen.
struct ChatCompletionsHandler: Sendable {
    let snapshots: GatewaySnapshotHolder
    let recorder: RequestRecorder
    let maxBodyBytes: Int

    func handle(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let snapshot = snapshots.current
        var trace = RequestTrace(context: context, policyHash: snapshot.policyHash)
        let calls = RoutingCallLog()
        do {
            let chat = try await ChatRequestDecoding.read(request, maxBytes: maxBodyBytes)
            trace.record.requestedModel = chat.model
            trace.record.stream = chat.isStreaming
            trace.noteContent(of: chat, logging: snapshot.contentLogging)
            let builder = RoutingPlanBuilder(snapshot: snapshot, health: snapshots.health, tunedState: snapshots.tunedState)
            let requestClass = builder.classify(chat)
            trace.record.requestClass = requestClass
            let plan = try builder.plan(for: chat, requestClass: requestClass)
            trace.planned(plan, policyHash: snapshot.policyHash)
            let executor = RoutingExecutor(snapshot: snapshot, health: snapshots.health, calls: calls, plan: plan)
            if chat.isStreaming {
                return try await stream(chat, executor: executor, plan: plan, trace: trace, calls: calls, snapshot: snapshot, context: context)
            }
            let served = try await executor.complete(chat)
            trace.served(by: served.available, confidence: served.confidence)
            trace.noteAnswer(served.response)
            let record = trace.close(status: 200, errorCode: nil, usage: served.response.usage, ttftMS: trace.elapsedMS, calls: calls)
            recorder.finish(record, knownRoutes: snapshot.routeNames)
            let headers = Self.routingHeaders(route: served.route.route, plan: plan, costUSD: record.costUSD)
            return JSONBody.response(served.response, headers: headers)
        } catch {
            let mapped = OpenAIErrorMiddleware.gatewayError(for: error, path: request.uri.path, context: context)
            let status = Int(mapped?.status.code ?? 500)
            recorder.finish(trace.close(status: status, errorCode: mapped?.code ?? "internal_error", usage: nil, ttftMS: nil, calls: calls),
                            knownRoutes: snapshot.routeNames)
            if let mapped { throw mapped }
            throw error
        }
    }

    /// Starts the answer's stream (a cascade's accepted cheap answer replayed as chunks, or the chosen route's
    /// stream up to its first chunk, so failures until then still fall back or get a proper status), then relays it.
    private func stream(
        _ chat: ChatCompletionRequest, executor: RoutingExecutor, plan: RoutingPlan, trace: RequestTrace, calls: RoutingCallLog,
        snapshot: GatewaySnapshot, context: GatewayRequestContext
    ) async throws -> Response {
        var trace = trace
        let reader: ChunkReader, first: ChatCompletionChunk?, call: PendingStreamCall?, route: String
        switch try await executor.stream(chat) {
        case .whole(let served):
            trace.served(by: served.available, confidence: served.confidence)
            reader = ChunkReader(CascadeReplay.stream(of: served.response))
            first = try await reader.next()
            call = nil
            route = served.route.route
        case .live(let live):
            trace.served(by: live.available, confidence: nil)
            reader = live.reader
            first = live.first
            call = live.call
            route = live.route.route
        }
        if let answer = trace.answer {
            // The policy keeps answers: gather the text the client is sent, from the first chunk on.
            if let first { answer.append(first) }
            reader.capture = answer
        }
        let relay = StreamRelay(
            reader: reader, first: first, includeUsage: chat.streamOptions?.includeUsage ?? false,
            trace: trace, call: call, calls: calls, recorder: recorder, knownRoutes: snapshot.routeNames)
        var headers = Self.routingHeaders(route: route, plan: plan, costUSD: nil)
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        headers[.switchyardRequestID] = context.requestID.uuidString.lowercased()
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in try await relay.run(&writer) })
    }

    /// `x-switchyard-route`, `x-switchyard-class` and (for whole answers) `x-switchyard-cost-usd`.
    static func routingHeaders(route: String, plan: RoutingPlan, costUSD: Double?) -> HTTPFields {
        var headers: HTTPFields = [.switchyardRoute: route]
        if let classHeader = plan.classHeader { headers[.switchyardClass] = classHeader }
        if let costUSD { headers[.switchyardCostUSD] = String(format: "%.8f", costUSD) }
        return headers
    }
}

extension HTTPField.Name {
    /// The request's class as `domain/task/difficulty`.
    static let switchyardClass = HTTPField.Name("x-switchyard-class")!
}

/// Reads a chunk stream from the handler first, then from the response body writer.
// Safe because the two users never overlap: the handler reads the first chunk and returns, and only then
// does the response body writer read the rest, one `next()` at a time.
// `capture` is set by the handler before the response body writer starts reading.
final class ChunkReader: @unchecked Sendable {
    private var iterator: ChatChunkStream.AsyncIterator
    /// Where chunks read from now on also go (the answer text the policy keeps); nil when none is kept.
    var capture: AnswerCapture?
    init(_ stream: ChatChunkStream) { iterator = stream.makeAsyncIterator() }
    func next() async throws -> ChatCompletionChunk? {
        let chunk = try await iterator.next()
        if let chunk { capture?.append(chunk) }
        return chunk
    }
}
