import Foundation
#if canImport(SLMKernelsC)
import SLMKernelsC
#endif

/// The dot-product kernels for this CPU, chosen in this one place from its features.
///
/// On x86-64 with AVX-512 VNNI the C panel kernels use 512-bit `vpdpbusd` for every batch size
/// (Q4_0, Q4_1, Q8_0, and Q5_0 repacked as Q8_0); with AVX2 the C row kernels use `vpmaddubsw`;
/// Q4_K, Q5_K and Q6_K run on AVX2 row kernels on both; everywhere else (ARM, older x86) the
/// portable Swift SIMD kernels run. Weight types without a C kernel (Q5_0 rows not repacked, F32,
/// F16) use the portable kernels on every backend.
public struct KernelSet: Sendable, Equatable, CustomStringConvertible {
    /// A family of kernels.
    public enum Backend: String, Sendable, CaseIterable {
        /// C panel kernels with AVX-512 VNNI `vpdpbusd` on 512-bit registers.
        case avx512VNNI = "avx512-vnni"
        /// C kernels with AVX2 `vpmaddubsw`/`vpmaddwd`.
        case avx2
        /// Swift SIMD kernels, compiled for the target's baseline instruction set.
        case portable
        /// The scalar definitions (`ReferenceDot`); for tests and comparisons.
        case reference
    }

    /// The backend these kernels come from.
    public let backend: Backend

    /// The fastest kernels this CPU supports.
    public static let best = KernelSet(uncheckedBackend: supportedBackends[0])

    /// Every backend this CPU can run, fastest first.
    ///
    /// `SWITCHYARD_KERNELS` set to a backend's name drops the faster ones, so this machine runs
    /// (and measures) what a CPU without them would: every kernel that follows this list, the
    /// element-wise and attention kernels included. A name this CPU cannot run is reported on
    /// standard error and ignored.
    public static let supportedBackends: [Backend] = {
        var detected: [Backend] = []
        #if canImport(SLMKernelsC)
        let features = slm_cpu_features()
        if features & SLM_FEATURE_AVX512_VNNI.rawValue != 0 { detected.append(.avx512VNNI) }
        if features & SLM_FEATURE_AVX2.rawValue != 0 { detected.append(.avx2) }
        #endif
        detected += [.portable, .reference]
        guard let value = getenv("SWITCHYARD_KERNELS").map({ String(cString: $0) }), !value.isEmpty else { return detected }
        guard let cap = Backend(rawValue: value), let first = detected.firstIndex(of: cap) else {
            let known = detected.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("SWITCHYARD_KERNELS=\(value) is not a backend this CPU runs (\(known)); ignored\n".utf8))
            return detected
        }
        return Array(detected[first...])
    }()

    /// The kernels of `backend`, or nil when this CPU cannot run it.
    public init?(backend: Backend) {
        guard Self.supportedBackends.contains(backend) else { return nil }
        self.backend = backend
    }

    private init(uncheckedBackend: Backend) { backend = uncheckedBackend }

    public var description: String { backend.rawValue }

    /// Whether some kernel multiplies weights of `type`.
    public static func supports(_ type: GGMLType) -> Bool { ActivationFormat(weights: type) != nil }

    /// `y[b·outputStride + r] = dot(weight row r, activation row b)` for `r < rows`, `b < batch`.
    ///
    /// - Parameters:
    ///   - type: the weight type; activation rows are in `ActivationFormat(weights: type)`.
    ///   - blocks: blocks per row (for F32/F16 weights: elements per row).
    @inline(__always)
    public func gemm(
        _ type: GGMLType, weights: UnsafeRawPointer, weightStride: Int, rows: Int, blocks: Int,
        activations: UnsafeRawPointer, activationStride: Int, batch: Int,
        output: UnsafeMutablePointer<Float>, outputStride: Int
    ) {
        #if canImport(SLMKernelsC)
        if let kernel = cKernel(type) {
            kernel(weights, weightStride, Int64(rows), Int64(blocks), activations, activationStride, Int64(batch), output, outputStride)
            return
        }
        #endif
        for r in 0..<rows {
            let row = weights + r * weightStride
            for b in 0..<batch {
                let x = activations + b * activationStride
                output[b * outputStride + r] = backend == .reference
                    ? ReferenceDot.dot(type, row, x, blocks: blocks)
                    : PortableDot.dot(type, row, x, blocks: blocks)
            }
        }
    }

    /// Whether weights of `type` are multiplied on a panel kernel (AVX-512 VNNI on 512-bit
    /// registers, each lane a different weight row; see gemm_panel_x86.c).
    ///
    /// A panel kernel computes each output from its own weight row and activation row in one
    /// fixed order whatever the batch size, so a sequence gets the same bits decoded alone, in a
    /// batch of concurrent sequences, or as part of a prompt.
    ///
    /// Q5_0 weights are multiplied on the panels only once repacked (as Q8_0, `packPanels`); their
    /// file rows go to the row kernels (`panelKernelReadsFileRows`).
    @inline(__always)
    public func usesPanelKernel(_ type: GGMLType) -> Bool {
        #if canImport(SLMKernelsC)
        return backend == .avx512VNNI && Self.panelTypeCode(type) != nil
        #else
        return false
        #endif
    }

    /// Whether a panel kernel reads weights of `type` in the file's row order (`panelGemm`), not
    /// only repacked.
    @inline(__always)
    func panelKernelReadsFileRows(_ type: GGMLType) -> Bool {
        #if canImport(SLMKernelsC)
        return cPanelKernel(type) != nil
        #else
        return false
        #endif
    }

    /// `gemm` on the panel kernel: as `gemm`, plus `scales` ([d_x, s_x] per activation block) and
    /// `scratch` of `ActivationBuffer.scratchBytes` that no other thread uses meanwhile.
    /// - Precondition: `usesPanelKernel(type)`.
    @inline(__always)
    func panelGemm(
        _ type: GGMLType, weights: UnsafeRawPointer, weightStride: Int, rows: Int, blocks: Int,
        activations: UnsafeRawPointer, activationStride: Int, scales: UnsafePointer<Float>, batch: Int,
        output: UnsafeMutablePointer<Float>, outputStride: Int, scratch: UnsafeMutableRawPointer
    ) {
        #if canImport(SLMKernelsC)
        guard let kernel = cPanelKernel(type) else { preconditionFailure("no panel kernel for \(type) on \(backend)") }
        kernel(weights, weightStride, Int64(rows), Int64(blocks), activations, activationStride, scales, Int64(batch),
               output, outputStride, scratch)
        #else
        preconditionFailure("no panel kernels on this platform")
        #endif
    }

    /// Bytes of the repacked copy of a `rows × columns` matrix of `type` (`packPanels`), or nil
    /// when no panel kernel of this backend reads repacked weights of that type.
    public func panelBytes(_ type: GGMLType, rows: Int, columns: Int) -> Int? {
        #if canImport(SLMKernelsC)
        guard let code = Self.panelTypeCode(type), backend == .avx512VNNI else { return nil }
        return slm_panels_bytes(code, Int64(rows), Int64(columns / type.blockSize))
        #else
        return nil
        #endif
    }

    /// Repacks `weights` into the panel order at `destination` (`panelBytes` bytes): each 16-row
    /// panel's blocks as the registers the panel kernels multiply, so a product reads them as one
    /// stream with no transposition per call, and gets the same bits as from the original rows.
    /// - Precondition: `panelBytes(weights.type, ...)` is not nil.
    public func packPanels(_ weights: WeightMatrix, into destination: UnsafeMutableRawPointer) {
        #if canImport(SLMKernelsC)
        let blocks = Int64(weights.columns / weights.type.blockSize), rows = Int64(weights.rows)
        switch Self.panelTypeCode(weights.type) {
        case 0: slm_pack_panels_q4_0(weights.base, weights.rowStride, rows, blocks, destination)
        case 1: slm_pack_panels_q4_1(weights.base, weights.rowStride, rows, blocks, destination)
        case 2 where weights.type == .q5_0:
            // Each 5-bit value less 16 is an int8: pack the rows rewritten as Q8_0 blocks.
            let rowBytes = Int(blocks) * GGMLType.q8_0.bytesPerBlock
            let rewritten = UnsafeMutableRawPointer.allocate(byteCount: Int(rows) * rowBytes, alignment: 64)
            defer { rewritten.deallocate() }
            for r in 0..<Int(rows) {
                BlockConversion.q5_0AsQ8_0(weights.row(r), blocks: Int(blocks), into: rewritten + r * rowBytes)
            }
            slm_pack_panels_q8_0(rewritten, rowBytes, rows, blocks, destination)
        case 2: slm_pack_panels_q8_0(weights.base, weights.rowStride, rows, blocks, destination)
        default: preconditionFailure("no repacked panel kernel for \(weights.type)")
        }
        #else
        preconditionFailure("no panel kernels on this platform")
        #endif
    }

    /// `panelGemm` over repacked weights: `panels` points at the panel holding row 0 of the slice
    /// (a multiple of 16 rows into the matrix).
    @inline(__always)
    func packedPanelGemm(
        _ type: GGMLType, panels: UnsafeRawPointer, rows: Int, blocks: Int,
        activations: UnsafeRawPointer, activationStride: Int, scales: UnsafePointer<Float>, batch: Int,
        output: UnsafeMutablePointer<Float>, outputStride: Int, scratch: UnsafeMutableRawPointer
    ) {
        #if canImport(SLMKernelsC)
        let kernel: slm_gemm_panels_fn
        switch Self.panelTypeCode(type) {
        case 0: kernel = slm_gemm_panels_q4_0_q8_1_vnni
        case 1: kernel = slm_gemm_panels_q4_1_q8_1_vnni
        case 2: kernel = slm_gemm_panels_q8_0_q8_0_vnni
        default: preconditionFailure("no repacked panel kernel for \(type)")
        }
        kernel(panels, Int64(rows), Int64(blocks), activations, activationStride, scales, Int64(batch), output, outputStride, scratch)
        #else
        preconditionFailure("no panel kernels on this platform")
        #endif
    }

    /// Activation rows the interleaved kernels take at most (they take at least three).
    static let interleavedMaxRows: Int = {
        #if canImport(SLMKernelsC)
        Int(SLM_INTERLEAVED_MAX_ROWS)
        #else
        0
        #endif
    }()

    /// Bytes `interleave` writes for `rows` rows of `blocks` blocks.
    static func interleavedBytes(rows: Int, blocks: Int) -> Int {
        #if canImport(SLMKernelsC)
        slm_interleaved_activation_bytes(Int64(rows), Int64(blocks))
        #else
        0
        #endif
    }

    /// `packedPanelGemm` for 3...8 activation rows interleaved by `interleave`.
    @inline(__always)
    func interleavedPanelGemm(
        _ type: GGMLType, panels: UnsafeRawPointer, rows: Int, blocks: Int, interleaved: UnsafeRawPointer, batch: Int,
        output: UnsafeMutablePointer<Float>, outputStride: Int
    ) {
        #if canImport(SLMKernelsC)
        guard let code = Self.panelTypeCode(type) else { preconditionFailure("no repacked panel kernel for \(type)") }
        slm_gemm_panels_interleaved_vnni(code, panels, Int64(rows), Int64(blocks), interleaved, Int64(batch), output, outputStride)
        #else
        preconditionFailure("no panel kernels on this platform")
        #endif
    }

    /// Interleaves 3...8 quantized activation rows and their block scales (from `activationScales`)
    /// for `interleavedPanelGemm`, into `out` (`interleavedBytes(rows:blocks:)`, 64-byte aligned).
    func interleave(_ x: UnsafeRawPointer, rowStride: Int, scales: UnsafePointer<Float>, rows: Int, blocks: Int,
                    format: ActivationFormat, into out: UnsafeMutableRawPointer) {
        #if canImport(SLMKernelsC)
        switch format {
        case .q8_1: slm_interleave_activations_q8_1(x, rowStride, scales, Int64(rows), Int64(blocks), out)
        case .q8_0: slm_interleave_activations_q8_0(x, rowStride, scales, Int64(rows), Int64(blocks), out)
        default: preconditionFailure("no panel kernel reads \(format) activations")
        }
        #endif
    }

    /// Bytes of one repacked panel (16 rows) of `blocks` blocks of `type`.
    static func panelStride(_ type: GGMLType, blocks: Int) -> Int {
        #if canImport(SLMKernelsC)
        guard let code = panelTypeCode(type) else { return 0 }
        return slm_panels_bytes(code, 16, Int64(blocks))
        #else
        return 0
        #endif
    }

    /// The C layouts' code for `type` (0 Q4_0, 1 Q4_1, 2 Q8_0, and Q5_0 rewritten as Q8_0), if it has one.
    @inline(__always)
    private static func panelTypeCode(_ type: GGMLType) -> Int32? {
        switch type {
        case .q4_0: 0
        case .q4_1: 1
        case .q8_0, .q5_0: 2
        default: nil
        }
    }

    /// Writes the [d_x, s_x] floats of every block of `rows` activation rows (`format` q8_0 or q8_1).
    func activationScales(_ x: UnsafeRawPointer, rowStride: Int, rows: Int, blocks: Int, format: ActivationFormat,
                          into scales: UnsafeMutablePointer<Float>) {
        #if canImport(SLMKernelsC)
        switch format {
        case .q8_1: slm_activation_scales_q8_1(x, rowStride, Int64(rows), Int64(blocks), scales)
        case .q8_0: slm_activation_scales_q8_0(x, rowStride, Int64(rows), Int64(blocks), scales)
        default: preconditionFailure("no panel kernel reads \(format) activations")
        }
        #endif
    }

    /// Writes `count` floats from `source` to `destination` in `format` (`count` a whole number of
    /// blocks), with this backend's quantizer: the same bytes on every backend.
    @inline(__always)
    public func quantize(_ source: UnsafePointer<Float>, count: Int, format: ActivationFormat, into destination: UnsafeMutableRawPointer) {
        #if canImport(SLMKernelsC)
        if let quantizer = cQuantizer(format) {
            precondition(count % 32 == 0, "row of \(count) is not whole \(format) blocks")
            quantizer(source, Int64(count), destination)
            return
        }
        #endif
        if backend == .reference {
            ActivationQuantizer.quantizeReference(source, count: count, format: format, into: destination)
        } else {
            ActivationQuantizer.quantize(source, count: count, format: format, into: destination)
        }
    }

    #if canImport(SLMKernelsC)
    /// The C quantizer for `format` on this backend, if there is one.
    @inline(__always)
    private func cQuantizer(_ format: ActivationFormat) -> slm_quantize_fn? {
        switch (backend, format) {
        case (.avx512VNNI, .q8_0): slm_quantize_q8_0_avx512
        case (.avx512VNNI, .q8_1): slm_quantize_q8_1_avx512
        case (.avx2, .q8_0): slm_quantize_q8_0_avx2
        case (.avx2, .q8_1): slm_quantize_q8_1_avx2
        default: nil
        }
    }

    /// The panel kernel for `type` on this backend, if there is one.
    @inline(__always)
    private func cPanelKernel(_ type: GGMLType) -> slm_gemm_panel_fn? {
        switch (backend, type) {
        case (.avx512VNNI, .q4_0): slm_gemm_panel_q4_0_q8_1_vnni
        case (.avx512VNNI, .q4_1): slm_gemm_panel_q4_1_q8_1_vnni
        case (.avx512VNNI, .q8_0): slm_gemm_panel_q8_0_q8_0_vnni
        default: nil
        }
    }

    /// The C kernel for `type` on this backend, if there is one.
    @inline(__always)
    private func cKernel(_ type: GGMLType) -> slm_gemm_fn? {
        switch (backend, type) {
        // AVX-512 VNNI CPUs multiply on the panel kernels; these row kernels serve them only when
        // an activation buffer has no room for the panel kernels' scales or scratch.
        case (.avx512VNNI, .q4_0), (.avx2, .q4_0): slm_gemm_q4_0_q8_1_avx2
        case (.avx512VNNI, .q4_1), (.avx2, .q4_1): slm_gemm_q4_1_q8_1_avx2
        case (.avx512VNNI, .q8_0), (.avx2, .q8_0): slm_gemm_q8_0_q8_0_avx2
        // No panel kernel reads the K-quants: these row kernels serve both backends.
        case (.avx512VNNI, .q4_K), (.avx2, .q4_K): slm_gemm_q4_K_q8_K_avx2
        case (.avx512VNNI, .q5_K), (.avx2, .q5_K): slm_gemm_q5_K_q8_K_avx2
        case (.avx512VNNI, .q6_K), (.avx2, .q6_K): slm_gemm_q6_K_q8_K_avx2
        default: nil
        }
    }
    #endif
}
