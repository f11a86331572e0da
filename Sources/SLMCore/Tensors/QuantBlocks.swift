// GGML's quantized block layouts, field for field (ggml-common.h). Sizes are pinned in tests.
// Decoders read fields at the offsets below, which tests check against `MemoryLayout.offset(of:)`.

/// 4 bytes with 1-byte alignment.
public typealias Bytes4 = (UInt8, UInt8, UInt8, UInt8)
/// 16 bytes with 1-byte alignment.
public typealias Bytes16 = (Bytes4, Bytes4, Bytes4, Bytes4)
/// 32 bytes with 1-byte alignment.
public typealias Bytes32 = (Bytes16, Bytes16)
/// 128 bytes with 1-byte alignment.
public typealias Bytes128 = (Bytes32, Bytes32, Bytes32, Bytes32)

/// Q4_0: 32 weights as 4-bit `q`, weight = d·(q − 8); low nibbles hold elements 0–15, high ones 16–31.
public struct BlockQ4_0 { public var d: Float16; public var qs: Bytes16 }  // 18 bytes
/// Q4_1: 32 weights, weight = d·q + m, nibbles as Q4_0.
public struct BlockQ4_1 { public var d: Float16; public var m: Float16; public var qs: Bytes16 }  // 20 bytes
/// Q5_0: 32 weights, 5-bit q (bit 4 of element j is bit j of `qh`), weight = d·(q − 16).
public struct BlockQ5_0 { public var d: Float16; public var qh: Bytes4; public var qs: Bytes16 }  // 22 bytes
/// Q5_1: 32 weights, 5-bit q, weight = d·q + m.
public struct BlockQ5_1 { public var d: Float16; public var m: Float16; public var qh: Bytes4; public var qs: Bytes16 }  // 24 bytes
/// Q8_0: 32 weights, weight = d·q with q an Int8.
public struct BlockQ8_0 { public var d: Float16; public var qs: Bytes32 }  // 34 bytes
/// Q8_1: 32 values d·q, with s = d·Σq (the activations of Q4_1/Q5_1 dot products).
public struct BlockQ8_1 { public var d: Float16; public var s: Float16; public var qs: Bytes32 }  // 36 bytes
/// Q4_K: 256 weights in 8 sub-blocks of 32 with 6-bit scales and mins; weight = d·sc·q − dmin·m.
public struct BlockQ4_K { public var d: Float16; public var dmin: Float16; public var scales: (Bytes4, Bytes4, Bytes4); public var qs: Bytes128 }  // 144 bytes
/// Q5_K: as Q4_K plus a fifth bit per weight in `qh`.
public struct BlockQ5_K {
    public var d: Float16; public var dmin: Float16; public var scales: (Bytes4, Bytes4, Bytes4)
    public var qh: Bytes32; public var qs: Bytes128
}  // 176 bytes
/// Q6_K: 256 weights, 6-bit q (low 4 bits in `ql`, high 2 in `qh`), 16 Int8 scales; weight = d·sc·(q − 32).
public struct BlockQ6_K { public var ql: Bytes128; public var qh: (Bytes32, Bytes32); public var scales: Bytes16; public var d: Float16 }  // 210 bytes
/// Q8_K: 256 values d·q (f32 d), with the sum of each 16 quants as Int16 (activations of K-quant dot products).
public struct BlockQ8_K { public var d: Float; public var qs: (Bytes128, Bytes128); public var bsums: Bytes32 }  // 292 bytes

// MARK: Field offsets for decoders on raw block pointers (tests check them against MemoryLayout).

extension BlockQ4_0 { static let dOffset = 0, qsOffset = 2 }
extension BlockQ4_1 { static let dOffset = 0, mOffset = 2, qsOffset = 4 }
extension BlockQ5_0 { static let dOffset = 0, qhOffset = 2, qsOffset = 6 }
extension BlockQ5_1 { static let dOffset = 0, mOffset = 2, qhOffset = 4, qsOffset = 8 }
extension BlockQ8_0 { static let dOffset = 0, qsOffset = 2 }
extension BlockQ8_1 { static let dOffset = 0, sOffset = 2, qsOffset = 4 }
extension BlockQ4_K { static let dOffset = 0, dminOffset = 2, scalesOffset = 4, qsOffset = 16 }
extension BlockQ5_K { static let dOffset = 0, dminOffset = 2, scalesOffset = 4, qhOffset = 16, qsOffset = 48 }
extension BlockQ6_K { static let qlOffset = 0, qhOffset = 128, scalesOffset = 192, dOffset = 208 }
extension BlockQ8_K { static let dOffset = 0, qsOffset = 4, bsumsOffset = 260 }
