import Foundation
import Testing
@testable import SLMCore

/// The test model with its tokenizer and chat template, and helpers to drive a scheduler.
enum SchedulerFixture {
    /// The SmolLM2 model, its tokenizer and its chat template.
    static func parts() throws -> (LlamaModel, any Tokenizer, ChatTemplate) {
        let model = try TestModel.shared()
        return (model, try TokenizerFactory.tokenizer(for: model.file), try ChatTemplate(gguf: model.file))
    }

    /// Prompt ids of a one-question chat.
    static func prompt(_ question: String) throws -> [Int32] {
        let (_, tokenizer, template) = try parts()
        return tokenizer.encode(template.render([.user(question)]), parseSpecial: true, addingBOS: true)
    }

    /// A question the test model answers at length (greedy: "1, 2, 3, ..." well past 80 tokens).
    static let longAnswerQuestion = "List the numbers from 1 to 100, separated by commas."

    /// Greedy sampling of at most `maxTokens` tokens.
    static func greedy(maxTokens: Int) -> SamplingParameters {
        var sampling = SamplingParameters.greedy
        sampling.maxTokens = maxTokens
        return sampling
    }

    /// Everything one stream yields.
    struct Outcome: Sendable {
        var tokens: [SequenceToken] = []
        var summary: SequenceSummary?
        var ids: [Int32] { tokens.map(\.id) }
        var text: String { tokens.map(\.text).joined() + (summary?.trailingText ?? "") }
    }

    /// Reads `stream` to its end.
    static func collect(_ stream: SequenceEventStream) async throws -> Outcome {
        var outcome = Outcome()
        for try await event in stream {
            switch event {
            case .token(let token): outcome.tokens.append(token)
            case .finished(let summary): outcome.summary = summary
            }
        }
        return outcome
    }

    /// Reads every stream to its end, concurrently; the outcomes in the streams' order.
    static func collectAll(_ streams: [SequenceEventStream]) async throws -> [Outcome] {
        try await withThrowingTaskGroup(of: (Int, Outcome).self) { group in
            for (index, stream) in streams.enumerated() {
                group.addTask { (index, try await collect(stream)) }
            }
            var results = [Outcome?](repeating: nil, count: streams.count)
            for try await (index, outcome) in group { results[index] = outcome }
            return results.compactMap { $0 }
        }
    }

    /// Polls `condition` every 10 ms for up to `seconds`; true when it held.
    static func eventually(within seconds: Double = 5, _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }
}
