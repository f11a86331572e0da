import Testing
@testable import SLMCore

@Suite struct KernelQuantizationTests {
    static let cases: [(ActivationFormat, Int)] = [
        (.q8_0, 32), (.q8_0, 544), (.q8_1, 32), (.q8_1, 96), (.q8_1, 1568), (.q8_1, 160), (.q8_K, 256), (.q8_K, 2304),
    ]

    @Test(arguments: cases)
    func simdQuantizerWritesTheSameBytesAsTheReference(format: ActivationFormat, columns: Int) {
        var rng = SeededGenerator(seed: UInt64(columns * 7 + format.bytesPerBlock))
        var x = randomActivations(columns, using: &rng)
        x[min(5, columns - 1)] = 0  // zeros and an all-zero block are edge cases of the scale
        if columns >= 2 * format.blockSize { for j in 0..<format.blockSize { x[format.blockSize + j] = 0 } }
        let bytes = format.rowBytes(columns: columns)
        var fast = [UInt8](repeating: 0xAA, count: bytes), reference = [UInt8](repeating: 0x55, count: bytes)
        x.withUnsafeBufferPointer { src in
            fast.withUnsafeMutableBytes { ActivationQuantizer.quantize(src.baseAddress!, count: columns, format: format, into: $0.baseAddress!) }
            reference.withUnsafeMutableBytes { ActivationQuantizer.quantizeReference(src.baseAddress!, count: columns, format: format, into: $0.baseAddress!) }
        }
        #expect(fast == reference)
    }

    @Test(arguments: KernelSet.supportedBackends, cases)
    func everyBackendsQuantizerWritesTheReferenceBytes(backend: KernelSet.Backend, testCase: (ActivationFormat, Int)) throws {
        let (format, columns) = testCase
        let kernels = try #require(KernelSet(backend: backend))
        var rng = SeededGenerator(seed: UInt64(columns * 13 + format.bytesPerBlock))
        var x = randomActivations(columns, using: &rng)
        x[min(3, columns - 1)] = 0
        // A block whose largest magnitude is negative, one of exact ties (x.5 steps), one all zero.
        if columns >= 3 * format.blockSize {
            x[format.blockSize + 7] = -40
            for j in 0..<format.blockSize { x[2 * format.blockSize + j] = j == 0 ? 127 : Float(j) + 0.5 }
        }
        if columns >= 4 * format.blockSize { for j in 0..<format.blockSize { x[3 * format.blockSize + j] = 0 } }
        let bytes = format.rowBytes(columns: columns)
        var fast = [UInt8](repeating: 0xAA, count: bytes), reference = [UInt8](repeating: 0x55, count: bytes)
        x.withUnsafeBufferPointer { src in
            fast.withUnsafeMutableBytes { kernels.quantize(src.baseAddress!, count: columns, format: format, into: $0.baseAddress!) }
            reference.withUnsafeMutableBytes { ActivationQuantizer.quantizeReference(src.baseAddress!, count: columns, format: format, into: $0.baseAddress!) }
        }
        #expect(fast == reference, "\(backend) quantizer, \(format) × \(columns)")
    }

    @Test(arguments: cases)
    func quantizedActivationsStayWithinHalfAStep(format: ActivationFormat, columns: Int) {
        var rng = SeededGenerator(seed: UInt64(columns))
        let x = randomActivations(columns, using: &rng)
        let type: GGMLType = format == .q8_0 ? .q8_0 : format == .q8_1 ? .q4_1 : .q4_K
        let bytes = referenceActivations(x, for: type)
        let restored = dequantizeActivations(bytes, format: format, columns: columns)
        for block in 0..<(columns / format.blockSize) {
            let range = (block * format.blockSize)..<((block + 1) * format.blockSize)
            let amax = range.map { abs(x[$0]) }.max()!
            let step = amax / 127
            // Half a step of rounding, plus the f16 rounding of the scale for Q8_0/Q8_1.
            let allowed = step * (format == .q8_K ? 0.5001 : 0.5 + 127.0 / 2048) + 1e-7
            let worst = range.map { abs(x[$0] - restored[$0]) }.max()!
            #expect(worst <= allowed, "block \(block): error \(worst) > \(allowed)")
        }
    }

    @Test func q8_1SumIsScaleTimesSumOfQuants() {
        var rng = SeededGenerator(seed: 11)
        let x = randomActivations(320, using: &rng)
        let bytes = referenceActivations(x, for: .q4_1)
        bytes.withUnsafeBytes { raw in
            for block in 0..<10 {
                let b = raw.baseAddress! + block * 36
                let d = HalfFloat.float(b.loadUnaligned(as: UInt16.self))
                let s = HalfFloat.float(b.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
                let sum = (0..<32).reduce(Int32(0)) { $0 + Int32(b.load(fromByteOffset: 4 + $1, as: Int8.self)) }
                #expect(abs(s - d * Float(sum)) <= abs(d * Float(sum)) / 1024 + 1e-7)
            }
        }
    }

    @Test func q8_KGroupSumsAddUpTheirQuants() {
        var rng = SeededGenerator(seed: 12)
        let x = randomActivations(512, using: &rng)
        var bytes = [UInt8](repeating: 0, count: 2 * 292)
        x.withUnsafeBufferPointer { src in
            bytes.withUnsafeMutableBytes { ActivationQuantizer.quantize(src.baseAddress!, count: 512, format: .q8_K, into: $0.baseAddress!) }
        }
        bytes.withUnsafeBytes { raw in
            for block in 0..<2 {
                let b = raw.baseAddress! + block * 292
                var maxQuant: Int32 = 0
                for g in 0..<16 {
                    let sum = (0..<16).reduce(Int32(0)) { $0 + Int32(b.load(fromByteOffset: 4 + g * 16 + $1, as: Int8.self)) }
                    #expect(Int32(b.loadUnaligned(fromByteOffset: 260 + 2 * g, as: Int16.self)) == sum)
                    for j in 0..<16 { maxQuant = max(maxQuant, abs(Int32(b.load(fromByteOffset: 4 + g * 16 + j, as: Int8.self)))) }
                }
                #expect(maxQuant == 127, "the largest magnitude maps to ±127")
            }
        }
    }
}
