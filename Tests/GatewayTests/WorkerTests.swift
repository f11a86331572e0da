import Foundation
import GatewayServer
import GatewayTesting
import Providers
import SLMCore
import SwitchyardTypes
import Testing

/// The worker's HTTP app, started in-process on a real socket, serving the real test model.
@Suite(.serialized)
struct WorkerTests {
    @Test func answersConcurrentChatRequestsStreamingAndNot() async throws {
        let runtime = try WorkerTestSupport.runtime(slots: 2, queue: 4)
        let app = buildWorkerApplication(runtime: runtime, configuration: WorkerConfiguration(modelName: "smollm2", port: 0, pricePerCPUSecond: 0.01))
        try await withLiveServer(app) { port in
            let client = WorkerTestClient(port: port)
            async let plain = client.send(.POST, "/v1/chat/completions", body: WorkerTestSupport.chat("What is the capital of France?"))
            async let streamed = client.send(.POST, "/v1/chat/completions",
                                             body: WorkerTestSupport.chat("What is the capital of France?", stream: true, includeUsage: true))
            async let other = client.send(.POST, "/v1/chat/completions",
                                          body: WorkerTestSupport.chat("Name a primary color.", stream: true))
            let (answer, stream, second) = try await (plain, streamed, other)

            #expect(answer.status == 200)
            let response = try JSONDecoder().decode(ChatCompletionResponse.self, from: Data(answer.body))
            let text = try #require(response.choices.first?.message.content?.text)
            #expect(text.contains { $0.isLetter }, "answer was: \(text)")
            #expect(response.usage?.completionTokens ?? 0 > 0)
            let info = try #require(answer.object?["switchyard"] as? [String: Any])
            let confidence = try #require(info["confidence"] as? [String: Double])
            #expect(confidence["mean_logprob"]! <= 0 && confidence["min_logprob"]! <= confidence["mean_logprob"]!)
            #expect(confidence["mean_entropy"]! >= 0)
            #expect((info["cpu_seconds"] as? Double ?? 0) > 0)
            #expect(abs((info["cost_usd"] as? Double ?? 0) - (info["cpu_seconds"] as? Double ?? 0) * 0.01) < 1e-9)

            #expect(stream.status == 200)
            #expect(stream.headers["content-type"] == "text/event-stream")
            #expect(stream.streamedText == text, "greedy stream and greedy answer agree")
            #expect(stream.events.last == "[DONE]")
            let usageChunk = try #require(stream.chunks.last)
            #expect(usageChunk.usage?.completionTokens == response.usage?.completionTokens)
            #expect(stream.eventObjects.last?["switchyard"] != nil, "the usage chunk carries the figures")
            #expect(stream.chunks.contains { $0.choices.first?.finishReason != nil })

            #expect(second.status == 200)
            #expect(!second.streamedText.isEmpty)
            #expect(second.chunks.allSatisfy { $0.usage == nil }, "no usage chunk unless asked")
            #expect(second.eventObjects.contains { $0["switchyard"] != nil }, "the finish chunk carries the figures")
            for part in stream.parts + second.parts {
                #expect(String(validating: part, as: UTF8.self) != nil, "a body part is not valid UTF-8")
            }
        }
        await runtime.shutdown()
    }

    @Test func reportsLogprobsAndTopLogprobs() async throws {
        let runtime = try WorkerTestSupport.runtime(slots: 1, queue: 1)
        let app = buildWorkerApplication(runtime: runtime, configuration: WorkerConfiguration(modelName: "smollm2", port: 0))
        try await withLiveServer(app) { port in
            let body = WorkerTestSupport.chat("Say hi.", maxTokens: 5, extra: ["logprobs": .bool(true), "top_logprobs": .number(2)])
            let answer = try await WorkerTestClient(port: port).send(.POST, "/v1/chat/completions", body: body)
            #expect(answer.status == 200)
            let choice = try #require((answer.object?["choices"] as? [[String: Any]])?.first)
            let content = try #require((choice["logprobs"] as? [String: Any])?["content"] as? [[String: Any]])
            #expect(!content.isEmpty)
            for entry in content {
                #expect((entry["logprob"] as? Double ?? 1) <= 0)
                #expect((entry["top_logprobs"] as? [[String: Any]])?.count == 2)
                #expect(entry["token"] is String && entry["bytes"] is [Int])
            }
        }
        await runtime.shutdown()
    }

    @Test func aFullQueueAnswers429WithRetryAfter() async throws {
        let runtime = try WorkerTestSupport.runtime(slots: 1, queue: 0)
        let app = buildWorkerApplication(runtime: runtime, configuration: WorkerConfiguration(modelName: "smollm2", port: 0))
        try await withLiveServer(app) { port in
            let client = WorkerTestClient(port: port)
            let busy = try await client.openStream(WorkerTestSupport.chat(WorkerTestSupport.longAnswerQuestion, maxTokens: 300, stream: true), untilEvents: 2)
            let refused = try await client.send(.POST, "/v1/chat/completions", body: WorkerTestSupport.chat("Hello"))
            #expect(refused.status == 429)
            #expect(Int(refused.headers["retry-after"] ?? "") ?? 0 >= 1)
            #expect(refused.text.contains("rate_limit_error"))
            busy.cancel()
            _ = try? await busy.value
        }
        await runtime.shutdown()
    }

    @Test func aClientThatDisconnectsFreesItsSlot() async throws {
        let runtime = try WorkerTestSupport.runtime(slots: 1, queue: 0)
        let app = buildWorkerApplication(runtime: runtime, configuration: WorkerConfiguration(modelName: "smollm2", port: 0))
        try await withLiveServer(app) { port in
            let client = WorkerTestClient(port: port)
            let stream = try await client.openStream(WorkerTestSupport.chat(WorkerTestSupport.longAnswerQuestion, maxTokens: 300, stream: true), untilEvents: 3)
            #expect(runtime.scheduler.statistics.activeSequences == 1)
            stream.cancel()
            _ = try? await stream.value
            #expect(try await WorkerTestSupport.eventually { runtime.scheduler.statistics.activeSequences == 0 })
            #expect(runtime.scheduler.statistics.generatedTokens < 300, "generation stopped early")
            let next = try await client.send(.POST, "/v1/chat/completions", body: WorkerTestSupport.chat("Hi", maxTokens: 3))
            #expect(next.status == 200)
        }
        await runtime.shutdown()
    }

    @Test func aPromptLongerThanTheContextAnswers400NamingTheLimit() async throws {
        let runtime = try WorkerTestSupport.runtime(slots: 1, queue: 0, context: 64)
        let app = buildWorkerApplication(runtime: runtime, configuration: WorkerConfiguration(modelName: "smollm2", port: 0))
        try await withLiveServer(app) { port in
            let long = String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 20)
            let answer = try await WorkerTestClient(port: port).send(.POST, "/v1/chat/completions", body: WorkerTestSupport.chat(long))
            #expect(answer.status == 400)
            #expect(answer.text.contains("64 tokens"), "body: \(answer.text)")
        }
        await runtime.shutdown()
    }

    @Test func listsItsModelAndReportsHealth() async throws {
        let runtime = try WorkerTestSupport.runtime(slots: 3, queue: 5)
        let app = buildWorkerApplication(runtime: runtime, configuration: WorkerConfiguration(modelName: "smollm2", port: 0))
        try await withLiveServer(app) { port in
            let client = WorkerTestClient(port: port)
            let models = try JSONDecoder().decode(ModelList.self, from: Data(try await client.send(.GET, "/v1/models").body))
            #expect(models.data.map(\.id) == ["smollm2"])
            let health = try await client.send(.GET, "/healthz")
            #expect(health.status == 200)
            #expect(health.object?["slots"] as? Int == 3)
            #expect(health.object?["queue_capacity"] as? Int == 5)
        }
        await runtime.shutdown()
    }
}
