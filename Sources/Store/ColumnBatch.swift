import Foundation
import PostgresNIO

/// Rows of one table gathered column by column: one ``ColumnArray`` per column, filled a row at a
/// time in the order of `columns`, then sent as one array parameter per column.
struct ColumnBatch {
    /// Column names and types, in insert order.
    let columns: [(name: String, type: ColumnType)]
    private(set) var arrays: [ColumnArray]
    private var field = 0
    /// Complete rows so far.
    private(set) var rows = 0

    /// An empty batch for `columns`, with room for about `rows` rows.
    init(columns: [(name: String, type: ColumnType)], reservingRows rows: Int = 0) {
        self.columns = columns
        arrays = columns.map { ColumnArray(type: $0.type, reservingRows: rows) }
    }

    var isEmpty: Bool { rows == 0 }

    /// `INSERT INTO table (columns) SELECT * FROM unnest($1::type[], ...) ON CONFLICT DO NOTHING`:
    /// a row already present (a replay) is left alone.
    static func insertStatement(table: String, columns: [(name: String, type: ColumnType)]) -> String {
        let names = columns.map(\.name).joined(separator: ", ")
        let arrays = columns.enumerated().map { "$\($0.offset + 1)::\($0.element.type.sqlArrayName)" }.joined(separator: ", ")
        return "INSERT INTO \(table) (\(names)) SELECT * FROM unnest(\(arrays)) ON CONFLICT DO NOTHING"
    }

    /// One bind per column.
    var bindings: PostgresBindings {
        var binds = PostgresBindings(capacity: arrays.count)
        for array in arrays { binds.append(array) }
        return binds
    }

    // MARK: Fields, in column order

    mutating func uuid(_ value: UUID?) {
        let i = next(.uuid)
        if let value { arrays[i].append(uuid: value) } else { arrays[i].appendNull() }
    }

    mutating func timestamp(_ value: Date) { arrays[next(.timestamptz)].append(timestamp: value) }

    mutating func text(_ value: String?) {
        let i = next(.text)
        if let value { arrays[i].append(text: value) } else { arrays[i].appendNull() }
    }

    mutating func double(_ value: Double?) {
        let i = next(.float8)
        if let value { arrays[i].append(float8: value) } else { arrays[i].appendNull() }
    }

    /// An `integer` column; values beyond Int32 are clamped (token counts and statuses never get there).
    mutating func int4<I: BinaryInteger>(_ value: I?) {
        let i = next(.int4)
        if let value { arrays[i].append(int4: Int32(clamping: value)) } else { arrays[i].appendNull() }
    }

    mutating func int8<I: BinaryInteger>(_ value: I?) {
        let i = next(.int8)
        if let value { arrays[i].append(int8: Int64(clamping: value)) } else { arrays[i].appendNull() }
    }

    mutating func bool(_ value: Bool) { arrays[next(.bool)].append(bool: value) }

    /// Closes the row; every column must have had its field.
    mutating func endRow() {
        precondition(field == columns.count, "row has \(field) fields for \(columns.count) columns")
        field = 0
        rows += 1
    }

    /// The index of the next column, checked against the type the caller is writing.
    private mutating func next(_ type: ColumnType) -> Int {
        precondition(field < columns.count && columns[field].type == type,
                     "field \(field) written as \(type), but the column is \(field < columns.count ? "\(columns[field].name) \(columns[field].type)" : "past the end")")
        defer { field += 1 }
        return field
    }
}
