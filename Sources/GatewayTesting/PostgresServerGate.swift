/// Keeps tests that stop the PostgreSQL server apart from tests that use it.
///
/// Tests using ``PostgresHarness/withFreshDatabase(migrate:exclusiveServer:filePath:_:)`` share the
/// server; a test that stops it asks for exclusive use and waits until the others are done
/// (and new ones wait for it). All test targets run in one process, so one gate covers them.
actor PostgresServerGate {
    static let shared = PostgresServerGate()

    private var sharedHolders = 0
    private var exclusiveHeld = false
    private var waitingExclusive: [CheckedContinuation<Void, Never>] = []
    private var waitingShared: [CheckedContinuation<Void, Never>] = []

    func acquireShared() async {
        if !exclusiveHeld && waitingExclusive.isEmpty {
            sharedHolders += 1
            return
        }
        await withCheckedContinuation { waitingShared.append($0) }
    }

    func releaseShared() {
        sharedHolders -= 1
        wakeNext()
    }

    func acquireExclusive() async {
        if !exclusiveHeld && sharedHolders == 0 {
            exclusiveHeld = true
            return
        }
        await withCheckedContinuation { waitingExclusive.append($0) }
    }

    func releaseExclusive() {
        exclusiveHeld = false
        wakeNext()
    }

    private func wakeNext() {
        guard !exclusiveHeld else { return }
        if sharedHolders == 0, !waitingExclusive.isEmpty {
            exclusiveHeld = true
            waitingExclusive.removeFirst().resume()
            return
        }
        if waitingExclusive.isEmpty {
            let waiting = waitingShared
            waitingShared = []
            sharedHolders += waiting.count
            for waiter in waiting { waiter.resume() }
        }
    }
}
