import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGHUP as an async sequence: one element per signal received, for as long as the stream is iterated.
///
/// The signal is read through a dispatch source (no process-wide handler function); SIGHUP's default
/// action (terminate) is turned off while a stream exists, so an admin's `kill -HUP` reloads instead.
enum SighupSignals {
    /// A stream yielding once per SIGHUP; cancelling its iteration stops listening.
    static func stream() -> AsyncStream<Void> {
        AsyncStream(bufferingPolicy: .bufferingNewest(1)) { continuation in
            signal(SIGHUP, SIG_IGN)
            let source = SignalSourceBox(DispatchSource.makeSignalSource(signal: SIGHUP, queue: DispatchQueue(label: "switchyard.sighup")))
            source.source.setEventHandler { continuation.yield() }
            continuation.onTermination = { _ in source.source.cancel() }
            source.source.resume()
        }
    }
}

/// Keeps the dispatch source alive in the stream's termination handler.
// Safe because the source is only resumed once at creation and cancelled once at termination,
// and DispatchSource's own methods are thread-safe.
private final class SignalSourceBox: @unchecked Sendable {
    let source: any DispatchSourceSignal
    init(_ source: any DispatchSourceSignal) { self.source = source }
}
