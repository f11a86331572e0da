import Foundation
import Logging
import PostgresNIO
import Synchronization

extension PostgresClient {
    /// A client for `config` whose background logs go to `logger`; run it as a `Service` (one per process).
    public convenience init(_ config: PostgresConfig, logger: Logger = Logger(label: "switchyard.postgres")) {
        self.init(configuration: config.clientConfiguration(), backgroundLogger: logger)
    }

    /// The readiness ping: `SELECT 1` within `timeout`; false on any failure.
    public func isReachable(timeout: Duration = .seconds(2)) async -> Bool {
        do {
            return try await withTimeout(timeout, operation: "readiness ping") {
                let rows = try await self.query("SELECT 1::int4")
                for try await value in rows.decode(Int32.self) { return value == 1 }
                return false
            }
        } catch {
            return false
        }
    }
}

/// Runs `body`, throwing `StoreError.timedOut` when it takes longer than `limit` (and cancelling it).
///
/// Unlike a task group, this does not wait for `body` to notice the cancellation: a query stuck on
/// a half-dead connection must not hold the metrics writer. `body` runs in its own task, which is
/// cancelled and left to finish on its own; this is the only unstructured task in the Store.
func withTimeout<T: Sendable>(
    _ limit: Duration, operation: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let race = FirstOutcome<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            race.arm(continuation)
            let work = Task {
                do { race.finish(.success(try await body())) } catch { race.finish(.failure(error)) }
            }
            let timer = Task {
                guard (try? await Task.sleep(for: limit)) != nil else { return }
                let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
                race.finish(.failure(StoreError.timedOut(operation: operation, seconds: seconds)))
            }
            race.onFinish { work.cancel(); timer.cancel() }
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// Resumes a continuation with whichever outcome arrives first; later ones are ignored.
private final class FirstOutcome<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var early: Result<T, any Error>?
        var cleanup: (@Sendable () -> Void)?
        var finished = false
    }
    private let state = Mutex(State())

    func arm(_ continuation: CheckedContinuation<T, any Error>) {
        let early = state.withLock { state -> Result<T, any Error>? in
            if let early = state.early { state.early = nil; return early }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func onFinish(_ cleanup: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            if state.finished { return true }
            state.cleanup = cleanup
            return false
        }
        if runNow { cleanup() }
    }

    func finish(_ outcome: Result<T, any Error>) {
        let (continuation, cleanup) = state.withLock { state -> (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) in
            guard !state.finished else { return (nil, nil) }
            state.finished = true
            defer { state.continuation = nil; state.cleanup = nil }
            if state.continuation == nil { state.early = outcome }
            return (state.continuation, state.cleanup)
        }
        continuation?.resume(with: outcome)
        cleanup?()
    }
}

extension StoreError {
    /// Wraps a PostgresNIO error (or any other) into a `queryFailed` naming the operation.
    static func wrapping(_ error: any Error, operation: String) -> StoreError {
        if let storeError = error as? StoreError { return storeError }
        if let psql = error as? PSQLError {
            return .queryFailed(
                operation: operation,
                sqlState: psql.serverInfo?[.sqlState],
                message: psql.serverInfo?[.message] ?? "\(psql.code)"
            )
        }
        return .queryFailed(operation: operation, sqlState: nil, message: "\(error)")
    }

    /// The SQLSTATE of a PostgresNIO server error, if any.
    static func sqlState(of error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }
}
