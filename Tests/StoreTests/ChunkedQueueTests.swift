import Testing
@testable import Store

@Suite struct ChunkedQueueTests {
    /// (chunk capacity, elements appended, taken from the front before the rest is taken)
    @Test(arguments: [(1, 0, 0), (1, 5, 2), (3, 10, 4), (4, 8, 8), (512, 1_300, 700), (7, 20, 25)])
    func keepsArrivalOrderAcrossChunks(chunkCapacity: Int, appended: Int, removedFirst: Int) {
        var queue = ChunkedQueue<Int>(chunkCapacity: chunkCapacity)
        for value in 0..<appended { queue.append(value) }
        #expect(queue.count == appended)
        let front = queue.removeFirst(removedFirst)
        #expect(front == Array(0..<min(removedFirst, appended)))
        #expect(queue.count == max(0, appended - removedFirst))
        let chunks = queue.takeAll()
        #expect(chunks.allSatisfy { $0.count <= chunkCapacity })
        #expect(Array(chunks.joined()) == Array(min(removedFirst, appended)..<appended))
        #expect(queue.isEmpty)
    }

    @Test func prependedAndAppendedChunksKeepTheirPlaces() {
        var queue = ChunkedQueue<Int>(chunkCapacity: 2)
        queue.append(contentsOf: [5, 6, 7])
        queue.prepend([1, 2, 3, 4])
        queue.append(chunks: [[8, 9], [], [10]])
        queue.append(11)
        #expect(queue.count == 11)
        #expect(Array(queue.takeAll().joined()) == Array(1...11))
    }

    @Test func appendingNeverMovesAStoredChunk() {
        // Each chunk's storage is reserved when it starts: filling it does not reallocate it.
        var queue = ChunkedQueue<Int>(chunkCapacity: 64)
        queue.append(0)
        let first = queue.takeAll()[0]
        #expect(first.capacity >= 64)
    }
}

@Suite struct ChunkedQueueRecyclingTests {
    @Test func recycledChunksAreFilledAgainAndOnlyUpToTheLimit() {
        var queue = ChunkedQueue<Int>(chunkCapacity: 4, spareLimit: 2)
        queue.append(contentsOf: 0..<12)
        var chunks = queue.takeAll()
        #expect(chunks.count == 3)
        for index in chunks.indices { chunks[index].removeAll(keepingCapacity: true) }
        queue.recycle(chunks + [[]])  // a chunk without reserved room is not kept
        queue.append(contentsOf: 12..<24)
        #expect(queue.count == 12)
        #expect(Array(queue.takeAll().joined()) == Array(12..<24), "recycled chunks start empty")
    }
}
