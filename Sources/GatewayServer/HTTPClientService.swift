import AsyncHTTPClient
import NIOCore
import ServiceLifecycle

/// Owns the gateway's one long-lived `HTTPClient` and shuts it down when the service group stops.
struct HTTPClientService: Service {
    let client: HTTPClient

    /// The client every hosted provider shares.
    static func makeClient(connectTimeout: Duration, idleTimeout: Duration, maxConnectionsPerHost: Int) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .init(connectTimeout), read: .init(idleTimeout))
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maxConnectionsPerHost)
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
