import AsyncHTTPClient
import Foundation
import GatewayServer
import GatewayTesting
import Providers
import SLMCore
import SwitchyardTypes
import Testing

/// End to end on real sockets: the gateway (`buildApplication`, real PostgreSQL) answering with the
/// in-process model (`kind: local`) and with a `switchyard worker` process (`kind: worker`).
///
/// Answers are greedy and short (a handful of tokens) and timeouts generous, so the suite holds on a
/// loaded two-core machine; nothing here asserts a speed.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct LocalGatewayTests {
    static let question = "What is the capital of France?"
    static let pricePerCPUSecond = 0.001

    @Test func concurrentChatsReachTheInProcessModelAndAWorkerProcessAndLeaveRows() async throws {
        let runtime = try WorkerTestSupport.runtime(slots: 2, queue: 4)
        let worker = try await WorkerProcess(slots: 2, queue: 4, pricePerCPUSecond: 0.5)
        let providers: [String: any ChatProvider] = [
            "smollm2-local": LocalSLMProvider(runtime: runtime, modelName: "smollm2-local", pricePerCPUSecond: Self.pricePerCPUSecond),
            "smollm2-worker": WorkerProvider(urls: [worker.url], modelName: "smollm2", pricePerCPUSecond: Self.pricePerCPUSecond,
                                             client: HTTPClient.shared, timeout: .seconds(120)),
        ]
        do {
            try await PostgresHarness.withFreshDatabase { database in
                try await LocalGatewayHarness.run(database, providers: providers) { port, key in
                    let client = WorkerTestClient(port: port)
                    async let localWhole = client.send(.POST, "/v1/chat/completions",
                                                       body: WorkerTestSupport.chat(Self.question, model: "smollm2-local"), bearer: key)
                    async let localStream = client.send(.POST, "/v1/chat/completions",
                                                        body: WorkerTestSupport.chat(Self.question, model: "smollm2-local", stream: true), bearer: key)
                    async let workerWhole = client.send(.POST, "/v1/chat/completions",
                                                        body: WorkerTestSupport.chat(Self.question, model: "smollm2-worker"), bearer: key)
                    async let workerStream = client.send(.POST, "/v1/chat/completions",
                                                         body: WorkerTestSupport.chat(Self.question, model: "smollm2-worker", stream: true,
                                                                                      includeUsage: true), bearer: key)
                    let answers = try await [localWhole, localStream, workerWhole, workerStream]
                    for answer in answers { #expect(answer.status == 200, "body: \(answer.text)") }

                    let wholeTexts = try [answers[0], answers[2]].map { try Self.checkedWholeAnswer($0) }
                    let streamedTexts = try [answers[1], answers[3]].map { try Self.checkedStream($0) }
                    #expect(wholeTexts == streamedTexts, "greedy answers agree whole and streamed, in-process and in the worker")
                    #expect(wholeTexts[0] == wholeTexts[1])
                    #expect(answers[3].chunks.last?.usage?.completionTokens ?? 0 > 0, "the worker stream ends with usage when asked")
                    #expect(answers[1].chunks.allSatisfy { $0.usage == nil }, "no usage chunk unless asked")
                }
                let rows = try await LocalGatewayHarness.rows(database)
                #expect(rows.count == 4)
                #expect(rows.map(\.servedModel).sorted { ($0 ?? "") < ($1 ?? "") }
                        == ["smollm2-local", "smollm2-local", "smollm2-worker", "smollm2-worker"])
                #expect(rows.filter(\.stream).count == 2)
                for row in rows {
                    let label = "\(row.servedModel ?? "?") stream=\(row.stream)"
                    #expect(row.status == 200, "\(label)")
                    #expect(row.provider == (row.servedModel == "smollm2-local" ? "local" : "worker"), "\(label)")
                    #expect(row.inputTokens > 10 && row.outputTokens > 0, "\(label): \(row.inputTokens) in, \(row.outputTokens) out")
                    #expect(row.latencyMS > 0, "\(label)")
                    let ttft = try #require(row.ttftMS, "\(label): no time to first token")
                    #expect(ttft > 0 && ttft <= row.latencyMS, "\(label): ttft \(ttft) ms, latency \(row.latencyMS) ms")
                    let cost = try #require(row.costUSD, "\(label): no cost")
                    #expect(cost > 0, "\(label): CPU time is never free")
                    // At 0.001 USD per CPU-second an answer of a few tokens costs well under a cent; a cost at the
                    // worker's own price (0.5) would not.
                    #expect(cost < 0.05, "\(label): cost \(cost) is not priced at the gateway's price")
                    let mean = try #require(row.meanLogprob, "\(label): no confidence")
                    #expect(mean <= 0 && (row.minLogprob ?? 1) <= mean, "\(label)")
                    #expect((row.meanEntropy ?? -1) >= 0, "\(label)")
                }
            }
        } catch {
            Issue.record("worker output: \(worker.printed)")
            await worker.stop()
            await runtime.shutdown()
            throw error
        }
        #expect(await worker.stop() == 0, "the worker exits cleanly on SIGTERM")
        await runtime.shutdown()
    }

    @Test func aFullQueueAnswers429WithRetryAfterAndADisconnectFreesTheSlot() async throws {
        let runtime = try WorkerTestSupport.runtime(slots: 1, queue: 0)
        let providers: [String: any ChatProvider] = [
            "smollm2-local": LocalSLMProvider(runtime: runtime, modelName: "smollm2-local", pricePerCPUSecond: Self.pricePerCPUSecond),
        ]
        try await PostgresHarness.withFreshDatabase { database in
            try await LocalGatewayHarness.run(database, providers: providers) { port, key in
                let client = WorkerTestClient(port: port)
                let busy = try await client.openStream(
                    WorkerTestSupport.chat(WorkerTestSupport.longAnswerQuestion, model: "smollm2-local", maxTokens: 400, stream: true),
                    bearer: key, untilEvents: 2)
                #expect(runtime.scheduler.statistics.activeSequences == 1)
                let refused = try await client.send(.POST, "/v1/chat/completions",
                                                    body: WorkerTestSupport.chat("Hello", model: "smollm2-local"), bearer: key)
                #expect(refused.status == 429, "body: \(refused.text)")
                #expect(Int(refused.headers["retry-after"] ?? "") ?? 0 >= 1, "headers: \(refused.headers)")
                let refusedStream = try await client.send(.POST, "/v1/chat/completions",
                                                          body: WorkerTestSupport.chat("Hello", model: "smollm2-local", stream: true), bearer: key)
                #expect(refusedStream.status == 429, "a stream is refused before it starts: \(refusedStream.text)")

                busy.cancel()
                _ = try? await busy.value
                #expect(try await WorkerTestSupport.eventually(within: 60) { runtime.scheduler.statistics.activeSequences == 0 },
                        "the disconnected stream's slot is freed")
                #expect(runtime.scheduler.statistics.generatedTokens < 400, "generation stopped when the client left")
                let next = try await client.send(.POST, "/v1/chat/completions",
                                                 body: WorkerTestSupport.chat("Hi", model: "smollm2-local", maxTokens: 3), bearer: key)
                #expect(next.status == 200, "body: \(next.text)")
            }
            let rows = try await LocalGatewayHarness.rows(database)
            #expect(rows.filter { $0.status == 429 }.count == 2, "statuses: \(rows.map(\.status))")
            #expect(rows.contains { $0.status == 200 && !$0.stream && $0.outputTokens > 0 })
        }
        await runtime.shutdown()
    }

    // MARK: Checks shared by the answers

    /// The text of a whole answer, after checking its `switchyard` figures.
    static func checkedWholeAnswer(_ answer: WorkerAnswer) throws -> String {
        let response = try JSONDecoder().decode(ChatCompletionResponse.self, from: Data(answer.body))
        let text = try #require(response.choices.first?.message.content?.text)
        #expect(text.contains { $0.isLetter }, "answer was: \(text)")
        #expect(response.usage?.completionTokens ?? 0 > 0)
        let figures = try #require(response.switchyard, "no switchyard member in \(answer.text)")
        try checkFigures(figures)
        #expect(answer.headers["x-switchyard-cost-usd"] != nil, "a whole answer's cost header")
        return text
    }

    /// The text of a streamed answer, after checking every body part is whole UTF-8 and the last chunks carry the figures.
    static func checkedStream(_ answer: WorkerAnswer) throws -> String {
        #expect(answer.headers["content-type"] == "text/event-stream")
        #expect(answer.events.last == "[DONE]")
        for part in answer.parts { #expect(String(validating: part, as: UTF8.self) != nil, "a body part is not valid UTF-8") }
        #expect(answer.chunks.first?.choices.first?.delta.role == "assistant")
        let finish = try #require(answer.chunks.last { $0.choices.first?.finishReason != nil }, "no finish chunk")
        try checkFigures(try #require(finish.switchyard, "the finish chunk carries no switchyard member"))
        return answer.streamedText
    }

    /// Confidence in range and a CPU-time cost at the gateway's price.
    static func checkFigures(_ figures: SwitchyardExtension) throws {
        let confidence = try #require(figures.confidence)
        #expect(confidence.meanLogprob <= 0 && confidence.minLogprob <= confidence.meanLogprob)
        #expect(confidence.meanEntropy >= 0)
        let cpu = try #require(figures.cpuSeconds)
        #expect(cpu > 0)
        #expect(abs((figures.costUSD ?? -1) - cpu * pricePerCPUSecond) < 1e-12, "cost is CPU time at the gateway's price")
    }
}
