/// Rewrites of one block format as another that holds the same values exactly.
enum BlockConversion {
    /// Writes `blocks` Q5_0 blocks at `source` as Q8_0 blocks at `destination`: the same scale
    /// and each 5-bit value less 16 as an int8, so both decode to the same floats.
    static func q5_0AsQ8_0(_ source: UnsafeRawPointer, blocks: Int, into destination: UnsafeMutableRawPointer) {
        for b in 0..<blocks {
            let q5 = source + b * GGMLType.q5_0.bytesPerBlock, q8 = destination + b * GGMLType.q8_0.bytesPerBlock
            q8.copyMemory(from: q5, byteCount: 2)
            for j in 0..<32 { q8.storeBytes(of: Int8(ReferenceDot.q5(q5, j) - 16), toByteOffset: 2 + j, as: Int8.self) }
        }
    }
}
