/// How a session computes its matrix products, chosen once when the session is made.
///
/// The forward pass calls `MatrixEngine.multiply` at every product; that one call site switches on
/// the path, so a faster kernel is a new case here, not a change to the forward pass.
public enum ComputePath: Sendable, Equatable, CustomStringConvertible {
    /// Weights dequantized to fp32 a few rows at a time, activations in fp32 (K/V in the fp16
    /// cache, as on every path). Slow; the tight reference against an fp32 implementation.
    case exact
    /// Activations rounded to 8 bits per block and multiplied with integer dot products against
    /// the weight blocks (as llama.cpp does on CPU); K/V in the fp16 cache. The default.
    case quantized

    /// The path sessions use unless told otherwise.
    public static let `default`: ComputePath = .quantized

    /// The path named `name` (`exact` or `quantized`), or nil.
    public init?(name: String) {
        switch name {
        case "exact": self = .exact
        case "quantized": self = .quantized
        default: return nil
        }
    }

    /// The short name `init(name:)` accepts.
    public var name: String {
        switch self {
        case .exact: "exact"
        case .quantized: "quantized"
        }
    }

    public var description: String {
        switch self {
        case .exact: "exact (fp32)"
        case .quantized: "quantized (int8 activations, \(KernelSet.best) kernels)"
        }
    }
}

/// The matrix products of one session (or one batch step), on the path it was made with.
///
/// On the quantized path, activations are quantized once per call and shared by the two or three
/// products that read them (Q, K, V; gate, up). Weight types without an integer kernel fall back
/// to the exact multiplier, so every model the exact path runs also runs here.
final class MatrixEngine: @unchecked Sendable {
    // Safe because an engine is used from one thread at a time (its session's or batch step's);
    // the pool's workers write only disjoint output rows and their own scratch slices.
    let path: ComputePath
    private let exact: ExactMatrixMultiplier
    private let matmul: MatrixMultiplier
    private let activations: ActivationBuffer

    init(path: ComputePath, maxColumns: Int, maxRows: Int, pool: ThreadPool) {
        self.path = path
        exact = ExactMatrixMultiplier(maxColumns: maxColumns, pool: pool)
        matmul = MatrixMultiplier(pool: pool)
        activations = ActivationBuffer(maxColumns: path == .quantized ? maxColumns : 1, maxRows: path == .quantized ? maxRows : 1)
    }

    /// `output[b·w.rows + r] = Σ_c w[r, c] · x[b·w.columns + c]` for `b` in `0..<batch`.
    @inline(__always)
    func multiply(_ w: WeightMatrix, _ x: UnsafePointer<Float>, batch: Int, into output: UnsafeMutablePointer<Float>) {
        multiply(MatrixProduct(w, into: output), nil, nil, x, batch: batch)
    }

    /// Two or three products of the same activation rows `x` (`batch × columns`), each into its own output.
    func multiply(_ first: MatrixProduct, _ second: MatrixProduct?, _ third: MatrixProduct?,
                  _ x: UnsafePointer<Float>, batch: Int) {
        switch path {
        case .exact:
            exact.multiply(first.weights, x, batch: batch, into: first.output)
            if let second { exact.multiply(second.weights, x, batch: batch, into: second.output) }
            if let third { exact.multiply(third.weights, x, batch: batch, into: third.output) }
        case .quantized:
            let type = first.weights.type
            let shareable = ActivationFormat(weights: type) != nil
                && (second.map { ActivationFormat(weights: $0.weights.type) == ActivationFormat(weights: type) } ?? true)
                && (third.map { ActivationFormat(weights: $0.weights.type) == ActivationFormat(weights: type) } ?? true)
            if shareable {
                let q = matmul.quantize(x, rows: batch, columns: first.weights.columns, for: type, into: activations)
                matmul.multiply(first, second, third, q)
            } else {
                single(first, x, batch: batch)
                if let second { single(second, x, batch: batch) }
                if let third { single(third, x, batch: batch) }
            }
        }
    }

    /// One product on the quantized path, or the exact one when no kernel takes its weight type.
    private func single(_ product: MatrixProduct, _ x: UnsafePointer<Float>, batch: Int) {
        let w = product.weights
        if ActivationFormat(weights: w.type) != nil {
            let q = matmul.quantize(x, rows: batch, columns: w.columns, for: w.type, into: activations)
            matmul.multiply(w, q, into: product.output)
        } else {
            exact.multiply(w, x, batch: batch, into: product.output)
        }
    }
}
