import Foundation

/// Builds a JSON array of row objects (`[{"column":"value",...},...]`) for
/// `json_populate_recordset`, with every value as a JSON string or `null` so that PostgreSQL's own
/// input functions parse it (this keeps NaN and infinities, which JSON numbers cannot carry).
struct JSONRows {
    private(set) var bytes: [UInt8]
    private let keys: [[UInt8]]
    private var field = 0
    private var rows = 0

    /// Rows whose fields come in the order of `columns`.
    init(columns: [String], reservingRows rows: Int = 0) {
        keys = columns.map { Array("\"\($0)\":".utf8) }
        bytes = [UInt8(ascii: "[")]
        bytes.reserveCapacity(1 + rows * columns.count * 24)
    }

    var isEmpty: Bool { rows == 0 }

    /// The finished array as text.
    var text: String { String(decoding: bytes + [UInt8(ascii: "]")], as: UTF8.self) }

    mutating func null() { key(); bytes.append(contentsOf: Array("null".utf8)) }

    mutating func text(_ value: String?) {
        guard let value else { return null() }
        key()
        bytes.append(UInt8(ascii: "\""))
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            bytes.append(contentsOf: value.utf8)
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0: continue  // PostgreSQL text cannot hold NUL
            case 0x01...0x1F:
                let digits = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(digits[Int(byte >> 4)])
                bytes.append(digits[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func uuid(_ value: UUID?) { plain(value?.uuidString) }
    mutating func integer<I: BinaryInteger>(_ value: I?) { plain(value.map { String($0) }) }
    mutating func bool(_ value: Bool) { plain(value ? "t" : "f") }
    mutating func timestamp(_ value: Date) { plain(PostgresTimestamp.text(value)) }

    mutating func double(_ value: Double?) {
        guard let value else { return null() }
        if value.isNaN { plain("NaN") }
        else if value == .infinity { plain("Infinity") }
        else if value == -.infinity { plain("-Infinity") }
        else { plain(String(value)) }
    }

    mutating func endRow() {
        bytes.append(UInt8(ascii: "}"))
        field = 0
        rows += 1
    }

    /// A value known to need no escaping.
    private mutating func plain(_ value: String?) {
        guard let value else { return null() }
        key()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: value.utf8)
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func key() {
        if field == 0 {
            if rows > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "{"))
        } else {
            bytes.append(UInt8(ascii: ","))
        }
        bytes.append(contentsOf: keys[field])
        field += 1
    }
}
