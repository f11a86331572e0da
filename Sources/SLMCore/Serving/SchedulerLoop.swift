/// The scheduler's loop, run on its own thread: admits queued sequences into free slots between
/// steps, and in each step advances every decoding sequence by one token while reading at most
/// `prefillChunk` prompt tokens (round robin over the sequences still reading their prompt).
/// With `batchedDecode` (the default) the decoding sequences share one `LlamaBatchStep`, so the
/// weights are read once per step for all of them; otherwise each runs its own forward call.
///
/// Only this thread touches the sessions; callers reach it through the `SchedulerMailbox`.
final class SchedulerLoop {
    /// One slot: a session with its own KV cache, and the sequence it runs (if any).
    struct Slot {
        let session: LlamaSession
        var sequence: ActiveSequence?
    }

    private let mailbox: SchedulerMailbox
    private let tokenizer: any Tokenizer
    private let vocabularySize: Int
    private let configuration: SchedulerConfiguration
    private var slots: [Slot]
    /// The decode step shared by every slot.
    private let batchStep: LlamaBatchStep
    /// Which prompt-reading slot goes first in the next step.
    private var prefillRotation = 0
    /// Answer tokens generated in the current step.
    private var generatedThisStep = 0

    init(model: LlamaModel, tokenizer: any Tokenizer, configuration: SchedulerConfiguration, mailbox: SchedulerMailbox) {
        self.mailbox = mailbox
        self.tokenizer = tokenizer
        self.configuration = configuration
        vocabularySize = model.hyper.vocabularySize
        batchStep = LlamaBatchStep(model: model, maxSequences: configuration.slots, path: configuration.computePath,
                                   threads: configuration.threads)
        slots = (0..<configuration.slots).map { _ in
            Slot(session: model.makeSession(maxContext: configuration.contextLength, maxBatch: configuration.prefillChunk,
                                            path: configuration.computePath, threads: configuration.threads,
                                            cacheBacking: configuration.cacheBacking, cacheFormat: configuration.cacheFormat))
        }
    }

    /// Runs until the mailbox says stop, then fails every open sequence with `.shutDown`.
    func run() {
        defer { mailbox.exited.signal() }
        while true {
            let free = slots.indices.filter { slots[$0].sequence == nil }
            let work = mailbox.takeWork(freeSlots: free.count)
            for index in slots.indices {
                if let id = slots[index].sequence?.id, work.cancelled.contains(id) { release(index) }
            }
            if work.stopping {
                for pending in work.admitted { pending.continuation.finish(throwing: SchedulerError.shutDown) }
                for index in slots.indices where slots[index].sequence != nil {
                    fail(index, .shutDown)
                }
                return
            }
            for (pending, index) in zip(work.admitted, free) { admit(pending, into: index) }
            if slots.allSatisfy({ $0.sequence == nil }) {
                mailbox.wakeUp.wait()
                continue
            }
            step()
        }
    }

    // MARK: Admission and release

    private func admit(_ pending: PendingSequence, into index: Int) {
        do {
            slots[index].sequence = try ActiveSequence(pending, tokenizer: tokenizer, vocabularySize: vocabularySize,
                                                       contextLength: slots[index].session.maxContext)
            slots[index].session.reset()
        } catch {
            mailbox.slotFreed(slotSeconds: 0)
            pending.continuation.finish(throwing: SchedulerError.invalidSampling(error))
        }
    }

    /// Frees slot `index` at once and returns the sequence it held, whose stream the caller ends
    /// (or whose consumer went away). The slot is counted free before the stream ends, so a caller
    /// that submits again as soon as its answer ended finds the place it just left.
    @discardableResult
    private func release(_ index: Int) -> ActiveSequence? {
        guard let sequence = slots[index].sequence else { return nil }
        slots[index].sequence = nil
        mailbox.slotFreed(slotSeconds: (ContinuousClock.now - sequence.admittedAt).inSeconds)
        return sequence
    }

    /// Frees slot `index`, then fails its stream with `error`.
    private func fail(_ index: Int, _ error: SchedulerError) {
        release(index)?.continuation.finish(throwing: error)
    }

    // MARK: One step

    private func step() {
        generatedThisStep = 0
        defer { mailbox.stepGenerated(generatedThisStep) }
        var prefillBudget = configuration.prefillChunk
        var decoding: [Int] = []
        let count = slots.count
        for offset in 0..<count {
            let index = (prefillRotation + offset) % count
            guard let sequence = slots[index].sequence else { continue }
            if sequence.isReadingPrompt {
                guard prefillBudget > 0 else { continue }
                let take = min(prefillBudget, sequence.request.promptTokens.count - sequence.promptRead)
                prefillBudget -= take
                readPrompt(index, count: take)
            } else {
                decoding.append(index)
            }
        }
        prefillRotation = (prefillRotation + 1) % count
        if configuration.batchedDecode, decoding.count > 1 {
            decode(decoding.sorted())
        } else {
            for index in decoding.sorted() { decodeAlone(index) }
        }
    }

    /// Reads the next `count` prompt tokens of slot `index`; after the last, samples the first answer token.
    private func readPrompt(_ index: Int, count: Int) {
        guard let sequence = slots[index].sequence else { return }
        let start = sequence.promptRead
        let chunk = Array(sequence.request.promptTokens[start..<(start + count)])
        let isLast = start + count == sequence.request.promptTokens.count
        slots[index].sequence?.promptRead += count
        evaluate(index, chunk, sampleAfter: isLast)
    }

    /// Evaluates the last sampled token of slot `index` on its own session and samples the next.
    private func decodeAlone(_ index: Int) {
        guard let sequence = slots[index].sequence else { return }
        evaluate(index, [sequence.lastToken], sampleAfter: true)
    }

    /// Evaluates the last sampled token of every slot in `indices` in one batched step, samples
    /// each one's next token, and charges each an equal share of the step's CPU time.
    private func decode(_ indices: [Int]) {
        let sessions = indices.map { slots[$0].session }
        let tokens = indices.map { slots[$0].sequence?.lastToken ?? 0 }
        var chosen = [(SampledToken, [TokenLogprob])?](repeating: nil, count: indices.count)
        let cpuStart = CPUClock.processSeconds()
        do {
            // Each row's token is sampled by its own sequence's sampler, rows on both pool threads:
            // through buffer pointers, as the rows touch distinct slots and distinct results.
            try slots.withUnsafeMutableBufferPointer { slots throws(ModelError) in
                try chosen.withUnsafeMutableBufferPointer { chosen throws(ModelError) in
                    try batchStep.evaluate(sessions, tokens: tokens, concurrentRows: true) { row, logits in
                        // The step's logits rows are its own mutable scratch; the sampler restores them.
                        let scratch = UnsafeMutableBufferPointer(mutating: logits)
                        let index = indices[row]
                        guard let token = slots[index].sequence?.sampler.sample(scratch) else { return }
                        chosen[row] = (token, slots[index].sequence?.sampler.topLogprobs ?? [])
                    }
                }
            }
        } catch {
            for index in indices { fail(index, .model(error)) }
            return
        }
        let share = (CPUClock.processSeconds() - cpuStart) / Double(indices.count)
        for (row, index) in indices.enumerated() {
            slots[index].sequence?.cpuSeconds += share
            if let (token, top) = chosen[row] { accept(token, top: top, in: index) }
        }
    }

    /// Runs `tokens` through slot `index`'s session, charging the CPU time to its sequence, and
    /// samples from the logits after the last one when `sampleAfter`.
    private func evaluate(_ index: Int, _ tokens: [Int32], sampleAfter: Bool) {
        let session = slots[index].session
        var chosen: (SampledToken, [TokenLogprob])?
        let cpuStart = CPUClock.processSeconds()
        do {
            let wanted = sampleAfter ? (tokens.count - 1)..<tokens.count : 0..<0
            try session.evaluate(tokens, logitsFor: wanted) { _, logits in
                // The session's logits rows are its own mutable scratch; the sampler restores them.
                let scratch = UnsafeMutableBufferPointer(mutating: logits)
                guard let token = slots[index].sequence?.sampler.sample(scratch) else { return }
                chosen = (token, slots[index].sequence?.sampler.topLogprobs ?? [])
            }
        } catch {
            fail(index, .model(error))
            return
        }
        slots[index].sequence?.cpuSeconds += CPUClock.processSeconds() - cpuStart
        if let (token, top) = chosen { accept(token, top: top, in: index) }
    }

    // MARK: Tokens out

    /// Streams a sampled token and ends the sequence on end-of-turn, a stop string or the length limit.
    private func accept(_ token: SampledToken, top: [TokenLogprob], in index: Int) {
        guard var sequence = slots[index].sequence else { return }
        sequence.confidence.add(token)
        if sequence.firstTokenAt == nil { sequence.firstTokenAt = .now }
        let step = sequence.output.append(token.id)
        sequence.lastToken = token.id
        if sequence.request.stopsAtEndOfGeneration, tokenizer.isEndOfGeneration(token.id) {
            slots[index].sequence = sequence
            finish(index, step.finishReason ?? .endOfGeneration, trailingText: step.text)
            return
        }
        sequence.generated += 1
        generatedThisStep += 1
        slots[index].sequence = sequence
        let reportsLogprobs = sequence.request.reportsLogprobs
        let event = SequenceToken(
            text: step.text, id: token.id, bytes: tokenizer.decodeBytes([token.id]),
            logprob: reportsLogprobs ? token.logprob : nil,
            topLogprobs: top.map { TokenAlternative(id: $0.id, bytes: tokenizer.decodeBytes([$0.id], renderSpecial: true), logprob: $0.logprob) })
        if case .terminated = sequence.continuation.yield(.token(event)) {
            release(index)  // the consumer went away
            return
        }
        if let reason = step.finishReason { finish(index, reason, trailingText: "") }
    }

    private func finish(_ index: Int, _ reason: FinishReason, trailingText: String) {
        guard let sequence = release(index) else { return }
        sequence.continuation.yield(.finished(sequence.summary(reason, trailingText: trailingText)))
        sequence.continuation.finish()
    }
}
