/// Matrix products in fp32: each weight row is dequantized once per call, then dotted with every
/// activation row of the batch. Rows are split over the threads of a `ThreadPool`.
final class ExactMatrixMultiplier: @unchecked Sendable {
    // Safe because each thread index owns its own slice of `scratch`, and threads write disjoint output rows.
    /// Weight rows dequantized together, so one pass over an activation row serves all of them.
    static let tileRows = 4
    /// Below this many multiply-adds a product runs on the calling thread.
    static let parallelThreshold = 1 << 16

    let pool: ThreadPool
    let threads: Int
    let maxColumns: Int
    private let scratch: UnsafeMutablePointer<Float>

    init(maxColumns: Int, pool: ThreadPool) {
        self.pool = pool
        threads = pool.threadCount
        self.maxColumns = maxColumns
        scratch = .allocate(capacity: self.threads * Self.tileRows * maxColumns)
    }

    deinit { scratch.deallocate() }

    /// `output[b·w.rows + r] = Σ_c w[r, c] · x[b·w.columns + c]`.
    func multiply(_ w: WeightMatrix, _ x: UnsafePointer<Float>, batch: Int, into output: UnsafeMutablePointer<Float>) {
        precondition(w.columns <= maxColumns, "matrix of \(w.columns) columns, scratch holds \(maxColumns)")
        let work = w.rows * w.columns * batch
        let parts = work < Self.parallelThreshold ? 1 : threads
        if parts == 1 {
            multiplyRows(0..<w.rows, w, x, batch, output, scratch: scratch)
            return
        }
        let tiles = (w.rows + Self.tileRows - 1) / Self.tileRows
        let scratch = self.scratch, stride = Self.tileRows * maxColumns
        // One index per part, so each part owns its scratch slice.
        pool.parallelFor(count: parts) { part in
            let first = tiles * part / parts * Self.tileRows
            let last = min(w.rows, tiles * (part + 1) / parts * Self.tileRows)
            if first < last { self.multiplyRows(first..<last, w, x, batch, output, scratch: scratch + part * stride) }
        }
    }

    private func multiplyRows(_ rows: Range<Int>, _ w: WeightMatrix, _ x: UnsafePointer<Float>, _ batch: Int,
                              _ output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let n = w.columns
        var r = rows.lowerBound
        while r < rows.upperBound {
            let count = min(Self.tileRows, rows.upperBound - r)
            for t in 0..<count { Dequantize.row(r + t, of: w, into: scratch + t * n) }
            for b in 0..<batch {
                let xb = x + b * n
                let out = output + b * w.rows + r
                if count == Self.tileRows {
                    Self.dot4(scratch, xb, n, out)
                } else {
                    for t in 0..<count { out[t] = Self.dot(scratch + t * n, xb, n) }
                }
            }
            r += count
        }
    }

    // MARK: Kernels

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD16<Float> {
        UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self)
    }

    /// Σ a[i]·b[i].
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>()
        var i = 0
        while i + 16 <= n {
            acc += load(a, i) * load(b, i)
            i += 16
        }
        var sum = acc.sum()
        while i < n { sum += a[i] * b[i]; i += 1 }
        return sum
    }

    /// Four dot products of consecutive rows `w[t·n...]` with one `x`, reading `x` once.
    @inline(__always)
    static func dot4(_ w: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int, _ out: UnsafeMutablePointer<Float>) {
        var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
        let w0 = w, w1 = w + n, w2 = w + 2 * n, w3 = w + 3 * n
        var i = 0
        while i + 16 <= n {
            let xv = load(x, i)
            a0 += load(w0, i) * xv
            a1 += load(w1, i) * xv
            a2 += load(w2, i) * xv
            a3 += load(w3, i) * xv
            i += 16
        }
        var s0 = a0.sum(), s1 = a1.sum(), s2 = a2.sum(), s3 = a3.sum()
        while i < n {
            s0 += w0[i] * x[i]; s1 += w1[i] * x[i]; s2 += w2[i] * x[i]; s3 += w3[i] * x[i]
            i += 1
        }
        out[0] = s0; out[1] = s1; out[2] = s2; out[3] = s3
    }
}
