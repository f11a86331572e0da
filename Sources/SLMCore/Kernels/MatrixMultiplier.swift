/// Multiplies weight matrices by batches of activation rows with the best kernels of this CPU,
/// spreading output rows over a thread pool so each weight row is read once per call, whatever
/// the batch (prompt positions in prefill, concurrent sequences in batched decode).
///
/// ```swift
/// let matmul = MatrixMultiplier(pool: ThreadPool(threads: 2))
/// let buffer = ActivationBuffer(maxColumns: 1536, maxRows: 512)
/// let x = matmul.quantize(hidden, rows: 1, columns: 576, for: wq.type, into: buffer)
/// matmul.multiply(wq, x, into: q)          // q[0..<wq.rows] = wq · hidden
/// ```
public struct MatrixMultiplier: Sendable {
    /// The threads the work is spread over.
    public let pool: ThreadPool
    /// The dot-product kernels used.
    public let kernels: KernelSet

    /// A multiplier on `pool` with `kernels` (by default the fastest for this CPU).
    public init(pool: ThreadPool, kernels: KernelSet = .best) {
        self.pool = pool
        self.kernels = kernels
    }

    // MARK: Quantizing activations

    /// Quantizes `rows` rows of `columns` floats (row-major at `input`) for weights of `type`.
    ///
    /// Quantize once and pass the result to several `multiply` calls whose weights share the
    /// activation format (Q, K and V; gate and up).
    public func quantize(
        _ input: UnsafePointer<Float>, rows: Int, columns: Int, for type: GGMLType, into buffer: ActivationBuffer
    ) -> QuantizedActivations {
        guard let format = ActivationFormat(weights: type) else { preconditionFailure("no kernel for \(type) weights") }
        let rowStride = format.rowBytes(columns: columns)
        precondition(rowStride * rows <= buffer.capacity, "activation buffer holds \(buffer.capacity) bytes, needs \(rowStride * rows)")
        let base = buffer.base
        let rowsPerChunk = 8
        let kernels = self.kernels
        // Rows for the panel kernels also get their block scales as floats, once for every product.
        let blocks = columns / format.blockSize
        let forPanels = kernels.usesPanelKernel(type) && rows * blocks * 2 <= buffer.scaleCapacity
            && pool.threadCount <= buffer.scratchSlots
        let scales = buffer.scales
        pool.parallelFor(count: rows < 2 * rowsPerChunk ? 1 : (rows + rowsPerChunk - 1) / rowsPerChunk) { chunk in
            let start = rows < 2 * rowsPerChunk ? 0 : chunk * rowsPerChunk
            let end = rows < 2 * rowsPerChunk ? rows : Swift.min(rows, (chunk + 1) * rowsPerChunk)
            for r in start..<end {
                kernels.quantize(input + r * columns, count: columns, format: format, into: base + r * rowStride)
            }
            if forPanels {
                kernels.activationScales(base + start * rowStride, rowStride: rowStride, rows: end - start, blocks: blocks,
                                         format: format, into: scales + start * blocks * 2)
            }
        }
        // Three to eight rows are also interleaved once, for every product over repacked weights.
        var interleaved: UnsafeRawPointer?
        if forPanels, let room = buffer.interleaved, (3...KernelSet.interleavedMaxRows).contains(rows),
           KernelSet.interleavedBytes(rows: rows, blocks: blocks) <= buffer.interleavedBytes {
            kernels.interleave(base, rowStride: rowStride, scales: scales, rows: rows, blocks: blocks, format: format, into: room)
            interleaved = UnsafeRawPointer(room)
        }
        return QuantizedActivations(format: format, rows: rows, columns: columns, rowStride: rowStride, base: UnsafeRawPointer(base),
                                    panelBuffer: forPanels ? buffer : nil, interleaved: interleaved)
    }

    // MARK: Multiplying

    /// `output[b·weights.rows + r] = Σ_c weights[r, c] · x[b, c]` for every activation row `b`.
    public func multiply(_ weights: WeightMatrix, _ x: QuantizedActivations, into output: UnsafeMutablePointer<Float>) {
        multiply(MatrixProduct(weights, into: output), nil, nil, x)
    }

    /// Two or three products of the same activations in one pass over the threads (Q, K, V).
    public func multiply(
        _ first: MatrixProduct, _ second: MatrixProduct?, _ third: MatrixProduct? = nil, _ x: QuantizedActivations
    ) {
        let products = (first, second, third)
        let count = third != nil ? 3 : second != nil ? 2 : 1
        var totalRows = 0
        for p in 0..<count {
            let product = p == 0 ? products.0 : p == 1 ? products.1! : products.2!
            precondition(product.weights.columns == x.columns, "weights of \(product.weights.columns) columns times activations of \(x.columns)")
            precondition(ActivationFormat(weights: product.weights.type) == x.format, "\(product.weights.type) weights need other activations than \(x.format)")
            totalRows += product.weights.rows
        }
        let kernels = self.kernels
        if let buffer = x.panelBuffer,
           kernels.usesPanelKernel(first.weights.type),
           second.map({ kernels.usesPanelKernel($0.weights.type) }) ?? true,
           third.map({ kernels.usesPanelKernel($0.weights.type) }) ?? true {
            multiplyOnPanels(products, count: count, totalRows: totalRows, x, buffer)
            return
        }
        let rowBytes = Swift.max(first.weights.rowStride, second?.weights.rowStride ?? 0, third?.weights.rowStride ?? 0)
        let chunkRows = Self.rowsPerChunk(totalRows: totalRows, rowBytes: rowBytes, batch: x.rows, threads: pool.threadCount)
        let chunks = (totalRows + chunkRows - 1) / chunkRows
        pool.parallelFor(count: chunks) { chunk in
            Self.forEachSlice(of: products, count: count, rows: (chunk * chunkRows)..<((chunk + 1) * chunkRows)) { product, start, rows in
                product.compute(rows: start, count: rows, x, kernels)
            }
        }
    }

    /// Calls `body(product, first row, rows)` for each product's share of `rows`, counting the rows
    /// of the `count` products one after the other (how chunks are numbered).
    @inline(__always)
    private static func forEachSlice(
        of products: (MatrixProduct, MatrixProduct?, MatrixProduct?), count: Int, rows: Range<Int>,
        _ body: (MatrixProduct, Int, Int) -> Void
    ) {
        var start = rows.lowerBound, length = rows.count
        for p in 0..<count {
            let product = p == 0 ? products.0 : p == 1 ? products.1! : products.2!
            let productRows = product.weights.rows
            if start >= productRows { start -= productRows; continue }
            let taken = Swift.min(length, productRows - start)
            body(product, start, taken)
            length -= taken
            if length == 0 { return }
            start = 0
        }
    }

    /// The products on the panel kernels: about eight chunks of whole 32-row panel pairs per
    /// thread, `decodeChunksPerThread` for decode steps (a panel kernel reads its weights once per
    /// call, so chunks need not fit a cache), each thread with its own scratch slot for packed panels.
    private func multiplyOnPanels(
        _ products: (MatrixProduct, MatrixProduct?, MatrixProduct?), count: Int, totalRows: Int,
        _ x: QuantizedActivations, _ buffer: ActivationBuffer
    ) {
        let panelRows = 32
        let panels = (totalRows + panelRows - 1) / panelRows
        let chunksPerThread = x.rows <= Self.decodeBatchRows ? Self.decodeChunksPerThread : 8
        let chunkPanels = Swift.max(1, (panels + pool.threadCount * chunksPerThread - 1) / (pool.threadCount * chunksPerThread))
        let chunkRows = chunkPanels * panelRows
        let chunks = (totalRows + chunkRows - 1) / chunkRows
        let kernels = self.kernels
        let scratch = buffer.scratch, scratchBytes = buffer.scratchBytes
        precondition(pool.threadCount <= buffer.scratchSlots, "activation buffer has scratch for \(buffer.scratchSlots) threads")
        // Repacked weights are read when every product has them and every slice starts on a
        // panel: chunks are whole panel pairs, so products after the first must start on one too.
        var repacked = true
        for p in 0..<count {
            let weights = p == 0 ? products.0.weights : p == 1 ? products.1!.weights : products.2!.weights
            if weights.panels == nil || (count > 1 && weights.rows % 16 != 0) { repacked = false }
        }
        pool.parallelFor(count: chunks) { chunk, slot in
            Self.forEachSlice(of: products, count: count, rows: (chunk * chunkRows)..<((chunk + 1) * chunkRows)) { product, start, rows in
                product.computeOnPanels(rows: start, count: rows, x, scales: buffer.scales, kernels, repacked: repacked,
                                        scratch: scratch + slot * scratchBytes)
            }
        }
    }

    /// Activation rows up to which a product counts as a decode step (one sequence, or one token
    /// of each of several) and is cut into `decodeChunksPerThread` chunks per thread.
    static let decodeBatchRows = 8

    /// Chunks per thread of a decode step's product. Fewer, longer chunks measured faster here
    /// (each chunk starts a new stream of weights that the prefetch must catch up with). Steps
    /// alternating A B B A between the settings in one process, two per thread against eight:
    /// 8 streams 3.7-7.6 % faster, one stream 3.3-4.6 % faster; one per thread was no faster than two.
    static let decodeChunksPerThread = 2

    /// Quantizes `input` into `buffer` and multiplies: the one-call form of `quantize` + `multiply`.
    public func multiply(
        _ weights: WeightMatrix, input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>,
        buffer: ActivationBuffer
    ) {
        multiply(weights, quantize(input, rows: rows, columns: weights.columns, for: weights.type, into: buffer), into: output)
    }

    /// Rows per parallel chunk on the row kernels.
    ///
    /// A row kernel walks its chunk's weight rows once per tile of four activation rows, so when the
    /// batch spans several tiles the chunk is kept within `cacheBytes` to be re-read from cache,
    /// not memory. Otherwise about eight chunks per thread balance the work.
    static func rowsPerChunk(totalRows: Int, rowBytes: Int, batch: Int, threads: Int, cacheBytes: Int = 128 << 10) -> Int {
        let target = Swift.max(1, threads * 8)
        var rows = Swift.max(Swift.max(1, 64 / Swift.max(1, batch)), (totalRows + target - 1) / target)
        if batch > 4 { rows = Swift.min(rows, Swift.max(4, cacheBytes / Swift.max(1, rowBytes))) }
        return rows
    }
}

/// One weight matrix and where its product goes (`batch × weights.rows` floats, row-major).
public struct MatrixProduct: @unchecked Sendable {
    // Safe because each parallel chunk writes a disjoint set of output rows.

    /// The weights.
    public let weights: WeightMatrix
    /// The first output float.
    public let output: UnsafeMutablePointer<Float>

    /// `weights` writing to `output`.
    public init(_ weights: WeightMatrix, into output: UnsafeMutablePointer<Float>) {
        self.weights = weights
        self.output = output
    }

    @inline(__always)
    func compute(rows start: Int, count: Int, _ x: QuantizedActivations, _ kernels: KernelSet) {
        let w = weights
        let blocks = w.type.blockSize == 1 ? w.columns : w.columns / w.type.blockSize
        kernels.gemm(
            w.type, weights: w.row(start), weightStride: w.rowStride, rows: count, blocks: blocks,
            activations: x.base, activationStride: x.rowStride, batch: x.rows,
            output: output + start, outputStride: w.rows)
    }

    @inline(__always)
    func computeOnPanels(rows start: Int, count: Int, _ x: QuantizedActivations, scales: UnsafePointer<Float>, _ kernels: KernelSet,
                         repacked: Bool, scratch: UnsafeMutableRawPointer) {
        let w = weights
        if repacked, let panels = w.panels {
            let blocks = w.columns / w.type.blockSize
            if let interleaved = x.interleaved {
                kernels.interleavedPanelGemm(
                    w.type, panels: panels + (start / 16) * KernelSet.panelStride(w.type, blocks: blocks), rows: count, blocks: blocks,
                    interleaved: interleaved, batch: x.rows, output: output + start, outputStride: w.rows)
                return
            }
            kernels.packedPanelGemm(
                w.type, panels: panels + (start / 16) * KernelSet.panelStride(w.type, blocks: blocks), rows: count, blocks: blocks,
                activations: x.base, activationStride: x.rowStride, scales: scales, batch: x.rows,
                output: output + start, outputStride: w.rows, scratch: scratch)
            return
        }
        guard kernels.panelKernelReadsFileRows(w.type) else { return compute(rows: start, count: count, x, kernels) }
        kernels.panelGemm(
            w.type, weights: w.row(start), weightStride: w.rowStride, rows: count, blocks: w.columns / w.type.blockSize,
            activations: x.base, activationStride: x.rowStride, scales: scales, batch: x.rows,
            output: output + start, outputStride: w.rows, scratch: scratch)
    }
}
