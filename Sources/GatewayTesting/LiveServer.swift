import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Runs a Hummingbird application on a real socket (127.0.0.1, a free port) for the length of `body`.
///
/// The application and its services run in one `ServiceGroup`; when `body` returns or throws the
/// group is cancelled, so even a handler stuck on a stalled stream cannot hold the test.
/// ```swift
/// try await withLiveServer(app) { port in ... }
/// ```
public func withLiveServer<App: ApplicationProtocol, Value: Sendable>(
    _ app: App,
    _ body: (Int) async throws -> Value
) async throws -> Value {
    let wrapper = PortReportingApplication(base: app)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        let services = ServiceGroup(configuration: .init(services: [wrapper], gracefulShutdownSignals: [], logger: app.logger))
        group.addTask { try await services.run() }
        let port = try await wrapper.port.wait()
        do {
            let value = try await body(port)
            group.cancelAll()
            return value
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

/// Wraps an application to bind 127.0.0.1 on a free port and report the port once listening.
struct PortReportingApplication<Base: ApplicationProtocol>: ApplicationProtocol {
    typealias Responder = Base.Responder
    let base: Base
    let port = PortPromise()

    var responder: Responder { get async throws { try await base.responder } }
    var server: HTTPServerBuilder { base.server }
    var eventLoopGroup: any EventLoopGroup { base.eventLoopGroup }
    var configuration: ApplicationConfiguration { base.configuration.with(address: .hostname("127.0.0.1", port: 0)) }
    var logger: Logger { base.logger }
    var services: [any Service] { base.services }
    var processesRunBeforeServerStart: [@Sendable () async throws -> Void] { base.processesRunBeforeServerStart }

    func onServerRunning(_ channel: any Channel) async {
        await base.onServerRunning(channel)
        port.fulfil(channel.localAddress?.port ?? 0)
    }
}

/// A value delivered once, awaited by any number of tasks.
final class PortPromise: Sendable {
    /// The server stopped before it listened.
    struct NeverListened: Error {}
    private enum State { case waiting([CheckedContinuation<Int, Never>]), done(Int) }
    private let state = Mutex(State.waiting([]))

    func fulfil(_ value: Int) {
        let waiting: [CheckedContinuation<Int, Never>] = state.withLock { state in
            guard case .waiting(let continuations) = state else { return [] }
            state = .done(value)
            return continuations
        }
        for continuation in waiting { continuation.resume(returning: value) }
    }

    func wait() async throws -> Int {
        let port = await withCheckedContinuation { (continuation: CheckedContinuation<Int, Never>) in
            let ready: Int? = state.withLock { state in
                switch state {
                case .waiting(var continuations):
                    continuations.append(continuation)
                    state = .waiting(continuations)
                    return nil
                case .done(let value): return value
                }
            }
            if let ready { continuation.resume(returning: ready) }
        }
        if port == 0 { throw NeverListened() }
        return port
    }
}
