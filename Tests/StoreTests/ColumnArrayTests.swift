import Foundation
import GatewayTesting
import PostgresNIO
import Testing
@testable import Store

@Suite struct ColumnArrayTests {
    /// One value to append, with its column type.
    enum Sample: Sendable, CustomTestStringConvertible {
        case int4(Int32), int8(Int64), bool(Bool), float8(Double), text(String?), timestamp(Date), uuid(UUID)

        var type: ColumnType {
            switch self {
            case .int4: .int4
            case .int8: .int8
            case .bool: .bool
            case .float8: .float8
            case .text: .text
            case .timestamp: .timestamptz
            case .uuid: .uuid
            }
        }

        func append(to array: inout ColumnArray) {
            switch self {
            case .int4(let v): array.append(int4: v)
            case .int8(let v): array.append(int8: v)
            case .bool(let v): array.append(bool: v)
            case .float8(let v): array.append(float8: v)
            case .text(let v?): array.append(text: v)
            case .text(nil): array.appendNull()
            case .timestamp(let v): array.append(timestamp: v)
            case .uuid(let v): array.append(uuid: v)
            }
        }

        var testDescription: String { "\(self)" }
    }

    /// The bytes of one element as the array carries it: a length, then the value, big-endian.
    @Test(arguments: [
        (Sample.int4(258), [0, 0, 0, 4, 0, 0, 1, 2] as [UInt8]),
        (.int8(-2), [0, 0, 0, 8, 255, 255, 255, 255, 255, 255, 255, 254]),
        (.bool(true), [0, 0, 0, 1, 1]),
        (.float8(1.5), [0, 0, 0, 8, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0]),
        (.text("a\u{0}é"), [0, 0, 0, 3, 0x61, 0xC3, 0xA9]),
        (.text(nil), [255, 255, 255, 255]),
        (.timestamp(Date(timeIntervalSince1970: 946_684_800.000_001)), [0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1]),
        (.timestamp(Date(timeIntervalSince1970: 946_684_799.999_999)), [0, 0, 0, 8, 255, 255, 255, 255, 255, 255, 255, 255]),
        (.uuid(UUID(uuidString: "00010203-0405-0607-0809-0A0B0C0D0E0F")!), [0, 0, 0, 16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]),
    ])
    func encodesEachElementInBinaryFormat(sample: Sample, expected: [UInt8]) {
        var array = ColumnArray(type: sample.type)
        sample.append(to: &array)
        #expect(array.elements == expected)
        #expect(array.count == 1)
    }

    @Test func headerCarriesOneDimensionTheNullFlagAndTheElementType() {
        var array = ColumnArray(type: .int4)
        array.append(int4: 7)
        array.appendNull()
        var buffer = ByteBuffer()
        array.encode(into: &buffer, context: .default)
        let header = buffer.readBytes(length: 20)
        // ndim 1, has nulls, element OID 23, 2 elements, lower bound 1.
        #expect(header == [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 23, 0, 0, 0, 2, 0, 0, 0, 1])
        #expect(buffer.readableBytes == array.elements.count)
    }

    @Test func statementNamesEveryColumnAndBatchCountsRows() {
        let sql = ColumnBatch.insertStatement(table: "t", columns: [("a", .uuid), ("b", .float8)])
        #expect(sql == "INSERT INTO t (a, b) SELECT * FROM unnest($1::uuid[], $2::float8[]) ON CONFLICT DO NOTHING")
        var batch = ColumnBatch(columns: [("a", .uuid), ("b", .float8)])
        batch.uuid(nil); batch.double(2); batch.endRow()
        #expect(batch.rows == 1)
        #expect(batch.arrays.map(\.count) == [1, 1])
    }

    /// Every kind of value the writer sends comes back from PostgreSQL unchanged.
    @Test func roundTripsEdgeValuesThroughPostgreSQL() async throws {
        try await PostgresHarness.withFreshDatabase { db in
            let id = UUID()
            let date = Date(timeIntervalSince1970: -1.25)
            let texts: [String?] = ["tab\there\nline", "quote\"d back\\slash", "ünïcødé ✓", "", nil, "nul\u{0}gone"]
            let doubles: [Double?] = [0.25, .infinity, -.infinity, nil, 1e-300, -0.0]
            var batch = ColumnBatch(columns: [("u", .uuid), ("t", .timestamptz), ("x", .text), ("d", .float8), ("i", .int4), ("l", .int8), ("b", .bool)])
            for row in 0..<texts.count {
                batch.uuid(row == 0 ? id : nil); batch.timestamp(date); batch.text(texts[row]); batch.double(doubles[row])
                batch.int4(row == 1 ? Int32.min : Int32(row)); batch.int8(row == 2 ? Int64.max : nil); batch.bool(row % 2 == 0)
                batch.endRow()
            }
            let rows = try await db.client.query(PostgresQuery(
                unsafeSQL: "SELECT u, extract(epoch FROM t)::float8, x, d, i, l, b FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::float8[], $5::int4[], $6::int8[], $7::bool[]) AS r(u, t, x, d, i, l, b)",
                binds: batch.bindings))
            var index = 0
            for try await (u, epoch, x, d, i, l, b) in rows.decode((UUID?, Double, String?, Double?, Int32, Int64?, Bool).self) {
                #expect(u == (index == 0 ? id : nil))
                #expect(epoch == -1.25)
                #expect(x == texts[index].map { $0.replacingOccurrences(of: "\u{0}", with: "") })
                #expect(d == doubles[index])
                #expect(i == (index == 1 ? Int32.min : Int32(index)))
                #expect(l == (index == 2 ? Int64.max : nil))
                #expect(b == (index % 2 == 0))
                index += 1
            }
            #expect(index == texts.count)
            // NaN is not equal to itself: checked on its own.
            var nan = ColumnBatch(columns: [("d", .float8)])
            nan.double(.nan); nan.endRow()
            let isNaN = try await db.client.query(PostgresQuery(unsafeSQL: "SELECT d = 'NaN'::float8 FROM unnest($1::float8[]) AS r(d)", binds: nan.bindings))
            var sawNaN = false
            for try await value in isNaN.decode(Bool.self) { sawNaN = value }
            #expect(sawNaN)
        }
    }
}
