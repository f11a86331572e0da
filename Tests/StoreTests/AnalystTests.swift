import Foundation
import GatewayTesting
import PostgresNIO
import Store
import Testing

@Suite struct AnalystTests {
    /// The SQL blocks of docs/sql.md, in order.
    static func documentedQueries(filePath: String = #filePath) throws -> [String] {
        let root = try PostgresHarness.packageRoot(filePath: filePath)
        let path = root.appendingPathComponent("docs/sql.md").path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            Issue.record("docs/sql.md is missing at \(path)")
            return []
        }
        var queries: [String] = []
        var current: [String]? = nil
        for line in text.components(separatedBy: "\n") {
            if current == nil, line.trimmingCharacters(in: .whitespaces) == "```sql" { current = []; continue }
            if current != nil, line.trimmingCharacters(in: .whitespaces) == "```" {
                queries.append(current!.joined(separator: "\n")); current = nil; continue
            }
            current?.append(line)
        }
        return queries.map { $0.trimmingCharacters(in: .whitespacesAndNewlines).trimmingCharacters(in: CharacterSet(charactersIn: ";")) }
    }

    @Test func docsAnswerAtLeastTenQuestions() throws {
        #expect(try Self.documentedQueries().count >= 10)
    }

    @Test func everyDocumentedQueryRunsAsTheAnalystRoleAndFindsSeededData() async throws {
        let queries = try Self.documentedQueries()
        try #require(queries.count >= 10)
        try await PostgresHarness.withFreshDatabase { db in
            try await AnalystSeed.seed(db.client)
            for (number, sql) in queries.enumerated() {
                let firstRow = try await db.client.withConnection { connection -> [Bool]? in
                    try await connection.query("SET ROLE switchyard_analyst", logger: testLogger)
                    do {
                        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: testLogger)
                        var nulls: [Bool]? = nil
                        for try await row in rows where nulls == nil { nulls = row.map { $0.bytes == nil } }
                        try await connection.query("RESET ROLE", logger: testLogger)
                        return nulls
                    } catch {
                        _ = try? await connection.query("RESET ROLE", logger: testLogger)
                        Issue.record("docs/sql.md query \(number + 1) failed: \(String(reflecting: error))\n\(sql)")
                        return nil
                    }
                }
                let nulls = try #require(firstRow, "docs/sql.md query \(number + 1) returned no rows on seeded data")
                #expect(!nulls.contains(true), "docs/sql.md query \(number + 1): first row has NULL columns \(nulls)")
            }
        }
    }

    @Test func analystLoginReadsViewsButIsDeniedTablesKeysAndText() async throws {
        try await PostgresHarness.withFreshDatabase { db in
            try await AnalystSeed.seed(db.client)
            let login = "analyst_" + String(UInt32.random(in: 0 ... .max), radix: 16)
            let password = "pw" + String(UInt64.random(in: 0 ... .max), radix: 16)
            try await db.client.query(PostgresQuery(unsafeSQL: "CREATE ROLE \(login) LOGIN PASSWORD '\(password)' IN ROLE switchyard_analyst"))
            var analyst = db.config
            analyst.username = login
            analyst.password = password

            let allowed = try Psql.run(analyst, "SELECT count(*) FROM v_route_daily")
            #expect(allowed.status == 0, "analyst could not read v_route_daily: \(allowed.error)")
            #expect((Int(allowed.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0)
            let spend = try Psql.run(analyst, "SELECT count(*) FROM v_key_spend WHERE key_name = 'ops'")
            #expect(spend.status == 0 && (Int(spend.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0)

            let denied: [(sql: String, message: String)] = [
                ("SELECT * FROM api_keys", "permission denied for table api_keys"),
                ("SELECT key_hash FROM api_keys", "permission denied for table api_keys"),
                ("SELECT prompt_content FROM requests", "permission denied for table requests"),
                ("SELECT answer_content FROM requests_p" + Self.today(), "permission denied for table requests_p"),
                ("SELECT comment FROM feedback", "permission denied for table feedback"),
                ("SELECT * FROM model_calls", "permission denied for table model_calls"),
                ("SELECT * FROM schema_migrations", "permission denied for table schema_migrations"),
                ("SELECT prompt_content FROM v_requests", "column \"prompt_content\" does not exist"),
                ("SELECT comment FROM v_feedback", "column \"comment\" does not exist"),
                ("INSERT INTO feedback (request_id, source, score) VALUES (gen_random_uuid(), 'user', 1)", "permission denied for table feedback"),
                ("CREATE TABLE mine (id int)", "permission denied for schema public"),
                ("SELECT switchyard_drop_partitions_before(current_date)", "permission denied for function switchyard_drop_partitions_before"),
            ]
            for (sql, message) in denied {
                let result = try Psql.run(analyst, sql)
                #expect(result.status != 0, "analyst was allowed: \(sql)")
                #expect(result.error.contains(message), "\(sql): expected '\(message)', got '\(result.error)'")
            }
            try await db.client.query(PostgresQuery(unsafeSQL: "DROP ROLE \(login)"))
        }
    }

    static func today() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }
}

/// Runs `psql` (libpq) for one statement and captures its output.
enum Psql {
    struct Result { var status: Int32; var output: String; var error: String }

    static func run(_ config: PostgresConfig, _ sql: String) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", config.url, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql]
        var environment = ProcessInfo.processInfo.environment
        environment["PGCONNECT_TIMEOUT"] = "5"
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch {
            Issue.record("cannot run psql (install postgresql-client): \(error)")
            throw error
        }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
                      error: String(decoding: errors, as: UTF8.self))
    }
}
