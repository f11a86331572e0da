/// The filters of `TokenSampler` over a scratch buffer of candidates, without allocating.
enum CandidateSelection {
    /// Fills `candidates` with the `k` most likely tokens, best first (lower id first on ties).
    ///
    /// `among`, when given, lists in increasing order the only ids that can be among them (every
    /// logit at least some value that k of them reach); otherwise every id is considered.
    static func keepTopK(_ k: Int, of logits: UnsafeMutableBufferPointer<Float>, among ids: UnsafeBufferPointer<Int32>? = nil,
                         into candidates: inout [SamplingCandidate]) {
        candidates.removeAll(keepingCapacity: true)
        // A min-heap of the k best so far: its root is the weakest kept candidate.
        for position in 0..<(ids?.count ?? logits.count) {
            let index = ids.map { Int($0[position]) } ?? position
            let candidate = SamplingCandidate(id: Int32(index), logit: logits[index], weight: 0)
            if candidates.count < k {
                candidates.append(candidate)
                candidates.withUnsafeMutableBufferPointer { siftUp($0, from: $0.count - 1, maxHeap: false) }
            } else if candidate.ranksAbove(candidates[0]) {
                candidates[0] = candidate
                candidates.withUnsafeMutableBufferPointer { siftDown($0, from: 0, count: $0.count, maxHeap: false) }
            }
        }
        // Heap-sort: moving the weakest to the back leaves the best at the front.
        candidates.withUnsafeMutableBufferPointer { buffer in
            var count = buffer.count
            while count > 1 {
                buffer.swapAt(0, count - 1)
                count -= 1
                siftDown(buffer, from: 0, count: count, maxHeap: false)
            }
        }
    }

    /// The largest logit in `candidates`.
    static func maximumLogit(_ candidates: Slice<UnsafeBufferPointer<SamplingCandidate>>) -> Float {
        var maximum = -Float.infinity
        for candidate in candidates where candidate.logit > maximum { maximum = candidate.logit }
        return maximum
    }

    /// Keeps, in order, the candidates whose weight (relative to the best, which weighs 1) is at least `minP`.
    static func keepAtLeast(_ minP: Float, in buffer: UnsafeMutableBufferPointer<SamplingCandidate>, _ active: Range<Int>) -> Range<Int> {
        var kept = active.lowerBound
        for index in active where buffer[index].weight >= minP {
            buffer[kept] = buffer[index]
            kept += 1
        }
        return active.lowerBound..<kept
    }

    /// Keeps the fewest most likely candidates whose weights sum to at least `mass`.
    ///
    /// Sorted input is scanned from the front; otherwise a max-heap is built over the candidates
    /// and popped until the mass is reached, which costs O(n + kept·log n) instead of a full sort.
    static func keepNucleus(
        mass: Double, in buffer: UnsafeMutableBufferPointer<SamplingCandidate>, _ active: Range<Int>, sortedDescending: Bool
    ) -> Range<Int> {
        if sortedDescending {
            var cumulative: Double = 0
            for index in active {
                cumulative += Double(buffer[index].weight)
                if cumulative >= mass { return active.lowerBound..<(index + 1) }
            }
            return active
        }
        let heap = UnsafeMutableBufferPointer(rebasing: buffer[active])
        var count = heap.count
        for index in stride(from: count / 2 - 1, through: 0, by: -1) { siftDown(heap, from: index, count: count, maxHeap: true) }
        var cumulative: Double = 0
        while count > 0 {
            // The best remaining candidate moves to the back; the kept ones collect there.
            cumulative += Double(heap[0].weight)
            heap.swapAt(0, count - 1)
            count -= 1
            siftDown(heap, from: 0, count: count, maxHeap: true)
            if cumulative >= mass { break }
        }
        return (active.lowerBound + count)..<active.upperBound
    }

    // MARK: Heap

    @inline(__always)
    private static func before(_ a: SamplingCandidate, _ b: SamplingCandidate, maxHeap: Bool) -> Bool {
        maxHeap ? a.ranksAbove(b) : b.ranksAbove(a)
    }

    private static func siftUp(_ heap: UnsafeMutableBufferPointer<SamplingCandidate>, from start: Int, maxHeap: Bool) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard before(heap[child], heap[parent], maxHeap: maxHeap) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private static func siftDown(_ heap: UnsafeMutableBufferPointer<SamplingCandidate>, from start: Int, count: Int, maxHeap: Bool) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var first = parent
            if left < count, before(heap[left], heap[first], maxHeap: maxHeap) { first = left }
            if right < count, before(heap[right], heap[first], maxHeap: maxHeap) { first = right }
            guard first != parent else { return }
            heap.swapAt(parent, first)
            parent = first
        }
    }
}
