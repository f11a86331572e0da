import Foundation
import PostgresNIO

/// The PostgreSQL type of one column in a ``ColumnArray``.
enum ColumnType: Sendable, Equatable {
    case uuid, timestamptz, text, float8, int4, int8, bool

    /// The element type's OID.
    var elementOID: UInt32 {
        switch self {
        case .uuid: 2950
        case .timestamptz: 1184
        case .text: 25
        case .float8: 701
        case .int4: 23
        case .int8: 20
        case .bool: 16
        }
    }

    /// The array type a parameter of this column is sent as.
    var arrayType: PostgresDataType {
        switch self {
        case .uuid: .uuidArray
        case .timestamptz: .timestamptzArray
        case .text: .textArray
        case .float8: .float8Array
        case .int4: .int4Array
        case .int8: .int8Array
        case .bool: .boolArray
        }
    }

    /// The SQL spelling of the array type, for casts in `unnest($1::uuid[], ...)`.
    var sqlArrayName: String {
        switch self {
        case .uuid: "uuid[]"
        case .timestamptz: "timestamptz[]"
        case .text: "text[]"
        case .float8: "float8[]"
        case .int4: "int4[]"
        case .int8: "int8[]"
        case .bool: "bool[]"
        }
    }
}

/// One column of a batch as a one-dimensional PostgreSQL array in binary format, NULLs allowed.
///
/// A batch is sent as one array per column and inserted with `SELECT * FROM unnest($1, $2, ...)`:
/// no text parsing on the server, one parameter per column whatever the batch size.
struct ColumnArray: PostgresDynamicTypeEncodable, Sendable {
    /// The type of every element.
    let type: ColumnType
    /// Elements as they go on the wire: a big-endian Int32 length (-1 for NULL), then the value.
    private(set) var elements: [UInt8] = []
    /// Number of elements.
    private(set) var count = 0
    private var hasNull = false

    /// An empty column of `type`, with room for about `rows` elements.
    init(type: ColumnType, reservingRows rows: Int = 0) {
        self.type = type
        elements.reserveCapacity(rows * (4 + Self.typicalWidth(type)))
    }

    var psqlType: PostgresDataType { type.arrayType }
    var psqlFormat: PostgresFormat { .binary }

    /// Writes the array header (one dimension, lower bound 1) and the elements.
    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeInteger(Int32(count == 0 ? 0 : 1))
        buffer.writeInteger(Int32(hasNull ? 1 : 0))
        buffer.writeInteger(type.elementOID)
        if count > 0 {
            buffer.writeInteger(Int32(count))
            buffer.writeInteger(Int32(1))
            buffer.writeBytes(elements)
        }
    }

    // MARK: Appending (the caller guarantees the element matches `type`)

    mutating func appendNull() {
        integer(Int32(-1))
        hasNull = true
        count += 1
    }

    mutating func append(uuid value: UUID) {
        integer(Int32(16))
        withUnsafeBytes(of: value.uuid) { elements.append(contentsOf: $0) }
        count += 1
    }

    /// Microseconds since 2000-01-01 UTC, rounded like ``PostgresTimestamp`` (the same `Date` always
    /// gives the same value, so a replayed row meets its original in the primary key).
    mutating func append(timestamp value: Date) {
        integer(Int32(8))
        integer(PostgresTimestamp.microseconds(value) - Self.postgresEpochMicros)
        count += 1
    }

    /// UTF-8 text; NUL bytes, which PostgreSQL text cannot hold, are dropped.
    mutating func append(text value: String) {
        var value = value
        value.withUTF8 { utf8 in
            if !utf8.contains(0) {
                integer(Int32(utf8.count))
                elements.append(contentsOf: utf8)
            } else {
                let kept = utf8.filter { $0 != 0 }
                integer(Int32(kept.count))
                elements.append(contentsOf: kept)
            }
        }
        count += 1
    }

    /// IEEE 754 bits: NaN and infinities arrive as such.
    mutating func append(float8 value: Double) {
        integer(Int32(8))
        integer(value.bitPattern)
        count += 1
    }

    mutating func append(int4 value: Int32) {
        integer(Int32(4))
        integer(value)
        count += 1
    }

    mutating func append(int8 value: Int64) {
        integer(Int32(8))
        integer(value)
        count += 1
    }

    mutating func append(bool value: Bool) {
        integer(Int32(1))
        elements.append(value ? 1 : 0)
        count += 1
    }

    // MARK: Helpers

    /// 2000-01-01 00:00:00 UTC in microseconds since 1970.
    static let postgresEpochMicros: Int64 = 946_684_800_000_000

    private mutating func integer<I: FixedWidthInteger>(_ value: I) {
        withUnsafeBytes(of: value.bigEndian) { elements.append(contentsOf: $0) }
    }

    private static func typicalWidth(_ type: ColumnType) -> Int {
        switch type {
        case .uuid: 16
        case .timestamptz, .float8, .int8: 8
        case .int4: 4
        case .bool: 1
        case .text: 16
        }
    }
}
