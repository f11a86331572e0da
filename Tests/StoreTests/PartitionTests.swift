import Foundation
import GatewayTesting
import PostgresNIO
import Store
import Testing

@Suite struct PartitionTests {
    @Test func createsPartitionsAheadAndDropsWholeOldDays() async throws {
        try await PostgresHarness.withFreshDatabase { db in
            let maintainer = PartitionMaintainer(client: db.client)
            let now = Date()
            try await maintainer.createAhead(days: 14, now: now)
            let days = try await maintainer.existingDays()
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyy-MM-dd"
            formatter.timeZone = TimeZone(identifier: "UTC")
            #expect(days.contains(formatter.string(from: now.addingTimeInterval(14 * 86_400))))
            #expect(days.contains(formatter.string(from: now)))

            // Rows 40 and 2 days old: dropping with 30-day retention removes only the old day, in both tables.
            let old = sampleRecord(index: 1, daysAgo: 40)
            let recent = sampleRecord(index: 2, daysAgo: 2)
            try await RecordBatchInserter(client: db.client).insert([old, recent])
            let dropped = try await maintainer.dropOlderThan(retentionDays: 30, now: now)
            let oldDay = formatter.string(from: old.startedAt).replacingOccurrences(of: "-", with: "")
            #expect(dropped.contains("requests_p\(oldDay)"))
            #expect(dropped.contains("model_calls_p\(oldDay)"))
            #expect(try await scalarInt(db.client, "SELECT count(*) FROM requests") == 1)
            #expect(try await scalarInt(db.client, "SELECT count(*) FROM model_calls") == 2)
            #expect(!(try await maintainer.existingDays()).contains(formatter.string(from: old.startedAt)))
        }
    }

    @Test func aRowForADayWithoutPartitionGetsOneCreated() async throws {
        try await PostgresHarness.withFreshDatabase { db in
            let farFuture = sampleRecord(index: 0, daysAgo: -400)
            try await RecordBatchInserter(client: db.client).insert([farFuture])
            #expect(try await scalarInt(db.client, "SELECT count(*) FROM requests") == 1)
        }
    }
}

@Suite struct IndexTests {
    /// Every query the gateway and the tuner run, with the index it must use.
    static let queries: [(name: String, sql: String, index: [String])] = [
        ("authenticate an API key",
         "SELECT id, name, role FROM api_keys WHERE key_hash = '\\x00'::bytea AND revoked_at IS NULL", ["api_keys_key_hash_key"]),
        ("a key's spend for its budget",
         KeySpendQuery.sql.replacingOccurrences(of: "$1", with: "'00000000-0000-0000-0000-000000000001'::uuid")
            .replacingOccurrences(of: "$2", with: "now() - interval '30 days'"), ["api_key_id_started_at"]),
        ("a request by id (feedback validation)",
         "SELECT status FROM requests WHERE id = '00000000-0000-0000-0000-000000000001'", ["pkey"]),
        ("a request's model calls",
         "SELECT * FROM model_calls WHERE request_id = '00000000-0000-0000-0000-000000000001'", ["request_id_request_started_at"]),
        ("a request's feedback",
         "SELECT score FROM feedback WHERE request_id = '00000000-0000-0000-0000-000000000001'", ["feedback_request_id_source_source_id_key"]),
        ("the latest routing state",
         "SELECT version FROM routing_state ORDER BY version DESC LIMIT 1", ["routing_state_pkey"]),
        ("tuner: per class and route over a window",
         """
         SELECT class_domain, class_task, route, count(*), avg(cost_usd), avg(latency_ms) FROM requests
         WHERE class_domain = 'medical' AND class_task = 'qa' AND started_at >= now() - interval '7 days'
         GROUP BY class_domain, class_task, route
         """, ["class_domain_class_task", "started_at"]),
        ("tuner: recent feedback",
         "SELECT request_id, score FROM feedback WHERE created_at >= now() - interval '1 day'", ["feedback_created"]),
        ("dashboard: a time window",
         "SELECT count(*) FROM requests WHERE started_at >= now() - interval '1 hour'", ["started_at"]),
        ("model health over a window",
         "SELECT count(*) FROM model_calls WHERE provider = 'openai' AND model = 'gpt-x' AND started_at >= now() - interval '1 hour'",
         ["provider_model_started_at"]),
    ]

    @Test(arguments: 0..<IndexTests.queries.count)
    func everyGatewayAndTunerQueryUsesAnIndex(position: Int) async throws {
        let query = Self.queries[position]
        try await PostgresHarness.withFreshDatabase { db in
            try await RecordBatchInserter(client: db.client).insert((0..<20).map { sampleRecord(index: $0) })
            let plan = try await db.client.withConnection { connection in
                try await connection.query("SET enable_seqscan = off", logger: testLogger)
                let rows = try await connection.query(PostgresQuery(unsafeSQL: "EXPLAIN " + query.sql), logger: testLogger)
                var text = ""
                for try await line in rows.decode(String.self) { text += line + "\n" }
                return text
            }
            #expect(!plan.contains("Seq Scan"), "\(query.name) scans a table sequentially: \(plan)")
            #expect(query.index.contains { plan.contains($0) }, "\(query.name) does not use an index named like \(query.index): \(plan)")
        }
    }
}
