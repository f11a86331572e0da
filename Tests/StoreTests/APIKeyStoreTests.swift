import SwitchyardTypes
import Foundation
import GatewayTesting
import PostgresNIO
import Store
import Testing

@Suite struct APIKeyStoreTests {
    @Test func createdKeyAuthenticatesUntilRevoked() async throws {
        try await PostgresHarness.withFreshDatabase { db in
            let keys = APIKeyStore(client: db.client)
            let created = try await keys.create(name: "ci", role: .admin, budgetUSD: 12.5, rateLimitPerMinute: 60)
            let found = try #require(try await keys.authenticate(bearer: created.secret))
            #expect(found.id == created.record.id)
            #expect(found.name == "ci")
            #expect(found.role == .admin)
            #expect(found.budgetUSD == 12.5)
            #expect(found.rateLimitPerMinute == 60)

            #expect(try await keys.authenticate(bearer: created.secret + "x") == nil)
            #expect(try await keys.authenticate(bearer: "Bearer " + created.secret) == nil)
            #expect(try await keys.authenticate(bearer: APIKeySecret.generate()) == nil)

            #expect(try await keys.revoke(id: created.record.id))
            #expect(try await keys.authenticate(bearer: created.secret) == nil)
            #expect(try await keys.revoke(id: created.record.id) == false)
            let listed = try await keys.list()
            #expect(listed.map(\.id) == [created.record.id])
            #expect(listed.first?.revokedAt != nil)
        }
    }

    @Test func onlyTheHashOfTheSecretIsStored() async throws {
        try await PostgresHarness.withFreshDatabase { db in
            let created = try await APIKeyStore(client: db.client).create(name: "x", role: .client)
            let rows = try await db.client.query("SELECT row_to_json(k)::text, encode(key_hash, 'hex') FROM api_keys k")
            var checked = false
            for try await (json, storedHash) in rows.decode((String, String).self) {
                #expect(!json.contains(String(created.secret.dropFirst(6))))
                #expect(storedHash == SHA256.hexDigest(of: created.secret))
                checked = true
            }
            #expect(checked)
        }
    }
}
