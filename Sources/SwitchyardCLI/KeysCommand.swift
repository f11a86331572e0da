import ArgumentParser
import Foundation
import Store

/// `switchyard keys`: create, list, check and revoke API keys.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage API keys (only their SHA-256 is stored; a new key is printed once).",
        subcommands: [Create.self, List.self, Check.self, Revoke.self]
    )

    /// The database option every keys subcommand takes.
    struct DatabaseOptions: ParsableArguments {
        @Option(name: .customLong("database-url"), help: "PostgreSQL URL (default: $DATABASE_URL).")
        var databaseURL: String?

        func config() throws -> PostgresConfig { try PostgresConfig.fromEnvironment(override: databaseURL) }
    }

    /// `switchyard keys create --name N --role client|admin`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key and print it (the only time it is shown).")

        @Option(help: "A name saying who or what uses the key.") var name: String
        @Option(help: "client or admin.") var role: String = "client"
        @Option(name: .customLong("budget-usd"), help: "Spending limit in USD.") var budgetUSD: Double?
        @Option(name: .customLong("rate-limit"), help: "Requests per minute.") var rateLimit: Int?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let role = try APIKeyRole(parsing: role)
            let (name, budget, rate) = (self.name, budgetUSD, rateLimit)
            let created = try await withPostgresClient(try database.config()) { client in
                try await APIKeyStore(client: client).create(name: name, role: role, budgetUSD: budget, rateLimitPerMinute: rate)
            }
            print(created.secret)
            FileHandle.standardError.write(Data("created \(role.rawValue) key '\(name)' id \(created.record.id.uuidString.lowercased()); store it now, it cannot be shown again\n".utf8))
        }
    }

    /// `switchyard keys list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (id, prefix, name, role, state).")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let keys = try await withPostgresClient(try database.config()) { client in try await APIKeyStore(client: client).list() }
            let formatter = ISO8601DateFormatter()
            for key in keys {
                let state = key.revokedAt.map { "revoked \(formatter.string(from: $0))" } ?? "active"
                print("\(key.id.uuidString.lowercased())  \(key.displayPrefix)…  \(key.role.rawValue)  \(key.name)  \(state)")
            }
        }
    }

    /// `switchyard keys check --key K`: exits 0 when the key is active, 1 otherwise (for scripts).
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check that a key is active; prints its id, name and role.")
        @Option(help: "The key to check (read it from a file or variable, not the command line, in shared shells).") var key: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let key = self.key
            let record = try await withPostgresClient(try database.config()) { client in try await APIKeyStore(client: client).authenticate(bearer: key) }
            guard let record else { throw ExitCode(1) }
            print("\(record.id.uuidString.lowercased())  \(record.role.rawValue)  \(record.name)")
        }
    }

    /// `switchyard keys revoke ID`.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by its id.")
        @Argument(help: "The key id (from `keys list`).") var id: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard let id = UUID(uuidString: id) else { throw ValidationError("'\(self.id)' is not a key id (a UUID)") }
            let revoked = try await withPostgresClient(try database.config()) { client in try await APIKeyStore(client: client).revoke(id: id) }
            guard revoked else { throw ValidationError("no active key with id \(id.uuidString.lowercased())") }
            print("revoked \(id.uuidString.lowercased())")
        }
    }
}
