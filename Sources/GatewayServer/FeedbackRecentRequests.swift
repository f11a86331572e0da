import Foundation
import Synchronization
import SwitchyardTypes

/// The ids of the requests this gateway finished most recently, so feedback on an answer just given
/// is accepted before its row has reached the database (rows are written in batches).
///
/// A fixed-size ring: the oldest id is forgotten when a new one arrives at capacity; older
/// requests are looked up in the database instead.
final class FeedbackRecentRequests: Sendable {
    private struct State {
        var ring: [UUID] = []
        var next = 0
        var members: Set<UUID> = []
    }

    /// How many ids are remembered.
    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int = 100_000) { self.capacity = max(1, capacity) }

    /// Remembers `id`.
    func insert(_ id: UUID) {
        state.withLock { state in
            guard !state.members.contains(id) else { return }
            if state.ring.count < capacity {
                state.ring.append(id)
            } else {
                state.members.remove(state.ring[state.next])
                state.ring[state.next] = id
                state.next = (state.next + 1) % capacity
            }
            state.members.insert(id)
        }
    }

    /// Whether `id` is remembered.
    func contains(_ id: UUID) -> Bool { state.withLock { $0.members.contains(id) } }
}

/// Passes every record on to the real sink, noting its id for feedback first.
struct FeedbackRecordingSink: RequestRecordSink {
    let base: any RequestRecordSink
    let recent: FeedbackRecentRequests

    func record(_ record: RequestRecord) {
        recent.insert(record.id)
        base.record(record)
    }
}
