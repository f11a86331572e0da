/// Memory for quantized activation rows, allocated once (per run state) and reused every step.
public final class ActivationBuffer: @unchecked Sendable {
    // Safe because the buffer is owned by one forward pass at a time: `MatrixMultiplier` writes it
    // while quantizing and the kernels only read it afterwards, both within a call of the owner.

    /// Usable bytes.
    public let capacity: Int
    /// The first byte (64-byte aligned).
    public let base: UnsafeMutableRawPointer

    /// A buffer large enough for `maxRows` rows of `maxColumns` activations in any format.
    public init(maxColumns: Int, maxRows: Int) {
        let widestRow = [ActivationFormat.f32, .q8_0, .q8_1, .q8_K]
            .map { $0.rowBytes(columns: (maxColumns + 255) / 256 * 256) }
            .max() ?? 0
        capacity = Swift.max(64, widestRow * Swift.max(1, maxRows))
        base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
    }

    deinit { base.deallocate() }
}

/// Activation rows in the format a weight type's kernel consumes, living in an `ActivationBuffer`.
public struct QuantizedActivations: @unchecked Sendable {
    // Safe because the view is read-only and used only while its buffer's owner keeps it alive.

    /// The format of every row.
    public let format: ActivationFormat
    /// Rows (sequence positions or concurrent sequences).
    public let rows: Int
    /// Activations per row.
    public let columns: Int
    /// Bytes from one row to the next.
    public let rowStride: Int
    /// The first byte of row 0.
    public let base: UnsafeRawPointer

    /// The first byte of row `r`.
    @inline(__always) public func row(_ r: Int) -> UnsafeRawPointer { base + r * rowStride }
}
