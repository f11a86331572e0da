import Synchronization

/// The fake upstream's script and its log of received requests, shared by its handlers.
final class FakeUpstreamState: Sendable {
    private struct Inner {
        var script: [FakeUpstreamBehavior] = []
        var fallback: FakeUpstreamBehavior
        var latency: Duration = .zero
        var chunkDelay: Duration = .zero
        var received: [FakeUpstreamRequest] = []
    }
    private let inner: Mutex<Inner>

    init(fallback: FakeUpstreamBehavior) { inner = Mutex(Inner(fallback: fallback)) }

    /// Records a request and returns what to do with it, with the delays to apply.
    func next(for request: FakeUpstreamRequest) -> (FakeUpstreamBehavior, latency: Duration, chunkDelay: Duration) {
        inner.withLock { inner in
            inner.received.append(request)
            let behavior = inner.script.isEmpty ? inner.fallback : inner.script.removeFirst()
            return (behavior, inner.latency, inner.chunkDelay)
        }
    }

    func enqueue(_ behaviors: [FakeUpstreamBehavior]) { inner.withLock { $0.script.append(contentsOf: behaviors) } }
    func setFallback(_ behavior: FakeUpstreamBehavior) { inner.withLock { $0.fallback = behavior } }
    func setLatency(_ latency: Duration) { inner.withLock { $0.latency = latency } }
    func setChunkDelay(_ delay: Duration) { inner.withLock { $0.chunkDelay = delay } }
    var received: [FakeUpstreamRequest] { inner.withLock { $0.received } }
    func reset() { inner.withLock { $0.received.removeAll(); $0.script.removeAll() } }
}
