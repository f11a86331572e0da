/// A first-in first-out queue stored as fixed-capacity chunks, so that appending never moves what is
/// already stored.
///
/// One growing `Array` doubles its storage now and then and copies every element it holds: with tens
/// of thousands of request records waiting, that one append takes tens of milliseconds (and runs under
/// the writer's lock). Here an append writes into the last chunk's reserved storage, or starts a new
/// chunk; taking everything out hands over the chunks without copying them. Emptied chunks handed back
/// with ``recycle(_:)`` are reused, so a steady stream of appends touches memory that is already mapped.
struct ChunkedQueue<Element> {
    /// Elements per chunk (each chunk's storage is reserved once, when it is started).
    let chunkCapacity: Int
    /// Most emptied chunks kept for reuse.
    let spareLimit: Int
    private var chunks: [[Element]] = []
    private var spares: [[Element]] = []
    /// How many elements are queued.
    private(set) var count = 0

    /// An empty queue whose chunks hold `chunkCapacity` elements each.
    init(chunkCapacity: Int = 512, spareLimit: Int = 32) {
        precondition(chunkCapacity > 0, "a chunk holds at least one element")
        self.chunkCapacity = chunkCapacity
        self.spareLimit = spareLimit
    }

    /// Whether nothing is queued.
    var isEmpty: Bool { count == 0 }

    /// Appends `element` at the back, in constant time.
    mutating func append(_ element: Element) {
        if chunks.isEmpty || chunks[chunks.count - 1].count >= chunkCapacity {
            if let spare = spares.popLast() {
                chunks.append(spare)
            } else {
                var chunk: [Element] = []
                chunk.reserveCapacity(chunkCapacity)
                chunks.append(chunk)
            }
        }
        chunks[chunks.count - 1].append(element)
        count += 1
    }

    /// Appends `elements` at the back, in order.
    mutating func append(contentsOf elements: some Sequence<Element>) {
        for element in elements { append(element) }
    }

    /// Appends whole chunks at the back (as taken by ``takeAll()``), without copying their elements.
    mutating func append(chunks more: [[Element]]) {
        for chunk in more where !chunk.isEmpty {
            chunks.append(chunk)
            count += chunk.count
        }
    }

    /// Puts `elements` in front of everything queued, keeping their order (they are older than what is queued).
    mutating func prepend(_ elements: [Element]) {
        guard !elements.isEmpty else { return }
        chunks.insert(elements, at: 0)
        count += elements.count
    }

    /// Removes and returns everything queued, oldest first, as the chunks it was stored in (no element is copied).
    mutating func takeAll() -> [[Element]] {
        defer { chunks = []; count = 0 }
        return chunks
    }

    /// Keeps emptied chunks (as taken by ``takeAll()``, then emptied with `removeAll(keepingCapacity: true)`
    /// outside any lock) for the next appends, up to ``spareLimit``; others are freed.
    mutating func recycle(_ emptied: [[Element]]) {
        for chunk in emptied where chunk.isEmpty && chunk.capacity >= chunkCapacity && chunk.capacity < 2 * chunkCapacity && spares.count < spareLimit {
            spares.append(chunk)
        }
    }

    /// Removes the `k` oldest elements (all of them when fewer are queued) and returns them, oldest first.
    @discardableResult
    mutating func removeFirst(_ k: Int) -> [Element] {
        var removed: [Element] = []
        var left = min(k, count)
        removed.reserveCapacity(left)
        while left > 0, !chunks.isEmpty {
            if chunks[0].count <= left {
                left -= chunks[0].count
                removed.append(contentsOf: chunks.removeFirst())
            } else {
                removed.append(contentsOf: chunks[0].prefix(left))
                chunks[0].removeFirst(left)
                left = 0
            }
        }
        count -= removed.count
        return removed
    }
}
