import Synchronization
import Testing
@testable import SLMCore

@Suite struct ThreadPoolTests {
    /// Counts how often each index ran.
    final class Tally: Sendable {
        let counts: Mutex<[Int]>
        init(_ n: Int) { counts = Mutex([Int](repeating: 0, count: n)) }
        func hit(_ i: Int) { counts.withLock { $0[i] += 1 } }
        var all: [Int] { counts.withLock { $0 } }
    }

    /// Five counters cheap enough to bump from a body without a lock.
    final class AtomicCounters: Sendable {
        static let count = 5
        private let c0 = Atomic<Int>(0), c1 = Atomic<Int>(0), c2 = Atomic<Int>(0), c3 = Atomic<Int>(0), c4 = Atomic<Int>(0)
        func add(at index: Int) {
            switch index {
            case 0: c0.add(1, ordering: .relaxed)
            case 1: c1.add(1, ordering: .relaxed)
            case 2: c2.add(1, ordering: .relaxed)
            case 3: c3.add(1, ordering: .relaxed)
            default: c4.add(1, ordering: .relaxed)
            }
        }
        func value(_ index: Int) -> Int {
            switch index {
            case 0: c0.load(ordering: .relaxed)
            case 1: c1.load(ordering: .relaxed)
            case 2: c2.load(ordering: .relaxed)
            case 3: c3.load(ordering: .relaxed)
            default: c4.load(ordering: .relaxed)
            }
        }
    }

    @Test(arguments: [(1, 1), (1, 7), (2, 1), (2, 2), (2, 1000), (4, 3), (4, 257)])
    func runsEveryIndexExactlyOnce(threads: Int, count: Int) {
        let pool = ThreadPool(threads: threads)
        #expect(pool.threadCount == threads)
        let tally = Tally(count)
        pool.parallelFor(count: count) { tally.hit($0) }
        #expect(tally.all == [Int](repeating: 1, count: count))
    }

    @Test func manyCallsInARowEachFinishBeforeReturning() {
        let pool = ThreadPool(threads: 3, spinMicroseconds: 20)
        let total = Atomic<Int>(0)
        for round in 1...2000 {
            pool.parallelFor(count: 5) { _ in total.add(1, ordering: .relaxed) }
            if total.load(ordering: .relaxed) != 5 * round { Issue.record("round \(round) returned early"); return }
        }
    }

    /// A worker still claiming from the last call when the next one starts with a larger count
    /// must not take an index of the new call: it would run twice, and could run after the call
    /// returned (which `parallelFor` traps on, its body having escaped).
    @Test func callsWithGrowingCountsRunEachIndexOnce() {
        let pool = ThreadPool(threads: 2)
        let runs = AtomicCounters()
        let calls = 400_000
        for call in 0..<calls {
            pool.parallelFor(count: 2 + call % 4) { index in runs.add(at: index) }
        }
        // Indices 0 and 1 run in every call, index i ≥ 2 in the calls whose count exceeds it.
        let expected = (0..<AtomicCounters.count).map { index in (0..<calls).filter { 2 + $0 % 4 > index }.count }
        #expect((0..<AtomicCounters.count).map(runs.value) == expected)
    }

    @Test func wakesParkedWorkers() async throws {
        let pool = ThreadPool(threads: 3, spinMicroseconds: 0)
        try await Task.sleep(for: .milliseconds(20))  // let the workers park
        let workers = Mutex<Set<String>>([])
        pool.parallelFor(count: 64) { _ in
            var spin = 0
            for i in 0..<20_000 { spin &+= i }  // enough work for the parked threads to join in
            if spin == -1 { print(spin) }
            let name = Thread.currentName
            workers.withLock { _ = $0.insert(name) }
        }
        #expect(workers.withLock { $0.count } >= 1)
        let tally = Tally(100)
        pool.parallelFor(count: 100) { tally.hit($0) }
        #expect(tally.all == [Int](repeating: 1, count: 100))
    }

    @Test func callersOnSeveralTasksAreServedOneAtATime() async {
        let pool = ThreadPool(threads: 2)
        let tallies = (0..<8).map { _ in Tally(50) }
        await withTaskGroup(of: Void.self) { group in
            for t in tallies { group.addTask { for _ in 0..<20 { pool.parallelFor(count: 50) { t.hit($0) } } } }
        }
        for t in tallies { #expect(t.all == [Int](repeating: 20, count: 50)) }
    }

    @Test func droppingAPoolStopsItsThreads() {
        for _ in 0..<20 {
            let pool = ThreadPool(threads: 3, spinMicroseconds: 10)
            pool.parallelFor(count: 3) { _ in }
        }
    }
}

import Foundation
extension Thread {
    /// The current thread's name, or "caller" for an unnamed one.
    static var currentName: String { Thread.current.name.flatMap { $0.isEmpty ? nil : $0 } ?? "caller" }
}
