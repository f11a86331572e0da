import Foundation
import Testing
@testable import SLMCore

/// The scheduler against the real test model: batching, cancellation, backpressure, limits.
@Suite(.serialized)
struct SchedulerTests {
    static let questions = [
        "What is the capital of France?",
        "Write a haiku about the sea.",
        "Name three primary colors.",
    ]

    /// With either KV cache format (the slots' caches follow `cacheFormat`).
    @Test(arguments: KVCacheFormat.allCases)
    func concurrentSequencesGiveTheSameGreedyTextAsEachAlone(cacheFormat: KVCacheFormat) async throws {
        let (model, tokenizer, _) = try SchedulerFixture.parts()
        let prompts = try Self.questions.map(SchedulerFixture.prompt)
        let sampling = SchedulerFixture.greedy(maxTokens: 12)

        let alone = ModelScheduler(model: model, tokenizer: tokenizer,
                                   configuration: .init(slots: 1, contextLength: 256, cacheFormat: cacheFormat))
        var expected: [SchedulerFixture.Outcome] = []
        for prompt in prompts {
            expected.append(try await SchedulerFixture.collect(try alone.submit(SequenceRequest(promptTokens: prompt, sampling: sampling))))
        }
        await alone.shutdown()

        // Two slots for three requests: one waits in the queue and joins when a slot frees.
        let together = ModelScheduler(model: model, tokenizer: tokenizer,
                                      configuration: .init(slots: 2, contextLength: 256, prefillChunk: 16, cacheFormat: cacheFormat))
        let streams = try prompts.map { try together.submit(SequenceRequest(promptTokens: $0, sampling: sampling)) }
        let outcomes = try await SchedulerFixture.collectAll(streams)
        await together.shutdown()

        #expect(outcomes.count == prompts.count)
        for (single, batched) in zip(expected, outcomes) {
            #expect(!single.ids.isEmpty)
            #expect(batched.ids == single.ids)
            #expect(batched.text == single.text)
            #expect(batched.summary?.finishReason == single.summary?.finishReason)
        }
        for single in expected { #expect(single.text.contains { $0.isLetter }, "answer was: \(single.text)") }
    }

    /// Seeded sampling (temperature, top-p, logprobs): the batched steps sample their rows on both
    /// pool threads at once, each with its own sequence's sampler, and must draw what each
    /// sequence draws alone.
    @Test func concurrentSampledSequencesDrawWhatEachDrawsAlone() async throws {
        let (model, tokenizer, _) = try SchedulerFixture.parts()
        let prompts = try Self.questions.map(SchedulerFixture.prompt)
        let requests = prompts.enumerated().map { index, prompt in
            var sampling = SamplingParameters()
            sampling.temperature = 0.9
            sampling.topP = 0.95
            sampling.topLogprobs = 2
            sampling.seed = UInt64(100 + index)
            sampling.maxTokens = 16
            return SequenceRequest(promptTokens: prompt, sampling: sampling, reportsLogprobs: true)
        }

        let alone = ModelScheduler(model: model, tokenizer: tokenizer, configuration: .init(slots: 1, contextLength: 256))
        var expected: [SchedulerFixture.Outcome] = []
        for request in requests { expected.append(try await SchedulerFixture.collect(try alone.submit(request))) }
        await alone.shutdown()

        let together = ModelScheduler(model: model, tokenizer: tokenizer, configuration: .init(slots: 3, contextLength: 256))
        let streams = try requests.map { try together.submit($0) }
        let outcomes = try await SchedulerFixture.collectAll(streams)
        await together.shutdown()

        #expect(outcomes.count == requests.count)
        for (single, batched) in zip(expected, outcomes) {
            #expect(single.ids.count >= 2)
            #expect(batched.ids == single.ids)
            #expect(batched.tokens.map(\.logprob) == single.tokens.map(\.logprob))
            #expect(batched.tokens.map { $0.topLogprobs.map(\.id) } == single.tokens.map { $0.topLogprobs.map(\.id) })
        }
        #expect(Set(expected.map(\.ids)).count == expected.count, "different prompts and seeds draw different answers")
    }

    /// A request that does not stop at end of turn streams that token like any other and runs to
    /// its token limit: answers of a fixed length, as `switchyard bench` needs.
    @Test func aRequestThatIgnoresEndOfTurnRunsToItsTokenLimit() async throws {
        let (model, tokenizer, _) = try SchedulerFixture.parts()
        let prompt = try SchedulerFixture.prompt("Name three primary colors.")
        let scheduler = ModelScheduler(model: model, tokenizer: tokenizer, configuration: .init(slots: 1, contextLength: 256))
        let stopping = try await SchedulerFixture.collect(
            try scheduler.submit(SequenceRequest(promptTokens: prompt, sampling: SchedulerFixture.greedy(maxTokens: 120))))
        #expect(stopping.summary?.finishReason == .endOfGeneration, "the short answer ends with end of turn")
        let ignoring = try await SchedulerFixture.collect(try scheduler.submit(
            SequenceRequest(promptTokens: prompt, sampling: SchedulerFixture.greedy(maxTokens: 120), stopsAtEndOfGeneration: false)))
        await scheduler.shutdown()

        #expect(ignoring.ids.count == 120)
        #expect(ignoring.summary?.finishReason == .maxTokens)
        #expect(Array(ignoring.ids.prefix(stopping.ids.count)) == stopping.ids, "the same answer up to end of turn")
        if ignoring.ids.count > stopping.ids.count {
            #expect(tokenizer.isEndOfGeneration(ignoring.ids[stopping.ids.count]), "then the end-of-turn token itself")
        }
    }

    @Test func streamedTextIsTheDecodedTokensWholeCharactersOnly() async throws {
        let (model, tokenizer, _) = try SchedulerFixture.parts()
        let scheduler = ModelScheduler(model: model, tokenizer: tokenizer, configuration: .init(slots: 1, contextLength: 256))
        let prompt = try SchedulerFixture.prompt("Reply with three emoji and the word café.")
        let outcome = try await SchedulerFixture.collect(
            try scheduler.submit(SequenceRequest(promptTokens: prompt, sampling: SchedulerFixture.greedy(maxTokens: 24))))
        await scheduler.shutdown()
        #expect(outcome.text == tokenizer.decode(outcome.ids))
        for token in outcome.tokens {
            #expect(!token.text.contains("\u{FFFD}"), "token \(token.id) streamed a broken character")
        }
    }

    @Test func maxTokensEndsWithLengthAndCountsUsage() async throws {
        let (model, tokenizer, _) = try SchedulerFixture.parts()
        let scheduler = ModelScheduler(model: model, tokenizer: tokenizer, configuration: .init(slots: 2, contextLength: 256))
        let prompt = try SchedulerFixture.prompt("Tell me a long story about a dragon.")
        let outcome = try await SchedulerFixture.collect(
            try scheduler.submit(SequenceRequest(promptTokens: prompt, sampling: SchedulerFixture.greedy(maxTokens: 7))))
        await scheduler.shutdown()
        let summary = try #require(outcome.summary)
        #expect(summary.finishReason == .maxTokens)
        #expect(summary.completionTokens == 7)
        #expect(outcome.tokens.count == 7)
        #expect(summary.promptTokens == prompt.count)
        #expect(summary.cpuSeconds > 0)
        #expect(try #require(summary.timeToFirstTokenSeconds) <= summary.totalSeconds)
    }

    @Test func logprobsAndConfidenceDescribeTheGreedyChoice() async throws {
        let (model, tokenizer, _) = try SchedulerFixture.parts()
        let scheduler = ModelScheduler(model: model, tokenizer: tokenizer, configuration: .init(slots: 1, contextLength: 256))
        var sampling = SchedulerFixture.greedy(maxTokens: 12)
        sampling.topLogprobs = 3
        let request = SequenceRequest(promptTokens: try SchedulerFixture.prompt("Say hello."), sampling: sampling, reportsLogprobs: true)
        let outcome = try await SchedulerFixture.collect(try scheduler.submit(request))
        await scheduler.shutdown()
        #expect(!outcome.tokens.isEmpty)
        for token in outcome.tokens {
            let logprob = try #require(token.logprob)
            #expect(logprob <= 0)
            #expect(token.topLogprobs.count == 3)
            #expect(token.topLogprobs.first?.id == token.id, "greedy picks the most likely token")
            #expect(token.topLogprobs.map(\.logprob) == token.topLogprobs.map(\.logprob).sorted(by: >))
            #expect(abs(token.topLogprobs[0].logprob - logprob) < 1e-5)
        }
        let confidence = try #require(outcome.summary?.confidence)
        let summary = try #require(outcome.summary)
        // The end-of-turn token counts towards confidence but not towards usage.
        #expect(confidence.tokenCount == summary.completionTokens + (summary.finishReason == .endOfGeneration ? 1 : 0))
        #expect(confidence.meanLogprob <= 0)
        #expect(confidence.minLogprob <= confidence.meanLogprob)
        #expect(confidence.meanEntropy >= 0)
        let lowest = outcome.tokens.compactMap(\.logprob).min()!
        #expect(confidence.minLogprob <= lowest)
    }

    @Test func stopStringEndsTheAnswerBeforeIt() async throws {
        let (model, tokenizer, _) = try SchedulerFixture.parts()
        let scheduler = ModelScheduler(model: model, tokenizer: tokenizer, configuration: .init(slots: 1, contextLength: 256))
        let prompt = try SchedulerFixture.prompt("What is the capital of France?")
        let full = try await SchedulerFixture.collect(
            try scheduler.submit(SequenceRequest(promptTokens: prompt, sampling: SchedulerFixture.greedy(maxTokens: 20))))
        // The stop string is the answer's third word: whatever the model says, the answer ends before it.
        let words = full.text.split(separator: " ")
        try #require(words.count >= 3, "answer was: \(full.text)")
        let stop = " " + words[2]
        let range = try #require(full.text.range(of: stop))
        var sampling = SchedulerFixture.greedy(maxTokens: 20)
        sampling.stop = [stop]
        let stopped = try await SchedulerFixture.collect(try scheduler.submit(SequenceRequest(promptTokens: prompt, sampling: sampling)))
        await scheduler.shutdown()
        #expect(stopped.text == String(full.text[..<range.lowerBound]))
        #expect(stopped.summary?.finishReason == .stopSequence)
    }

    @Test func cancellingAStreamFreesItsSlotAtOnce() async throws {
        let (model, tokenizer, _) = try SchedulerFixture.parts()
        let scheduler = ModelScheduler(model: model, tokenizer: tokenizer,
                                       configuration: .init(slots: 1, contextLength: 512, queueCapacity: 0))
        let long = SequenceRequest(promptTokens: try SchedulerFixture.prompt(SchedulerFixture.longAnswerQuestion),
                                     sampling: SchedulerFixture.greedy(maxTokens: 400))
        let reader = Task {
            var seen = 0
            for try await event in try scheduler.submit(long) {
                if case .token = event { seen += 1 }
                if seen == 3 { break }  // leaving the loop drops the stream
            }
            return seen
        }
        #expect(try await reader.value == 3)
        #expect(try await SchedulerFixture.eventually { scheduler.statistics.activeSequences == 0 })
        // The slot is free for the next request, which a queue of size 0 admits only then.
        let next = try await SchedulerFixture.collect(
            try scheduler.submit(SequenceRequest(promptTokens: try SchedulerFixture.prompt("Hi"), sampling: SchedulerFixture.greedy(maxTokens: 3))))
        #expect(next.tokens.count > 0)
        #expect(scheduler.statistics.generatedTokens < 400)

        // Cancelling the task that reads a stream does the same.
        let before = scheduler.statistics.generatedTokens
        let task = Task { try await SchedulerFixture.collect(try scheduler.submit(long)) }
        #expect(try await SchedulerFixture.eventually(within: 120) { scheduler.statistics.generatedTokens >= before + 3 })
        task.cancel()
        _ = try? await task.value
        #expect(try await SchedulerFixture.eventually { scheduler.statistics.activeSequences == 0 })
        #expect(scheduler.statistics.generatedTokens < before + 400)
        await scheduler.shutdown()
    }

    @Test func aFullQueueRefusesWithARetryAfter() async throws {
        let (model, tokenizer, _) = try SchedulerFixture.parts()
        let scheduler = ModelScheduler(model: model, tokenizer: tokenizer,
                                       configuration: .init(slots: 1, contextLength: 512, queueCapacity: 1))
        let long = SequenceRequest(promptTokens: try SchedulerFixture.prompt(SchedulerFixture.longAnswerQuestion),
                                     sampling: SchedulerFixture.greedy(maxTokens: 300))
        let running = try scheduler.submit(long)
        let waiting = try scheduler.submit(long)
        #expect(throws: SchedulerError.self) { _ = try scheduler.submit(long) }
        do {
            _ = try scheduler.submit(long)
            Issue.record("a third request was admitted past one slot and one queue place")
        } catch {
            guard case let .overloaded(queued, capacity, retryAfter) = error else {
                Issue.record("expected overloaded, got \(error)")
                return
            }
            #expect(queued == 1)
            #expect(capacity == 1)
            #expect(retryAfter >= 1)
        }
        #expect(scheduler.statistics.queuedRequests + scheduler.statistics.activeSequences == 2)
        _ = (running, waiting)
        await scheduler.shutdown()
    }

    @Test func aPromptLongerThanTheContextNamesTheLimit() async throws {
        let (model, tokenizer, _) = try SchedulerFixture.parts()
        let scheduler = ModelScheduler(model: model, tokenizer: tokenizer, configuration: .init(slots: 1, contextLength: 64))
        let prompt = try SchedulerFixture.prompt(String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 10))
        #expect(prompt.count > 64)
        #expect(throws: SchedulerError.promptTooLong(promptTokens: prompt.count, contextLength: 64)) {
            _ = try scheduler.submit(SequenceRequest(promptTokens: prompt))
        }
        let message = SchedulerError.promptTooLong(promptTokens: prompt.count, contextLength: 64).description
        #expect(message.contains("64") && message.contains("\(prompt.count)"))
        await scheduler.shutdown()
    }

    @Test func aLongPromptIsReadInChunksWhileRunningStreamsKeepGoing() async throws {
        let (model, tokenizer, _) = try SchedulerFixture.parts()
        let scheduler = ModelScheduler(model: model, tokenizer: tokenizer,
                                       configuration: .init(slots: 2, contextLength: 512, prefillChunk: 16))
        // A long, confident answer (the numbers one by one), so the stream outlasts the long prompt's reading.
        let running = try scheduler.submit(SequenceRequest(
            promptTokens: try SchedulerFixture.prompt(SchedulerFixture.longAnswerQuestion), sampling: SchedulerFixture.greedy(maxTokens: 200)))
        var iterator = running.makeAsyncIterator()
        for _ in 0..<3 { _ = try await iterator.next() }  // the stream is decoding

        let longPrompt = try SchedulerFixture.prompt(String(repeating: "Rivers flow to the sea and the sea feeds the clouds. ", count: 12))
        #expect(longPrompt.count > 128)
        let late = try scheduler.submit(SequenceRequest(promptTokens: longPrompt, sampling: SchedulerFixture.greedy(maxTokens: 1)))
        let lateFirstToken = Task { () -> ContinuousClock.Instant? in
            for try await event in late { if case .token = event { return .now } }
            return nil
        }
        // Tokens of the running stream that arrive before the long prompt's first token.
        var interleaved = 0
        while let event = try await iterator.next() {
            guard case .token = event else { break }
            interleaved += 1
            if interleaved >= 60 { break }
        }
        let arrivedAt = try await lateFirstToken.value
        #expect(arrivedAt != nil)
        // 128+ prompt tokens at 16 per step take 8+ steps, each also decoding the running stream.
        #expect(interleaved >= longPrompt.count / 16 - 1)
        await scheduler.shutdown()
    }
}
