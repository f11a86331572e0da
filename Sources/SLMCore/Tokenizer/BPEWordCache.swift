import Synchronization

/// Token ids of pre-tokens already merged, shared by all encodes of one tokenizer.
///
/// Bounded: when it holds `capacity` words it starts over, so memory stays flat on long inputs.
final class BPEWordCache: Sendable {
    private let entries = Mutex<[[UInt8]: [Int32]]>([:])
    private let capacity: Int

    init(capacity: Int = 1 << 16) {
        self.capacity = capacity
    }

    func ids(for word: [UInt8]) -> [Int32]? {
        entries.withLock { $0[word] }
    }

    func store(_ ids: [Int32], for word: [UInt8]) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[word] = ids
        }
    }
}
