import Foundation
import Synchronization

/// A pool of persistent threads for the numeric hot loops, separate from Swift concurrency's
/// executors and the NIO event loops.
///
/// `parallelFor` hands indices to the workers and the calling thread alike and returns when every
/// index has run. A worker that is slow to wake (descheduled on a busy machine) holds nothing up:
/// indices are claimed one at a time with a ticket tagged by the call's generation, so the caller
/// and whichever workers are running take them all, and a late worker finds nothing left (or the
/// next call's indices). Idle workers poll for `spinMicroseconds` (so the next call, a few
/// microseconds away in a forward pass, starts at once), yielding their core between polls after
/// the first few microseconds so that on a busy machine they do not starve the threads doing the
/// work, and then park on a condition variable. A call allocates nothing. Calls from several
/// threads are served one at a time; a body must not call `parallelFor` on the same pool.
///
/// ```swift
/// let pool = ThreadPool(threads: 2)
/// pool.parallelFor(count: chunks) { chunk in work(chunk) }
/// ```
public final class ThreadPool: @unchecked Sendable {
    // Safe because all state shared with the workers lives in `PoolState`, whose own comment
    // explains its synchronization; this class only forwards to it.

    /// Threads that run a `parallelFor`, the caller included.
    public let threadCount: Int
    private let state: PoolState

    /// Starts `threads − 1` workers (the caller of `parallelFor` is the last thread).
    /// - Parameters:
    ///   - threads: threads working on each call, at least 1.
    ///   - spinMicroseconds: how long an idle worker polls for new work before it parks.
    public init(threads: Int, spinMicroseconds: Int = 200) {
        threadCount = Swift.max(1, threads)
        state = PoolState(workers: threadCount - 1, spinNanoseconds: UInt64(Swift.max(0, spinMicroseconds)) * 1000)
        for index in 0..<(threadCount - 1) {
            let state = self.state
            let name = "slm-worker-\(index + 1)"
            let thread = Thread {
                ThreadName.setCurrent(name)
                state.workerLoop(slot: index + 1)
            }
            thread.name = name
            thread.start()
        }
    }

    deinit { state.stop() }

    /// Runs `body(i)` for every `i` in `0..<count`, spread over the pool's threads; returns when all have run.
    ///
    /// Indices are handed out one at a time in increasing order, so make each index a chunk of
    /// work (say, a block of rows) rather than a single element. Bodies run concurrently and must
    /// write only to memory no other index touches.
    public func parallelFor(count: Int, _ body: (Int) -> Void) {
        parallelFor(count: count) { index, _ in body(index) }
    }

    /// `parallelFor(count:_:)` that also tells each body which thread runs it: a slot in
    /// `0..<threadCount` (0 is the caller) that no other body of the same call runs on at the same
    /// time, so per-thread scratch can be indexed by it.
    public func parallelFor(count: Int, _ body: (_ index: Int, _ slot: Int) -> Void) {
        if count <= 0 { return }
        if threadCount == 1 || count == 1 {
            for index in 0..<count { body(index, 0) }
            return
        }
        state.dispatchLock.withLock { _ in
            withoutActuallyEscaping(body) { escapable in state.run(count: count, body: escapable) }
        }
    }
}

/// The state one pool shares with its workers.
final class PoolState: @unchecked Sendable {
    // Safe because `job` is written only by the dispatching thread (holding `dispatchLock`) and
    // read by a worker only after it claimed an index of the current call: a claim is a successful
    // compare-exchange on `ticket` (acquiring the dispatcher's release store made after writing
    // `job`), and the dispatcher does not write `job` again until every claimed index has counted
    // itself in `completed` (released by the claimer, acquired by the dispatcher). A claim can
    // only succeed on the current call's ticket: each call retires the previous ticket before it
    // writes its count (see `run`). Everything else is atomics or guarded by `mutex`.

    let workers: Int
    let spinNanoseconds: UInt64
    let dispatchLock = Mutex<Void>(())
    let generation = Atomic<Int>(0)
    /// The current call's generation tag (high bits) and next unclaimed index (low 32 bits).
    let ticket = Atomic<Int>(0)
    let jobCount = Atomic<Int>(0)
    let completed = Atomic<Int>(0)
    let sleepers = Atomic<Int>(0)
    let stopping = Atomic<Bool>(false)
    let running = Atomic<Int>(0)
    var job: ((Int, Int) -> Void)?
    let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    /// Polls (an atomic load each) before a waiting thread yields its core
    /// between polls: a few microseconds, the gap between two products of a forward pass.
    static let pollsBeforeYielding = 4096
    static let indexBits = 32
    static let indexMask = (1 << indexBits) - 1
    static let tagMask = (1 << 30) - 1
    let wakeUp = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init(workers: Int, spinNanoseconds: UInt64) {
        self.workers = workers
        self.spinNanoseconds = spinNanoseconds
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wakeUp, nil)
        running.store(workers, ordering: .relaxed)
    }

    deinit {
        pthread_cond_destroy(wakeUp)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        wakeUp.deallocate()
    }

    // MARK: Dispatching thread

    func run(count: Int, body: @escaping (Int, Int) -> Void) {
        precondition(count < Self.indexMask, "parallelFor count \(count) exceeds the ticket's index bits")
        let current = generation.load(ordering: .relaxed) &+ 1
        let tag = (current & Self.tagMask) << Self.indexBits
        // Retire the last call's ticket before changing the count: a worker still claiming from
        // that call (it read the old ticket, then this call's larger count) would otherwise win
        // its compare-exchange and run an index of this call twice, or after the call returned.
        ticket.store(tag | Self.indexMask, ordering: .sequentiallyConsistent)
        job = body
        jobCount.store(count, ordering: .releasing)
        completed.store(0, ordering: .relaxed)
        ticket.store(tag, ordering: .releasing)
        generation.store(current, ordering: .sequentiallyConsistent)
        if sleepers.load(ordering: .sequentiallyConsistent) > 0 { broadcast() }
        claimAndRun(generation: current, slot: 0)
        // Indices other threads claimed are still running: poll, and once that takes long (a
        // claimer was descheduled on a busy machine) give the core away between polls.
        var polls = 0
        while completed.load(ordering: .acquiring) < count {
            polls += 1
            if polls < Self.pollsBeforeYielding { relax() } else { sched_yield() }
        }
        job = nil
    }

    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        broadcast()
        while running.load(ordering: .acquiring) > 0 { usleep(50) }
    }

    private func broadcast() {
        pthread_mutex_lock(mutex)
        pthread_cond_broadcast(wakeUp)
        pthread_mutex_unlock(mutex)
    }

    // MARK: Workers

    func workerLoop(slot: Int) {
        var seen = 0
        while let current = waitForWork(after: seen) {
            seen = current
            claimAndRun(generation: current, slot: slot)
        }
        running.subtract(1, ordering: .releasing)
    }

    /// Claims indices of call `generation` one at a time and runs them, until none is left or a
    /// newer call has started (then the ticket's tag no longer matches and nothing is claimed).
    @inline(__always) private func claimAndRun(generation current: Int, slot: Int) {
        let tag = current & Self.tagMask
        while true {
            let seen = ticket.load(ordering: .acquiring)
            guard seen >> Self.indexBits == tag else { return }
            let index = seen & Self.indexMask
            // Acquiring: a count written by a newer call comes with that call's retiring of the
            // ticket, so the compare-exchange below fails.
            guard index < jobCount.load(ordering: .acquiring) else { return }
            guard ticket.compareExchange(expected: seen, desired: seen &+ 1, ordering: .acquiringAndReleasing).exchanged else {
                continue
            }
            job?(index, slot)
            completed.add(1, ordering: .releasing)
        }
    }

    /// The next generation after `seen`, or nil when the pool stops: spins, then parks.
    private func waitForWork(after seen: Int) -> Int? {
        let deadline = monotonicNanoseconds() + spinNanoseconds
        var polls = 0
        while true {
            let current = generation.load(ordering: .acquiring)
            if current != seen { return current }
            if stopping.load(ordering: .relaxed) { return nil }
            polls += 1
            if polls & 255 == 0, monotonicNanoseconds() > deadline { break }
            if polls < Self.pollsBeforeYielding { relax() } else { sched_yield() }
        }
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        sleepers.add(1, ordering: .sequentiallyConsistent)
        defer { sleepers.subtract(1, ordering: .sequentiallyConsistent) }
        while true {
            let current = generation.load(ordering: .sequentiallyConsistent)
            if current != seen { return current }
            if stopping.load(ordering: .sequentiallyConsistent) { return nil }
            pthread_cond_wait(wakeUp, mutex)
        }
    }

    /// One poll's pause: none. Under KVM, `pause` in a polling loop triggers pause-loop exits to
    /// the hypervisor; with it, two threads decoded at 23–34 tok/s against 55–64 tok/s without it
    /// (one thread: 70–76), measured back to back on the 2-vCPU development VM.
    @inline(__always) private func relax() {}

    private func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
