/// Applies BPE merge rules, lowest rank first, to the bytes of one pre-token.
///
/// Symbols form a linked list over the word, and candidate pairs wait in a min-heap ordered by
/// (rank, position), the order llama.cpp and the reference BPE use. Ties go to the leftmost pair.
struct BytePairMerger: Sendable {
    /// A merge rule's rank (lower merges first) and the id of the merged piece.
    struct Rule: Sendable {
        var rank: Int32
        var result: Int32
    }

    /// The id of each single-byte piece (index = byte), or -1 when the vocabulary lacks it.
    let byteTokenIDs: [Int32]
    /// Rules keyed by `left << 32 | right` token ids.
    let rules: [UInt64: Rule]

    /// Working buffers reused from word to word, so merging allocates only when a word is longer
    /// than any before it.
    struct Scratch {
        var ids: [Int32] = []
        var next: [Int32] = []
        var previous: [Int32] = []
        var heap = MergeCandidateHeap()
    }

    /// Appends the token ids of `word` to `output`.
    func merge(_ word: UnsafeBufferPointer<UInt8>, scratch: inout Scratch, into output: inout [Int32]) {
        let count = word.count
        guard count > 1 else {
            if count == 1, byteTokenIDs[Int(word[0])] >= 0 { output.append(byteTokenIDs[Int(word[0])]) }
            return
        }
        scratch.ids.removeAll(keepingCapacity: true)
        scratch.next.removeAll(keepingCapacity: true)
        scratch.previous.removeAll(keepingCapacity: true)
        scratch.heap.removeAll()
        for index in 0..<count {
            scratch.ids.append(byteTokenIDs[Int(word[index])])
            scratch.previous.append(Int32(index - 1))
            scratch.next.append(index + 1 < count ? Int32(index + 1) : -1)
        }
        for index in 0..<count - 1 {
            enqueue(left: Int32(index), right: Int32(index + 1), scratch: &scratch)
        }

        while let candidate = scratch.heap.popMin() {
            let left = Int(candidate.left)
            let right = Int(scratch.next[left])
            // Skip pairs that an earlier merge has changed.
            guard scratch.ids[left] == candidate.leftID, right >= 0, scratch.ids[right] == candidate.rightID else { continue }
            scratch.ids[left] = candidate.result
            scratch.ids[right] = -1
            let afterRight = scratch.next[right]
            scratch.next[left] = afterRight
            if afterRight >= 0 { scratch.previous[Int(afterRight)] = Int32(left) }
            let beforeLeft = scratch.previous[left]
            if beforeLeft >= 0 { enqueue(left: beforeLeft, right: Int32(left), scratch: &scratch) }
            if afterRight >= 0 { enqueue(left: Int32(left), right: afterRight, scratch: &scratch) }
        }

        var symbol: Int32 = 0
        while symbol >= 0 {
            let id = scratch.ids[Int(symbol)]
            if id >= 0 { output.append(id) }  // a byte without a piece is dropped
            symbol = scratch.next[Int(symbol)]
        }
    }

    private func enqueue(left: Int32, right: Int32, scratch: inout Scratch) {
        let leftID = scratch.ids[Int(left)], rightID = scratch.ids[Int(right)]
        guard leftID >= 0, rightID >= 0 else { return }
        guard let rule = rules[UInt64(UInt32(bitPattern: leftID)) << 32 | UInt64(UInt32(bitPattern: rightID))] else { return }
        scratch.heap.insert(.init(rank: rule.rank, left: left, leftID: leftID, rightID: rightID, result: rule.result))
    }
}

/// A pair of adjacent symbols that a rule could merge.
struct MergeCandidate {
    var rank: Int32
    var left: Int32
    var leftID: Int32
    var rightID: Int32
    var result: Int32

    /// Whether this candidate merges before `other`: lower rank first, then the leftmost.
    @inline(__always)
    func precedes(_ other: MergeCandidate) -> Bool {
        rank != other.rank ? rank < other.rank : left < other.left
    }
}

/// A binary min-heap of merge candidates over a reusable array.
struct MergeCandidateHeap {
    private var items: [MergeCandidate] = []

    mutating func removeAll() { items.removeAll(keepingCapacity: true) }

    mutating func insert(_ candidate: MergeCandidate) {
        items.append(candidate)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].precedes(items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popMin() -> MergeCandidate? {
        guard let last = items.popLast() else { return nil }
        guard !items.isEmpty else { return last }
        let minimum = items[0]
        items[0] = last
        var parent = 0
        while true {
            let leftChild = 2 * parent + 1, rightChild = leftChild + 1
            var smallest = parent
            if leftChild < items.count, items[leftChild].precedes(items[smallest]) { smallest = leftChild }
            if rightChild < items.count, items[rightChild].precedes(items[smallest]) { smallest = rightChild }
            guard smallest != parent else { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return minimum
    }
}
