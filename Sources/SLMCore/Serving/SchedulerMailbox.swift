import Dispatch
import Synchronization

/// A request waiting for a slot.
struct PendingSequence: Sendable {
    let id: UInt64
    let request: SequenceRequest
    let continuation: SequenceEventStream.Continuation
    let submittedAt: ContinuousClock.Instant
}

/// What the scheduler's callers and its loop thread share: the admission queue, cancellations,
/// the stop flag and the load figures. Callers never wait on the loop; the loop sleeps on
/// `wakeUp` only when it has nothing to run.
final class SchedulerMailbox: Sendable {
    struct State {
        var queue: [PendingSequence] = []
        var cancelled: Set<UInt64> = []
        var stopping = false
        var nextID: UInt64 = 1
        var occupiedSlots = 0
        var finished = 0
        var generatedTokens = 0
        /// Moving average of how long a sequence holds a slot, for `Retry-After`.
        var meanSlotSeconds = 2.0
    }

    let slots: Int
    let queueCapacity: Int
    let state = Mutex(State())
    /// Signalled whenever there may be new work: a submission, a cancellation or a stop.
    let wakeUp = DispatchSemaphore(value: 0)
    /// Signalled once when the loop thread has finished.
    let exited = DispatchSemaphore(value: 0)

    init(slots: Int, queueCapacity: Int) {
        self.slots = slots
        self.queueCapacity = queueCapacity
    }

    // MARK: Callers

    /// Queues `request`, or refuses it when every slot and queue place is taken.
    func enqueue(_ request: SequenceRequest, continuation: SequenceEventStream.Continuation) throws(SchedulerError) -> UInt64 {
        let outcome: Result<UInt64, SchedulerError> = state.withLock { state in
            guard !state.stopping else { return .failure(.shutDown) }
            let waiting = max(0, state.occupiedSlots + state.queue.count - slots)
            guard waiting < queueCapacity || state.occupiedSlots + state.queue.count < slots else {
                let retryAfter = (state.meanSlotSeconds * Double(waiting + 1) / Double(slots)).rounded(.up)
                return .failure(.overloaded(queued: waiting, queueCapacity: queueCapacity,
                                            retryAfterSeconds: max(1, Int(retryAfter))))
            }
            let id = state.nextID
            state.nextID += 1
            state.queue.append(PendingSequence(id: id, request: request, continuation: continuation, submittedAt: .now))
            return .success(id)
        }
        let id = try outcome.get()
        wakeUp.signal()
        return id
    }

    /// Cancels sequence `id`: dropped from the queue at once, or freed from its slot before the next step.
    func cancel(_ id: UInt64) {
        let dropped: PendingSequence? = state.withLock { state in
            if let index = state.queue.firstIndex(where: { $0.id == id }) { return state.queue.remove(at: index) }
            state.cancelled.insert(id)
            return nil
        }
        dropped?.continuation.finish()
        wakeUp.signal()
    }

    /// Asks the loop to stop; it fails every open sequence with `.shutDown`.
    func stop() {
        state.withLock { $0.stopping = true }
        wakeUp.signal()
    }

    /// The current load.
    func statistics() -> SchedulerStatistics {
        state.withLock { state in
            SchedulerStatistics(slots: slots, activeSequences: state.occupiedSlots,
                                queuedRequests: state.queue.count, queueCapacity: queueCapacity,
                                finishedSequences: state.finished, generatedTokens: state.generatedTokens)
        }
    }

    // MARK: The loop

    /// Work for the next step: up to `freeSlots` queued requests, the ids cancelled since the last
    /// call, and whether to stop (then the whole queue is handed back to be failed).
    func takeWork(freeSlots: Int) -> (admitted: [PendingSequence], cancelled: Set<UInt64>, stopping: Bool) {
        state.withLock { state in
            let cancelled = state.cancelled
            state.cancelled.removeAll()
            if state.stopping {
                let all = state.queue
                state.queue.removeAll()
                return (all, cancelled, true)
            }
            let count = min(freeSlots, state.queue.count)
            let admitted = Array(state.queue.prefix(count))
            state.queue.removeFirst(count)
            state.occupiedSlots += count
            return (admitted, cancelled, false)
        }
    }

    /// Notes that a sequence left its slot after `slotSeconds`.
    func slotFreed(slotSeconds: Double) {
        state.withLock { state in
            state.occupiedSlots -= 1
            state.finished += 1
            state.meanSlotSeconds = 0.8 * state.meanSlotSeconds + 0.2 * slotSeconds
        }
    }

    /// Notes the answer tokens one step generated.
    func stepGenerated(_ tokens: Int) {
        guard tokens > 0 else { return }
        state.withLock { $0.generatedTokens += tokens }
    }
}
