/// How a session computes its matrix products, chosen once when the session is made.
///
/// The forward pass calls `MatrixEngine.multiply` at every product; that one call site switches on
/// the path, so a faster kernel (say, int8 activations against quantized blocks) is a new case
/// here, not a change to the forward pass.
public enum ComputePath: Sendable, Equatable, CustomStringConvertible {
    /// Weights dequantized to fp32 a few rows at a time, activations and K/V in fp32.
    case exact

    public var description: String {
        switch self {
        case .exact: "exact (fp32)"
        }
    }
}

/// The matrix products of one session, on the path it was made with.
final class MatrixEngine: @unchecked Sendable {
    // Safe because a session uses its engine from one thread at a time; the engine's worker
    // threads write only their own scratch rows and disjoint output rows.
    let path: ComputePath
    private let exact: ExactMatrixMultiplier

    init(path: ComputePath, maxColumns: Int, threads: Int) {
        self.path = path
        self.exact = ExactMatrixMultiplier(maxColumns: maxColumns, threads: threads)
    }

    /// `output[b·w.rows + r] = Σ_c w[r, c] · x[b·w.columns + c]` for `b` in `0..<batch`.
    @inline(__always)
    func multiply(_ w: WeightMatrix, _ x: UnsafePointer<Float>, batch: Int, into output: UnsafeMutablePointer<Float>) {
        switch path {
        case .exact: exact.multiply(w, x, batch: batch, into: output)
        }
    }
}
