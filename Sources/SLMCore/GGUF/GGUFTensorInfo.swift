/// Where one tensor lives in a GGUF file and what it holds.
public struct GGUFTensorInfo: Sendable, Equatable {
    /// The tensor's name, such as `blk.0.attn_q.weight`.
    public let name: String
    /// GGML `ne`: the innermost (contiguous) dimension first.
    public let dimensions: [Int]
    /// The element type.
    public let type: GGMLType
    /// Offset from the start of the data section, in bytes.
    public let offset: Int
    /// Bytes the tensor occupies.
    public let byteCount: Int

    /// Number of elements.
    public var elementCount: Int { dimensions.reduce(1, *) }
    /// Elements per row (the innermost dimension).
    public var columns: Int { dimensions.first ?? 1 }
    /// Number of rows (product of the outer dimensions).
    public var rows: Int { dimensions.dropFirst().reduce(1, *) }
}
