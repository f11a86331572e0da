import Foundation
import PostgresNIO

/// Where and how to reach PostgreSQL, parsed from a `postgres://` URL.
///
/// Accepted forms:
/// - `postgres://user:password@host:5432/database` (TCP; `?sslmode=disable|prefer|require`, default `disable`)
/// - `postgres://user@/database?host=/run/postgresql&port=5433` (Unix socket folder, as libpq reads it)
///
/// ```swift
/// let config = try PostgresConfig(url: "postgres://postgres@127.0.0.1:55432/postgres")
/// let client = PostgresClient(configuration: config.clientConfiguration())
/// ```
public struct PostgresConfig: Sendable, Equatable {
    /// How the client reaches the server.
    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        /// A Unix socket folder; the socket file is `<folder>/.s.PGSQL.<port>`.
        case unixSocket(folder: String, port: Int)
    }

    /// TLS use over TCP.
    public enum TLSMode: String, Sendable, Equatable {
        case disable, prefer, require
    }

    public var endpoint: Endpoint
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// Upper bound of pooled connections.
    public var maximumConnections: Int = 8
    /// How long to wait for a new connection before failing.
    public var connectTimeout: Duration = .seconds(3)

    /// A configuration from its parts.
    public init(endpoint: Endpoint, username: String, password: String? = nil, database: String, tls: TLSMode = .disable) {
        self.endpoint = endpoint; self.username = username; self.password = password
        self.database = database; self.tls = tls
    }

    /// Parses a `postgres://` or `postgresql://` URL.
    /// - Throws: `StoreError.invalidDatabaseURL` naming what is wrong.
    public init(url: String) throws {
        guard let components = URLComponents(string: url) else {
            throw StoreError.invalidDatabaseURL(reason: "not a URL")
        }
        guard let scheme = components.scheme, scheme == "postgres" || scheme == "postgresql" else {
            throw StoreError.invalidDatabaseURL(reason: "scheme must be postgres:// or postgresql://")
        }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] { query[item.name] = item.value ?? "" }

        let username = components.user.flatMap { $0.removingPercentEncoding ?? $0 } ?? query["user"] ?? "postgres"
        let password = components.password.flatMap { $0.removingPercentEncoding ?? $0 } ?? query["password"]
        var path = components.path
        if path.hasPrefix("/") { path.removeFirst() }
        let database = path.isEmpty ? (query["dbname"] ?? username) : (path.removingPercentEncoding ?? path)

        let port: Int
        if let explicit = components.port {
            port = explicit
        } else if let text = query["port"] {
            guard let parsed = Int(text), (1...65535).contains(parsed) else {
                throw StoreError.invalidDatabaseURL(reason: "port '\(text)' is not a number in 1...65535")
            }
            port = parsed
        } else {
            port = 5432
        }

        let tls: TLSMode
        switch query["sslmode"] ?? "disable" {
        case "disable", "allow": tls = .disable
        case "prefer": tls = .prefer
        case "require", "verify-ca", "verify-full": tls = .require
        case let other: throw StoreError.invalidDatabaseURL(reason: "unknown sslmode '\(other)'")
        }

        let endpoint: Endpoint
        if let socketFolder = query["host"], socketFolder.hasPrefix("/") {
            endpoint = .unixSocket(folder: socketFolder, port: port)
        } else if let host = components.host, !host.isEmpty {
            endpoint = .tcp(host: host, port: port)
        } else if let host = query["host"], !host.isEmpty {
            endpoint = .tcp(host: host, port: port)
        } else {
            throw StoreError.invalidDatabaseURL(reason: "no host (give host:port or ?host=/socket/folder)")
        }
        self.init(endpoint: endpoint, username: username, password: password, database: database, tls: tls)
    }

    /// Reads the URL from `DATABASE_URL` (or the given override).
    /// - Throws: `StoreError.missingDatabaseURL` when neither is set.
    public static func fromEnvironment(override url: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PostgresConfig {
        if let url, !url.isEmpty { return try PostgresConfig(url: url) }
        guard let url = environment["DATABASE_URL"], !url.isEmpty else { throw StoreError.missingDatabaseURL }
        return try PostgresConfig(url: url)
    }

    /// The same server with another database.
    public func with(database: String) -> PostgresConfig {
        var copy = self
        copy.database = database
        return copy
    }

    /// The URL form, with the password replaced by `***` (safe to log).
    public var redactedURL: String { url(redactingPassword: true) }

    /// The URL form, password included (for handing to child processes such as `psql`).
    public var url: String { url(redactingPassword: false) }

    private func url(redactingPassword: Bool) -> String {
        let user = username.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed) ?? username
        var credentials = user
        if let password {
            credentials += ":" + (redactingPassword ? "***" : (password.addingPercentEncoding(withAllowedCharacters: .urlPasswordAllowed) ?? password))
        }
        let db = database.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? database
        switch endpoint {
        case .tcp(let host, let port):
            let tlsQuery = tls == .disable ? "" : "?sslmode=\(tls.rawValue)"
            return "postgres://\(credentials)@\(host):\(port)/\(db)\(tlsQuery)"
        case .unixSocket(let folder, let port):
            return "postgres://\(credentials)@/\(db)?host=\(folder)&port=\(port)"
        }
    }

    /// The PostgresNIO client configuration for this endpoint.
    public func clientConfiguration() -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        switch endpoint {
        case .tcp(let host, let port):
            let tlsSetting: PostgresClient.Configuration.TLS
            switch tls {
            case .disable: tlsSetting = .disable
            case .prefer: tlsSetting = .prefer(.makeClientConfiguration())
            case .require: tlsSetting = .require(.makeClientConfiguration())
            }
            configuration = .init(host: host, port: port, username: username, password: password, database: database, tls: tlsSetting)
        case .unixSocket(let folder, let port):
            configuration = .init(unixSocketPath: "\(folder)/.s.PGSQL.\(port)", username: username, password: password, database: database)
        }
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = connectTimeout
        return configuration
    }
}
