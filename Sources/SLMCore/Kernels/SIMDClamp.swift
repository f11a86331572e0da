/// Lane-wise bounds as one vector compare and blend, for the vector types the kernels use.
///
/// They say what `pointwiseMax(self, floor)` and `pointwiseMin(self, ceiling)` say, NaN lanes
/// included (they take the bound). The standard library's versions were compiled as a call per
/// vector that tests lane by lane; these are written for the concrete types because a generic
/// `.>` (on `SIMD where Scalar: FloatingPoint`) also compiles to a loop over lanes.
extension SIMD8<Float> {
    /// Each lane, or `floor`'s lane where that is larger or this lane is NaN.
    @inline(__always)
    func atLeast(_ floor: Self) -> Self {
        floor.replacing(with: self, where: self .> floor)
    }

    /// Each lane, or `ceiling`'s lane where that is smaller or this lane is NaN.
    @inline(__always)
    func atMost(_ ceiling: Self) -> Self {
        ceiling.replacing(with: self, where: self .< ceiling)
    }
}

extension SIMD16<Float> {
    /// Each lane, or `floor`'s lane where that is larger or this lane is NaN.
    @inline(__always)
    func atLeast(_ floor: Self) -> Self {
        floor.replacing(with: self, where: self .> floor)
    }

    /// Each lane, or `ceiling`'s lane where that is smaller or this lane is NaN.
    @inline(__always)
    func atMost(_ ceiling: Self) -> Self {
        ceiling.replacing(with: self, where: self .< ceiling)
    }
}
