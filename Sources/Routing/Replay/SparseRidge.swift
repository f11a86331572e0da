/// A sparse row of features: bucket indices and their values.
struct SparseRow: Sendable {
    var indices: [Int32]
    var values: [Double]

    func dot(_ weights: [Double]) -> Double {
        var sum = 0.0
        for k in indices.indices { sum += values[k] * weights[Int(indices[k])] }
        return sum
    }
}

/// Ridge regression on sparse rows: minimizes ‖Xw − y‖² + λ‖w‖², solved by conjugate gradient on
/// (XᵀX + λI) w = Xᵀy without forming XᵀX.
struct SparseRidge: Sendable {
    var dimension: Int
    var lambda: Double
    var iterations: Int = 60
    var tolerance: Double = 1e-6

    /// The weights for rows `x` and targets `y`.
    func fit(_ x: [SparseRow], _ y: [Double]) -> [Double] {
        var b = [Double](repeating: 0, count: dimension)
        for (row, target) in zip(x, y) { row.addScaled(target, into: &b) }
        var w = [Double](repeating: 0, count: dimension)
        var r = b
        var p = r
        var rr = dotDense(r, r)
        let stop = tolerance * tolerance * max(rr, 1e-300)
        var ap = [Double](repeating: 0, count: dimension)
        for _ in 0..<iterations where rr > stop {
            apply(x, p, into: &ap)
            let alpha = rr / dotDense(p, ap)
            for i in 0..<dimension { w[i] += alpha * p[i]; r[i] -= alpha * ap[i] }
            let next = dotDense(r, r)
            let beta = next / rr
            rr = next
            for i in 0..<dimension { p[i] = r[i] + beta * p[i] }
        }
        return w
    }

    /// out = (XᵀX + λI) v.
    private func apply(_ x: [SparseRow], _ v: [Double], into out: inout [Double]) {
        for i in 0..<dimension { out[i] = lambda * v[i] }
        for row in x { row.addScaled(row.dot(v), into: &out) }
    }

    private func dotDense(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for i in a.indices { sum += a[i] * b[i] }
        return sum
    }
}

extension SparseRow {
    /// out += scale · row.
    func addScaled(_ scale: Double, into out: inout [Double]) {
        for k in indices.indices { out[Int(indices[k])] += scale * values[k] }
    }
}
