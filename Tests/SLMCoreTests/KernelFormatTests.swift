import Testing
@testable import SLMCore

@Suite struct KernelFormatTests {
    @Test(arguments: [ActivationFormat.q8_0, .q8_1, .q8_K])
    func activationFormatsMatchTheirGGMLTypes(format: ActivationFormat) {
        let type: GGMLType = switch format {
        case .q8_0: .q8_0
        case .q8_1: .q8_1
        default: .q8_K
        }
        #expect(format.bytesPerBlock == type.bytesPerBlock)
        #expect(format.blockSize == type.blockSize)
    }

    @Test(arguments: [
        (Float(0), UInt16(0x0000)), (-0.0, 0x8000), (1, 0x3C00), (-2, 0xC000), (0.5, 0x3800),
        (65504, 0x7BFF), (65520, 0x7C00), (1e-7, 0x0002), (5.960_464_5e-8, 0x0001), (6.103_515_6e-5, 0x0400),
        (1.000_976_6, 0x3C01), (1.000_488_3, 0x3C00), (.infinity, 0x7C00), (-.infinity, 0xFC00),
    ])
    func halfFloatConvertsKnownValues(value: Float, bits: UInt16) {
        #expect(HalfFloat.bits(value) == bits)
        if value.isFinite && abs(value) < 65520 { #expect(HalfFloat.float(bits) == HalfFloat.float(HalfFloat.bits(value))) }
    }

    @Test func halfFloatRoundTripsEveryNonNaNPattern() {
        var mismatches = 0
        for bits in 0...UInt16.max where (bits & 0x7C00) != 0x7C00 || (bits & 0x3FF) == 0 {
            if HalfFloat.bits(HalfFloat.float(bits)) != bits { mismatches += 1 }
            #if !(os(macOS) && arch(x86_64))
            if HalfFloat.float(bits) != Float(Float16(bitPattern: bits)) { mismatches += 1 }
            #endif
        }
        #expect(mismatches == 0)
    }
}
