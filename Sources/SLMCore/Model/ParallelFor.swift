import Dispatch

/// Splits numeric work over Dispatch's worker threads (a stand-in until the shared thread pool is wired in).
enum ParallelFor {
    /// Runs `body(part)` for every part in `0..<parts` concurrently and returns when all have run.
    /// Each part must write only memory that no other part touches.
    static func run(parts: Int, _ body: (Int) -> Void) {
        if parts <= 1 {
            for part in 0..<max(parts, 0) { body(part) }
            return
        }
        withoutActuallyEscaping(body) { escapable in
            let work = PartBody(body: escapable)
            DispatchQueue.concurrentPerform(iterations: parts) { work.body($0) }
        }
    }
}

/// A part body handed to Dispatch's threads.
private struct PartBody: @unchecked Sendable {
    // Safe because `concurrentPerform` returns only after every call has finished, so the body
    // never outlives the caller's frame, and parts write disjoint memory by contract.
    let body: (Int) -> Void
}
