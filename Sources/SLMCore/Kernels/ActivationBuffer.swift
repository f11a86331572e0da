#if canImport(SLMKernelsC)
import SLMKernelsC
#endif

/// Memory for quantized activation rows and the kernels' working space, allocated once (per run
/// state) and reused every step.
public final class ActivationBuffer: @unchecked Sendable {
    // Safe because the buffer is owned by one forward pass at a time: `MatrixMultiplier` writes it
    // while quantizing and the kernels only read it afterwards, both within a call of the owner;
    // each thread of a call writes only its own scratch slot.

    /// Usable bytes of activation rows.
    public let capacity: Int
    /// The first byte (64-byte aligned).
    public let base: UnsafeMutableRawPointer
    /// Room for the [d_x, s_x] floats of every block of `maxRows` rows (the panel kernels read them).
    let scales: UnsafeMutablePointer<Float>
    /// Floats `scales` holds.
    let scaleCapacity: Int
    /// Per-thread scratch of the panel kernels: `scratchSlots` slots of `scratchBytes` bytes.
    let scratch: UnsafeMutableRawPointer
    /// Bytes of one scratch slot (64-byte multiple).
    let scratchBytes: Int
    /// Threads that can use the scratch at once.
    let scratchSlots: Int
    /// Room for 3...8 quantized rows interleaved for the panel kernels (nil when `maxRows` < 3).
    let interleaved: UnsafeMutableRawPointer?
    /// Bytes `interleaved` holds.
    let interleavedBytes: Int

    /// A buffer large enough for `maxRows` rows of `maxColumns` activations in any format, used by
    /// pools of up to `maxThreads` threads.
    public init(maxColumns: Int, maxRows: Int, maxThreads: Int = 8) {
        let paddedColumns = (maxColumns + 255) / 256 * 256
        let widestRow = [ActivationFormat.f32, .q8_0, .q8_1, .q8_K]
            .map { $0.rowBytes(columns: paddedColumns) }
            .max() ?? 0
        capacity = Swift.max(64, widestRow * Swift.max(1, maxRows))
        base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
        scaleCapacity = Swift.max(2, paddedColumns / 32 * 2 * Swift.max(1, maxRows))
        scales = UnsafeMutablePointer<Float>.allocate(capacity: scaleCapacity)
        #if canImport(SLMKernelsC)
        let perThread = slm_gemm_panel_scratch_bytes(Int64(paddedColumns / 32))
        #else
        let perThread = 0
        #endif
        scratchBytes = Swift.max(64, (perThread + 63) / 64 * 64)
        scratchSlots = Swift.max(1, maxThreads)
        // Pages are touched only by the threads that use them: slots beyond the pool's threads cost no memory.
        scratch = UnsafeMutableRawPointer.allocate(byteCount: scratchBytes * scratchSlots, alignment: 64)
        #if canImport(SLMKernelsC)
        let interleavedRows = Swift.min(maxRows, Int(SLM_INTERLEAVED_MAX_ROWS))
        interleavedBytes = interleavedRows < 3 ? 0 : slm_interleaved_activation_bytes(Int64(interleavedRows), Int64(paddedColumns / 32))
        interleaved = interleavedBytes == 0 ? nil : UnsafeMutableRawPointer.allocate(byteCount: interleavedBytes, alignment: 64)
        #else
        interleavedBytes = 0
        interleaved = nil
        #endif
    }

    deinit {
        base.deallocate()
        scales.deallocate()
        scratch.deallocate()
        interleaved?.deallocate()
    }
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
    /// The buffer the rows live in, when they were quantized for the panel kernels (their block
    /// scales are then in `buffer.scales`).
    let panelBuffer: ActivationBuffer?
    /// The rows interleaved for the panel kernels over repacked weights, when there are 3...8 of them.
    let interleaved: UnsafeRawPointer?

    /// Rows at `base` in `format`, for the row kernels.
    public init(format: ActivationFormat, rows: Int, columns: Int, rowStride: Int, base: UnsafeRawPointer) {
        self.init(format: format, rows: rows, columns: columns, rowStride: rowStride, base: base, panelBuffer: nil, interleaved: nil)
    }

    init(format: ActivationFormat, rows: Int, columns: Int, rowStride: Int, base: UnsafeRawPointer, panelBuffer: ActivationBuffer?,
         interleaved: UnsafeRawPointer?) {
        self.format = format
        self.rows = rows
        self.columns = columns
        self.rowStride = rowStride
        self.base = base
        self.panelBuffer = panelBuffer
        self.interleaved = interleaved
    }

    /// The first byte of row `r`.
    @inline(__always) public func row(_ r: Int) -> UnsafeRawPointer { base + r * rowStride }
}
