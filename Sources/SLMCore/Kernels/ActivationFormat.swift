/// The 8-bit activation format a weight type's integer dot product consumes.
public enum ActivationFormat: Sendable, Equatable {
    /// Plain floats (for F32/F16 weights).
    case f32
    /// `BlockQ8_0` blocks of 32.
    case q8_0
    /// `BlockQ8_1` blocks of 32.
    case q8_1
    /// `BlockQ8_K` blocks of 256.
    case q8_K

    /// The activation format paired with weights of `type`, or nil when no kernel handles `type`.
    public init?(weights type: GGMLType) {
        switch type {
        case .f32, .f16: self = .f32
        case .q4_0, .q4_1: self = .q8_1
        case .q8_0, .q5_0: self = .q8_0
        case .q4_K, .q5_K, .q6_K: self = .q8_K
        default: return nil
        }
    }

    /// Elements per block.
    public var blockSize: Int {
        switch self {
        case .f32: 1
        case .q8_0, .q8_1: 32
        case .q8_K: 256
        }
    }

    /// Bytes per block.
    public var bytesPerBlock: Int {
        switch self {
        case .f32: 4
        case .q8_0: 34
        case .q8_1: 36
        case .q8_K: 292
        }
    }

    /// Bytes for one row of `columns` elements (`columns` a multiple of `blockSize`).
    public func rowBytes(columns: Int) -> Int { columns / blockSize * bytesPerBlock }
}
