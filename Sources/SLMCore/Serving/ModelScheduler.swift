import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The token events of one generation; ending the iteration (or cancelling its task) cancels it.
public typealias SequenceEventStream = AsyncThrowingStream<SequenceEvent, any Error>

/// Serves one loaded model to many concurrent callers with continuous batching.
///
/// A fixed number of slots (each a `LlamaSession` over the model's shared, memory-mapped
/// weights) run on the scheduler's own thread, never on the caller's executor. New sequences
/// join between steps; each step advances every running sequence by one token and reads a chunk
/// of at most `prefillChunk` prompt tokens, so a long prompt never stalls running streams. Waiting
/// requests sit in a bounded queue; when it is full, `submit` refuses at once with
/// `SchedulerError.overloaded` and a retry-after estimate.
///
/// ```swift
/// let scheduler = ModelScheduler(model: model, tokenizer: tokenizer, configuration: .init(slots: 4))
/// for try await event in try scheduler.submit(SequenceRequest(promptTokens: ids)) {
///     if case .token(let token) = event { print(token.text, terminator: "") }
/// }
/// ```
public final class ModelScheduler: Sendable {
    /// The model every slot runs.
    public let model: LlamaModel
    /// The tokenizer that turns generated tokens into text.
    public let tokenizer: any Tokenizer
    /// Slots, context, queue and prefill sizes.
    public let configuration: SchedulerConfiguration
    private let mailbox: SchedulerMailbox

    /// Allocates every slot's session and starts the scheduler's thread.
    /// - Parameter configuration: sizes; `contextLength` is capped at the model's trained context.
    public init(model: LlamaModel, tokenizer: any Tokenizer, configuration: SchedulerConfiguration = SchedulerConfiguration()) {
        var configuration = configuration
        configuration.contextLength = min(configuration.contextLength, model.hyper.contextLength)
        self.model = model
        self.tokenizer = tokenizer
        self.configuration = configuration
        let mailbox = SchedulerMailbox(slots: configuration.slots, queueCapacity: configuration.queueCapacity)
        self.mailbox = mailbox
        let sizes = configuration
        let thread = Thread {
            // The system's name of the thread (`top -H`, `perf`, /proc); the model's pool threads name themselves.
            ThreadName.setCurrent("slm-scheduler")
            SchedulerLoop(model: model, tokenizer: tokenizer, configuration: sizes, mailbox: mailbox).run()
        }
        thread.name = "slm-scheduler"
        thread.stackSize = 8 << 20
        thread.start()
    }

    deinit { mailbox.stop() }

    /// Starts generating `request`, or refuses it at once.
    ///
    /// The stream yields one `.token` per answer token and ends with `.finished`; it throws
    /// `SchedulerError` if the sequence fails. Dropping the stream or cancelling the task that
    /// iterates it frees the sequence's slot (or queue place) before the next step.
    /// - Throws: `SchedulerError.overloaded` when every slot and queue place is taken,
    ///   `.promptTooLong` naming the context limit, `.emptyPrompt`, `.invalidSampling`, `.shutDown`.
    public func submit(_ request: SequenceRequest) throws(SchedulerError) -> SequenceEventStream {
        do { try request.sampling.validate() } catch { throw .invalidSampling(error) }
        guard !request.promptTokens.isEmpty else { throw .emptyPrompt }
        guard request.promptTokens.count < configuration.contextLength else {
            throw .promptTooLong(promptTokens: request.promptTokens.count, contextLength: configuration.contextLength)
        }
        let (stream, continuation) = SequenceEventStream.makeStream()
        let id = try mailbox.enqueue(request, continuation: continuation)
        let mailbox = self.mailbox
        continuation.onTermination = { termination in
            if case .cancelled = termination { mailbox.cancel(id) }
        }
        return stream
    }

    /// The current load: busy slots, queued requests, totals.
    public var statistics: SchedulerStatistics { mailbox.statistics() }

    /// Stops the thread after the current step; open sequences fail with `SchedulerError.shutDown`.
    /// Returns once the thread has finished.
    public func shutdown() async {
        mailbox.stop()
        let mailbox = self.mailbox
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                mailbox.exited.wait()
                mailbox.exited.signal()  // later callers return too
                done.resume()
            }
        }
    }
}
