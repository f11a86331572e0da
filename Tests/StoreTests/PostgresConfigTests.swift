import Foundation
import Testing
@testable import Store

@Suite struct PostgresConfigTests {
    @Test(arguments: [
        ("postgres://postgres@127.0.0.1:55432/postgres",
         PostgresConfig(endpoint: .tcp(host: "127.0.0.1", port: 55432), username: "postgres", database: "postgres")),
        ("postgresql://app:s%40cret@db.internal/metrics?sslmode=require",
         PostgresConfig(endpoint: .tcp(host: "db.internal", port: 5432), username: "app", password: "s@cret", database: "metrics", tls: .require)),
        ("postgres://me@/switchyard?host=/run/postgresql&port=5433",
         PostgresConfig(endpoint: .unixSocket(folder: "/run/postgresql", port: 5433), username: "me", database: "switchyard")),
        ("postgres://u:p@localhost:5432",
         PostgresConfig(endpoint: .tcp(host: "localhost", port: 5432), username: "u", password: "p", database: "u")),
    ])
    func parsesDatabaseURLs(url: String, expected: PostgresConfig) throws {
        #expect(try PostgresConfig(url: url) == expected)
    }

    @Test(arguments: [
        "mysql://root@localhost/db",
        "postgres:///nohost",
        "postgres://u@h/db?sslmode=sometimes",
        "postgres://u@/db?port=99999&host=/tmp",
    ])
    func rejectsMalformedURLsSayingWhy(url: String) {
        #expect(throws: StoreError.self) { try PostgresConfig(url: url) }
    }

    @Test func redactedURLHidesThePasswordButKeepsTheRest() throws {
        let config = try PostgresConfig(url: "postgres://app:topsecret@db:6543/metrics")
        #expect(config.redactedURL == "postgres://app:***@db:6543/metrics")
        #expect(!config.redactedURL.contains("topsecret"))
        #expect(try PostgresConfig(url: config.url) == config)
    }

    @Test func missingDatabaseURLNamesTheVariable() {
        #expect(throws: StoreError.missingDatabaseURL) { try PostgresConfig.fromEnvironment(environment: [:]) }
        #expect(StoreError.missingDatabaseURL.description.contains("DATABASE_URL"))
    }
}
