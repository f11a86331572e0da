/// Conversions between `Float` and IEEE half-precision bit patterns, written out so they need no
/// platform `Float16` and stay cheap in hot loops (no library call).
enum HalfFloat {
    /// The float whose half-precision bit pattern is `bits`.
    @inline(__always) static func float(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let magnitude = UInt32(bits & 0x7FFF)
        if magnitude >= 0x7C00 {  // infinity or NaN: keep the payload, max the exponent
            return Float(bitPattern: sign | 0x7F80_0000 | ((magnitude & 0x3FF) << 13))
        }
        // Shifting puts the exponent and mantissa in place; the multiplication rebiases the
        // exponent (2^(127-15)) and turns half subnormals into float normals exactly.
        let scaled = Float(bitPattern: magnitude << 13) * 0x1p112
        return Float(bitPattern: scaled.bitPattern | sign)
    }

    /// The half-precision bit pattern nearest to `value` (ties to even; overflow to infinity).
    @inline(__always) static func bits(_ value: Float) -> UInt16 {
        let x = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: (x >> 16) & 0x8000)
        let magnitude = x & 0x7FFF_FFFF
        if magnitude > 0x7F80_0000 { return sign | 0x7E00 }   // NaN
        if magnitude >= 0x477F_F000 { return sign | 0x7C00 }  // rounds beyond 65504: infinity
        if magnitude < 0x3880_0000 {                           // below 2^-14: a half subnormal
            let units = (Float(bitPattern: magnitude) * 0x1p24).rounded(.toNearestOrEven)
            return sign | UInt16(units)
        }
        let rounded = magnitude &+ 0xFFF &+ ((magnitude >> 13) & 1)
        return sign | UInt16(truncatingIfNeeded: (rounded &- (112 << 23)) >> 13)
    }
}
