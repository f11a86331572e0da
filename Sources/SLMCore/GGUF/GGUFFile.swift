/// A GGUF v2/v3 file mapped into memory: its metadata, tensor table and tensor bytes.
///
/// Everything is validated against the file size when the file is opened, so later reads of
/// metadata or tensors cannot go out of bounds.
/// ```swift
/// let file = try GGUFFile(path: "model.gguf")
/// let layers = try file.integer("llama.block_count")
/// let embedding = try file.weightMatrix("token_embd.weight")
/// ```
public final class GGUFFile: Sendable {
    /// The GGUF version from the header.
    public let version: UInt32
    /// Metadata keys in file order.
    public let metadataKeys: [String]
    /// Every metadata value by key.
    public let metadata: [String: GGUFValue]
    /// Tensor infos in file order.
    public let tensors: [GGUFTensorInfo]
    /// Byte alignment of tensor data (`general.alignment`, default 32).
    public let alignment: Int
    /// Offset of the data section from the start of the file.
    public let dataOffset: Int
    /// The mapped file.
    public let mapping: MappedFile
    private let tensorIndex: [String: Int]

    /// The deepest nesting of arrays the reader accepts.
    static let maximumArrayDepth = 8
    static let defaultAlignment = 32
    static let maximumDimensions: UInt32 = 4

    /// Maps and validates the GGUF file at `path`.
    /// - Throws: `GGUFError` naming the key, tensor or offset at fault.
    public convenience init(path: String) throws(GGUFError) {
        try self.init(mapping: MappedFile(path: path))
    }

    /// Parses and validates an already mapped file.
    /// - Throws: `GGUFError` naming the key, tensor or offset at fault.
    public init(mapping: MappedFile) throws(GGUFError) {
        self.mapping = mapping
        var cursor = GGUFByteCursor(base: mapping.base, count: mapping.count)

        // MARK: Header
        let magic = try cursor.read(UInt32.self, "magic")
        guard magic == 0x4655_4747 else { throw .badMagic(found: magic) }
        version = try cursor.read(UInt32.self, "version")
        guard version == 2 || version == 3 else { throw .unsupportedVersion(version) }
        let tensorCount = try cursor.read(UInt64.self, "tensor count")
        let keyCount = try cursor.read(UInt64.self, "metadata key count")
        // A key needs at least a string length, a type and one byte of value.
        try cursor.checkCount(keyCount, minimumSize: 8 + 4 + 1, "metadata key count")

        // MARK: Metadata
        var keys: [String] = []
        var values: [String: GGUFValue] = [:]
        keys.reserveCapacity(Int(keyCount))
        for index in 0..<Int(keyCount) {
            let key = try cursor.readString("metadata key #\(index)")
            guard values[key] == nil else { throw .duplicateKey(key) }
            let rawType = try cursor.read(UInt32.self, "type of metadata key '\(key)'")
            values[key] = try Self.readValue(rawType: rawType, key: key, depth: 0, cursor: &cursor)
            keys.append(key)
        }
        metadataKeys = keys
        metadata = values

        // MARK: Alignment
        if let value = values["general.alignment"] {
            guard case let .uint32(raw) = value else {
                throw .wrongType(key: "general.alignment", expected: "uint32", found: value.typeName)
            }
            guard raw > 0, raw & (raw - 1) == 0 else { throw .invalidAlignment(UInt64(raw)) }
            alignment = Int(raw)
        } else {
            alignment = Self.defaultAlignment
        }

        // MARK: Tensor infos
        // A tensor info needs at least a name length, a dimension count, a type and an offset.
        try cursor.checkCount(tensorCount, minimumSize: 8 + 4 + 4 + 8, "tensor count")
        var rawInfos: [(name: String, dims: [UInt64], rawType: UInt32, offset: UInt64)] = []
        rawInfos.reserveCapacity(Int(tensorCount))
        for index in 0..<Int(tensorCount) {
            let name = try cursor.readString("name of tensor #\(index)")
            let dimCount = try cursor.read(UInt32.self, "dimension count of tensor '\(name)'")
            guard dimCount >= 1, dimCount <= Self.maximumDimensions else {
                throw .tooManyDimensions(tensor: name, count: dimCount)
            }
            var dims: [UInt64] = []
            for _ in 0..<dimCount { dims.append(try cursor.read(UInt64.self, "shape of tensor '\(name)'")) }
            let rawType = try cursor.read(UInt32.self, "type of tensor '\(name)'")
            let offset = try cursor.read(UInt64.self, "offset of tensor '\(name)'")
            rawInfos.append((name, dims, rawType, offset))
        }

        // MARK: Data section
        let (padded, overflow) = cursor.offset.addingReportingOverflow(alignment - 1)
        guard !overflow else { throw .truncated(context: "data section", offset: cursor.offset) }
        let dataStart = padded / alignment * alignment
        guard dataStart <= mapping.count else { throw .truncated(context: "data section", offset: dataStart) }
        dataOffset = dataStart
        let dataSize = mapping.count - dataStart

        var infos: [GGUFTensorInfo] = []
        var index: [String: Int] = [:]
        infos.reserveCapacity(rawInfos.count)
        for raw in rawInfos {
            guard index[raw.name] == nil else { throw .duplicateTensor(raw.name) }
            let info = try Self.validate(raw.name, dims: raw.dims, rawType: raw.rawType, offset: raw.offset,
                                         alignment: alignment, dataSize: dataSize)
            index[raw.name] = infos.count
            infos.append(info)
        }
        try Self.checkNoOverlap(infos)
        tensors = infos
        tensorIndex = index
    }

    // MARK: Parsing helpers

    private static func readValue(rawType: UInt32, key: String, depth: Int,
                                  cursor: inout GGUFByteCursor) throws(GGUFError) -> GGUFValue {
        guard let type = GGUFValueType(rawValue: rawType) else { throw .unknownValueType(key: key, rawType: rawType) }
        let context = "value of metadata key '\(key)'"
        switch type {
        case .uint8: return .uint8(try cursor.read(UInt8.self, context))
        case .int8: return .int8(try cursor.read(Int8.self, context))
        case .uint16: return .uint16(try cursor.read(UInt16.self, context))
        case .int16: return .int16(try cursor.read(Int16.self, context))
        case .uint32: return .uint32(try cursor.read(UInt32.self, context))
        case .int32: return .int32(try cursor.read(Int32.self, context))
        case .uint64: return .uint64(try cursor.read(UInt64.self, context))
        case .int64: return .int64(try cursor.read(Int64.self, context))
        case .float32: return .float32(try cursor.readFloat(context))
        case .float64: return .float64(try cursor.readDouble(context))
        case .bool:
            let byte = try cursor.read(UInt8.self, context)
            guard byte <= 1 else { throw .invalidValue(key: key, reason: "bool byte \(byte) is neither 0 nor 1") }
            return .bool(byte == 1)
        case .string: return .string(try cursor.readString(context))
        case .array:
            guard depth < maximumArrayDepth else { throw .arrayNestedTooDeep(key: key, depth: depth + 1) }
            let elementRawType = try cursor.read(UInt32.self, "element type of metadata key '\(key)'")
            guard let elementType = GGUFValueType(rawValue: elementRawType) else {
                throw .unknownValueType(key: key, rawType: elementRawType)
            }
            let count = try cursor.read(UInt64.self, "element count of metadata key '\(key)'")
            try cursor.checkCount(count, minimumSize: elementType.minimumByteCount, "metadata key '\(key)'")
            var elements: [GGUFValue] = []
            elements.reserveCapacity(Int(count))
            for _ in 0..<Int(count) {
                elements.append(try readValue(rawType: elementRawType, key: key, depth: depth + 1, cursor: &cursor))
            }
            return .array(elements)
        }
    }

    private static func validate(_ name: String, dims: [UInt64], rawType: UInt32, offset: UInt64,
                                 alignment: Int, dataSize: Int) throws(GGUFError) -> GGUFTensorInfo {
        guard let type = GGMLType(rawValue: rawType) else { throw .unknownTensorType(tensor: name, rawType: rawType) }
        var elements = 1
        var dimensions: [Int] = []
        for dim in dims {
            guard let d = Int(exactly: dim) else { throw .tensorSizeOverflow(tensor: name) }
            let (product, overflow) = elements.multipliedReportingOverflow(by: d)
            guard !overflow else { throw .tensorSizeOverflow(tensor: name) }
            elements = product
            dimensions.append(d)
        }
        guard dimensions[0] % type.blockSize == 0 else {
            throw .invalidShape(tensor: name, dimensions: dims,
                                reason: "rows of \(dimensions[0]) are not whole \(type) blocks of \(type.blockSize)")
        }
        guard let rowBytes = type.rowBytes(count: dimensions[0]) else { throw .tensorSizeOverflow(tensor: name) }
        let (byteCount, overflow) = rowBytes.multipliedReportingOverflow(by: dimensions.dropFirst().reduce(1, *))
        guard !overflow else { throw .tensorSizeOverflow(tensor: name) }
        guard offset % UInt64(alignment) == 0 else {
            throw .tensorMisaligned(tensor: name, offset: offset, alignment: alignment)
        }
        guard offset <= UInt64(dataSize), UInt64(byteCount) <= UInt64(dataSize) - offset else {
            throw .tensorOutOfBounds(tensor: name, offset: offset, byteCount: byteCount, dataSize: dataSize)
        }
        return GGUFTensorInfo(name: name, dimensions: dimensions, type: type, offset: Int(offset), byteCount: byteCount)
    }

    private static func checkNoOverlap(_ infos: [GGUFTensorInfo]) throws(GGUFError) {
        let sorted = infos.filter { $0.byteCount > 0 }.sorted { $0.offset < $1.offset }
        for (previous, next) in zip(sorted, sorted.dropFirst()) where previous.offset + previous.byteCount > next.offset {
            throw .tensorsOverlap(first: previous.name, second: next.name)
        }
    }

    // MARK: Tensors

    /// The info of the tensor called `name`, or nil.
    public func tensorInfo(_ name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The info of the tensor called `name`.
    /// - Throws: `GGUFError.missingTensor` when there is none.
    public func requireTensor(_ name: String) throws(GGUFError) -> GGUFTensorInfo {
        guard let info = tensorInfo(name) else { throw .missingTensor(name) }
        return info
    }

    /// The bytes of a tensor inside the mapping.
    public func bytes(of info: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: mapping.base + dataOffset + info.offset, count: info.byteCount)
    }

    /// A view of tensor `name` as a matrix of `rows` × `columns` (ne = [columns, rows]); 1-D tensors are one row.
    /// - Throws: `GGUFError.missingTensor`, or `.unexpectedTensor` when it has more than 2 dimensions.
    public func weightMatrix(_ name: String) throws(GGUFError) -> WeightMatrix {
        let info = try requireTensor(name)
        guard info.dimensions.count <= 2 else {
            throw .unexpectedTensor(tensor: name, reason: "expected 2 dimensions, found \(info.dimensions)")
        }
        return WeightMatrix(type: info.type, rows: info.rows, columns: info.columns, base: bytes(of: info).baseAddress!)
    }
}
