/// A snapshot of one scheduler's load.
public struct SchedulerStatistics: Sendable, Equatable {
    /// Slots the scheduler has.
    public var slots: Int
    /// Sequences holding a slot now.
    public var activeSequences: Int
    /// Requests waiting for a slot.
    public var queuedRequests: Int
    /// Places in the admission queue.
    public var queueCapacity: Int
    /// Sequences finished since the start (answered, cancelled or failed).
    public var finishedSequences: Int
    /// Answer tokens generated since the start.
    public var generatedTokens: Int

    /// A snapshot with every figure given.
    public init(slots: Int, activeSequences: Int, queuedRequests: Int, queueCapacity: Int,
                finishedSequences: Int, generatedTokens: Int) {
        self.slots = slots; self.activeSequences = activeSequences; self.queuedRequests = queuedRequests
        self.queueCapacity = queueCapacity; self.finishedSequences = finishedSequences; self.generatedTokens = generatedTokens
    }
}
