import Foundation
@testable import GatewayServer
import NIOCore
import SwitchyardTypes
import Testing

/// The local-serving benchmark's statistics, its reading of the event streams, and one small run of it.
struct WorkerThroughputBenchmarkTests {
    @Test(arguments: [
        ([3.0], 3.0, 3.0, 3.0),
        ([5.0, 1.0, 3.0], 3.0, 1.0, 5.0),
        ([4.0, 1.0, 3.0, 2.0], 2.5, 1.0, 4.0),
        ([], 0.0, 0.0, 0.0),
    ])
    func spreadGivesMedianLowAndHigh(values: [Double], median: Double, low: Double, high: Double) {
        let spread = LocalThroughputReport.Spread(values)
        #expect(spread == LocalThroughputReport.Spread(median: median, low: low, high: high))
    }

    @Test func eachRoundIsComparedWithTheAnchorRoundsAroundIt() {
        // core at 100, 50 and 80 tok/s at t = 0, 10 and 20 s; gateway rounds at t = 5, 15 and 25 s.
        let core = LocalThroughputReport.Leg(rounds: [
            .init(tokens: 100, seconds: 1, cpuSeconds: 2, startedAt: 0), .init(tokens: 100, seconds: 2, cpuSeconds: 4, startedAt: 10),
            .init(tokens: 80, seconds: 1, cpuSeconds: 3, startedAt: 20),
        ])
        let gateway = LocalThroughputReport.Leg(rounds: [
            .init(tokens: 60, seconds: 1, cpuSeconds: 2, startedAt: 5), .init(tokens: 65, seconds: 1, cpuSeconds: 2, startedAt: 15),
            .init(tokens: 40, seconds: 1, cpuSeconds: 2, startedAt: 25),
        ])
        var report = LocalThroughputReport(streams: 8, maxTokens: 64)
        report.core = core
        report.gateway = gateway
        let expected: [Double] = [0.8, 1.0, 0.5]
        #expect(report.gatewayRoundRatios == expected)
        let aggregate: Double = (165.0 / 3) / (280.0 / 4)
        #expect(abs(report.gatewayRatio - aggregate) < 1e-12)
        let cpuPerToken: Double = 9000.0 / 280
        #expect(core.cpuMillisecondsPerToken == cpuPerToken)
        #expect(core.rateSpread == LocalThroughputReport.Spread(median: 80, low: 50, high: 100))
        #expect(LocalThroughputReport.pairedRatios(gateway, LocalThroughputReport.Leg()).isEmpty)
    }

    @Test func readsTheAnswerAndUsageOfAnEventStream() throws {
        let body = ByteBuffer(string: """
            data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

            data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Caf\\u00e9 \\"x\\""},"finish_reason":null}]}

            data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"length"}]}

            data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}

            data: [DONE]


            """)
        #expect(try decodeEventStream(body) == BenchAnswer(tokens: 2, text: "Café \"x\""))
    }

    @Test(arguments: [
        "data: {\"id\":\"c\"}\n\ndata: [DONE]\n\n",
        "event: ping\n\n",
        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[]}\n\ndata: [DONE]\n\n",
    ])
    func refusesAStreamThatIsNotChunksEndingWithUsage(body: String) {
        #expect(throws: LocalBenchmarkError.self) { try decodeEventStream(ByteBuffer(string: body)) }
    }

    @Test(.timeLimit(.minutes(5)))
    func aSmallRunServesEverySideTheSameAnswers() async throws {
        let runtime = try WorkerTestSupport.runtime(slots: 2, queue: 2)
        let report = try await runLocalThroughputBenchmark(runtime: runtime, streams: 2, maxTokens: 4, rounds: 2, comparePerSequenceDecode: true)
        await runtime.shutdown()
        for leg in [report.core, report.gateway, report.worker, try #require(report.perSequenceDecode)] {
            #expect(leg.rounds.count == 2)
            #expect(leg.rounds.allSatisfy { $0.tokens == 2 * 4 && $0.seconds > 0 && $0.cpuSeconds > 0 })
        }
        #expect(report.gatewayRoundRatios.count == 2)
        #expect(report.gateway.cpuMillisecondsPerToken(of: "model") > 0)
        #expect(report.description.contains("ratio gateway/core: median of rounds"))
    }
}
