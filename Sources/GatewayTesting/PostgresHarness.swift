import Foundation
import Logging
import PostgresNIO
import Store

/// Why the PostgreSQL harness could not give a test its database.
public enum PostgresHarnessError: Error, CustomStringConvertible {
    case databaseURLMissing
    case controlCommandMissing(variable: String)
    case controlCommandFailed(variable: String, status: Int32)
    case packageRootNotFound(from: String)

    public var description: String {
        switch self {
        case .databaseURLMissing:
            return """
                DATABASE_URL is not set. The Store and gateway tests need a PostgreSQL server they may create \
                databases in. Run the suite through the project's test command (deploy/local/test), which starts a \
                private cluster and sets DATABASE_URL, or point DATABASE_URL at a superuser URL, e.g. \
                DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres swift test
                """
        case .controlCommandMissing(let variable):
            return """
                \(variable) is not set. Tests that stop and restart PostgreSQL need SWITCHYARD_PG_STOP and \
                SWITCHYARD_PG_START, shell commands that stop and start the server behind DATABASE_URL \
                (the project's test command sets both for its private cluster).
                """
        case .controlCommandFailed(let variable, let status):
            return "the command in \(variable) exited with status \(status)"
        case .packageRootNotFound(let from):
            return "no Package.swift found above \(from)"
        }
    }
}

/// A private database for one test (suite): created fresh, migrated, dropped afterwards.
public struct TestDatabase: Sendable {
    /// The database's name (`switchyard_test_<random>`).
    public var name: String
    /// How to reach it.
    public var config: PostgresConfig
    /// A running client connected to it.
    public var client: PostgresClient
}

/// The PostgreSQL test harness: reads `DATABASE_URL` (a superuser URL), makes a uniquely named
/// database per use, applies the repository's migrations and drops the database at the end.
///
/// A missing `DATABASE_URL` is an error (the test fails with instructions), never a skip.
public enum PostgresHarness {
    /// The server-wide connection settings from `DATABASE_URL`.
    public static func adminConfig() throws -> PostgresConfig {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            throw PostgresHarnessError.databaseURLMissing
        }
        return try PostgresConfig(url: url)
    }

    /// `SWITCHYARD_MIGRATIONS` when set, else the repository's `migrations/` folder, found by walking
    /// up from `filePath` to `Package.swift`.
    public static func migrationsFolder(filePath: String = #filePath) throws -> URL {
        if let folder = ProcessInfo.processInfo.environment["SWITCHYARD_MIGRATIONS"], !folder.isEmpty {
            return URL(fileURLWithPath: folder)
        }
        return try packageRoot(filePath: filePath).appendingPathComponent("migrations")
    }

    /// The folder holding `Package.swift` above `filePath`.
    public static func packageRoot(filePath: String = #filePath) throws -> URL {
        var folder = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) { return folder }
            folder = folder.deletingLastPathComponent()
        }
        throw PostgresHarnessError.packageRootNotFound(from: filePath)
    }

    /// Runs `body` against a fresh database, migrated unless `migrate` is false, then drops it.
    ///
    /// With `exclusiveServer`, no other harness user runs meanwhile (for tests that stop the server).
    public static func withFreshDatabase<T: Sendable>(
        migrate: Bool = true,
        exclusiveServer: Bool = false,
        filePath: String = #filePath,
        _ body: @Sendable (TestDatabase) async throws -> T
    ) async throws -> T {
        let admin = try adminConfig()
        let gate = PostgresServerGate.shared
        if exclusiveServer { await gate.acquireExclusive() } else { await gate.acquireShared() }
        do {
            let result = try await withFreshDatabase(admin: admin, migrate: migrate, filePath: filePath, body)
            if exclusiveServer { await gate.releaseExclusive() } else { await gate.releaseShared() }
            return result
        } catch {
            if exclusiveServer { await gate.releaseExclusive() } else { await gate.releaseShared() }
            throw error
        }
    }

    private static func withFreshDatabase<T: Sendable>(
        admin: PostgresConfig, migrate: Bool, filePath: String, _ body: @Sendable (TestDatabase) async throws -> T
    ) async throws -> T {
        let name = "switchyard_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        try await withPostgresClient(admin) { client in
            _ = try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \"\(name)\""))
        }
        let config = admin.with(database: String(name))
        let folder = try migrationsFolder(filePath: filePath)
        do {
            let result = try await withPostgresClient(config) { client in
                if migrate { try await MigrationRunner(client: client, folder: folder).migrate() }
                return try await body(TestDatabase(name: String(name), config: config, client: client))
            }
            try await dropDatabase(String(name), admin: admin)
            return result
        } catch {
            try? await dropDatabase(String(name), admin: admin)
            throw error
        }
    }

    /// Stops the server behind `DATABASE_URL` by running `SWITCHYARD_PG_STOP`.
    public static func stopServer() throws { try runControlCommand("SWITCHYARD_PG_STOP") }

    /// Starts it again by running `SWITCHYARD_PG_START`.
    public static func startServer() throws { try runControlCommand("SWITCHYARD_PG_START") }

    /// Whether both server control commands are configured.
    public static var canStopAndStartServer: Bool {
        let environment = ProcessInfo.processInfo.environment
        return !(environment["SWITCHYARD_PG_STOP"] ?? "").isEmpty && !(environment["SWITCHYARD_PG_START"] ?? "").isEmpty
    }

    private static func dropDatabase(_ name: String, admin: PostgresConfig) async throws {
        try await withPostgresClient(admin) { client in
            _ = try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)"))
        }
    }

    /// Runs `sh -c <command>` and waits for it with `waitpid`. (Foundation's `Process.waitUntilExit`
    /// can miss the exit of a shell whose grandchild, the postmaster, lives on, and hang.)
    private static func runControlCommand(_ variable: String) throws {
        guard let command = ProcessInfo.processInfo.environment[variable], !command.isEmpty else {
            throw PostgresHarnessError.controlCommandMissing(variable: variable)
        }
        var pid: pid_t = 0
        let arguments = ["/bin/sh", "-c", command]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let spawned = posix_spawn(&pid, "/bin/sh", nil, nil, &argv, environ)
        guard spawned == 0 else { throw PostgresHarnessError.controlCommandFailed(variable: variable, status: spawned) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw PostgresHarnessError.controlCommandFailed(variable: variable, status: -1) }
        }
        let exited = (status & 0x7f) == 0
        let code = (status >> 8) & 0xff
        guard exited, code == 0 else {
            throw PostgresHarnessError.controlCommandFailed(variable: variable, status: exited ? code : status)
        }
    }
}
