/// A GGML tensor element type, with the raw values GGUF files store.
///
/// Block-quantized types pack `blockSize` consecutive elements of a row into `bytesPerBlock` bytes.
public enum GGMLType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case f32 = 0
    case f16 = 1
    case q4_0 = 2
    case q4_1 = 3
    case q5_0 = 6
    case q5_1 = 7
    case q8_0 = 8
    case q8_1 = 9
    case q2_K = 10
    case q3_K = 11
    case q4_K = 12
    case q5_K = 13
    case q6_K = 14
    case q8_K = 15
    case bf16 = 30

    /// Elements per block (1 for plain float types).
    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16: 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1: 32
        case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .q8_K: 256
        }
    }

    /// Bytes per block, as GGML lays them out.
    public var bytesPerBlock: Int {
        switch self {
        case .f32: 4
        case .f16, .bf16: 2
        case .q4_0: 18    // f16 d, 16 bytes of nibbles
        case .q4_1: 20    // f16 d, f16 m, 16 bytes of nibbles
        case .q5_0: 22    // f16 d, 4 bytes high bits, 16 bytes of nibbles
        case .q5_1: 24    // f16 d, f16 m, 4 bytes high bits, 16 bytes of nibbles
        case .q8_0: 34    // f16 d, 32 int8
        case .q8_1: 36    // f16 d, f16 s (= d * sum of quants), 32 int8
        case .q2_K: 84
        case .q3_K: 110
        case .q4_K: 144   // f16 d, f16 dmin, 12 bytes of 6-bit scales/mins, 128 bytes of nibbles
        case .q5_K: 176   // as Q4_K plus 32 bytes of high bits
        case .q6_K: 210   // 128 bytes low nibbles, 64 bytes high 2 bits, 16 int8 scales, f16 d
        case .q8_K: 292   // f32 d, 256 int8, 16 int16 block sums
        }
    }

    /// Bytes needed for a row of `count` elements, or nil when `count` is not a whole number of blocks.
    public func rowBytes(count: Int) -> Int? {
        guard count >= 0, count % blockSize == 0 else { return nil }
        let (bytes, overflow) = (count / blockSize).multipliedReportingOverflow(by: bytesPerBlock)
        return overflow ? nil : bytes
    }

    public var description: String {
        switch self {
        case .f32: "F32"
        case .f16: "F16"
        case .bf16: "BF16"
        case .q4_0: "Q4_0"
        case .q4_1: "Q4_1"
        case .q5_0: "Q5_0"
        case .q5_1: "Q5_1"
        case .q8_0: "Q8_0"
        case .q8_1: "Q8_1"
        case .q2_K: "Q2_K"
        case .q3_K: "Q3_K"
        case .q4_K: "Q4_K"
        case .q5_K: "Q5_K"
        case .q6_K: "Q6_K"
        case .q8_K: "Q8_K"
        }
    }
}

/// A read-only view of a 2-D weight matrix inside the mapped model file.
///
/// Row `r` holds the `columns` input weights of output unit `r` (GGML shape `[columns, rows]`),
/// stored as `columns / type.blockSize` consecutive blocks. The memory belongs to the mapped file,
/// which must outlive the view.
public struct WeightMatrix: @unchecked Sendable {
    // Safe because the memory is a read-only mapping that the model keeps alive for its whole life.
    public let type: GGMLType
    public let rows: Int
    public let columns: Int
    public let base: UnsafeRawPointer
    /// Bytes from one row to the next.
    public let rowStride: Int
    /// The same weights repacked into the panel kernels' order (`KernelSet.packPanels`), if they
    /// were: products on the panel kernels then read these instead of the rows at `base`.
    public let panels: UnsafeRawPointer?

    public init(type: GGMLType, rows: Int, columns: Int, base: UnsafeRawPointer) {
        self.init(type: type, rows: rows, columns: columns, base: base, panels: nil)
    }

    private init(type: GGMLType, rows: Int, columns: Int, base: UnsafeRawPointer, panels: UnsafeRawPointer?) {
        precondition(columns % type.blockSize == 0, "columns must be whole blocks")
        self.type = type
        self.rows = rows
        self.columns = columns
        self.base = base
        self.rowStride = (columns / type.blockSize) * type.bytesPerBlock
        self.panels = panels
    }

    /// This matrix with its repacked copy at `panels`, which must outlive the view.
    public func withPanels(_ panels: UnsafeRawPointer) -> WeightMatrix {
        WeightMatrix(type: type, rows: rows, columns: columns, base: base, panels: panels)
    }

    /// The first byte of row `r`.
    @inline(__always) public func row(_ r: Int) -> UnsafeRawPointer { base + r * rowStride }
}
