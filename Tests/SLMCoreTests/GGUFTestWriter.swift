@testable import SLMCore

/// Builds small GGUF files byte by byte, including deliberately broken ones.
struct GGUFTestWriter {
    /// One tensor to write: its shape, raw type id, data, and an optional forced offset.
    struct Tensor {
        var name: String
        var dimensions: [UInt64]
        var rawType: UInt32
        var data: [UInt8]
        var offset: UInt64? = nil
    }

    var magic: UInt32 = 0x4655_4747
    var version: UInt32 = 3
    var metadata: [(String, GGUFValue)] = []
    var tensors: [Tensor] = []
    var alignment = 32
    /// Overrides the counts written in the header (to simulate hostile files).
    var tensorCountOverride: UInt64? = nil
    var keyCountOverride: UInt64? = nil

    /// The complete file.
    func bytes() -> [UInt8] {
        var out: [UInt8] = []
        Self.append(magic, to: &out)
        Self.append(version, to: &out)
        Self.append(tensorCountOverride ?? UInt64(tensors.count), to: &out)
        Self.append(keyCountOverride ?? UInt64(metadata.count), to: &out)
        for (key, value) in metadata {
            Self.appendString(key, to: &out)
            Self.append(Self.typeID(value), to: &out)
            Self.appendValue(value, to: &out)
        }
        var nextOffset: UInt64 = 0
        var offsets: [UInt64] = []
        for tensor in tensors {
            let offset = tensor.offset ?? nextOffset
            offsets.append(offset)
            nextOffset = max(nextOffset, Self.aligned(offset + UInt64(tensor.data.count), alignment))
            Self.appendString(tensor.name, to: &out)
            Self.append(UInt32(tensor.dimensions.count), to: &out)
            for d in tensor.dimensions { Self.append(d, to: &out) }
            Self.append(tensor.rawType, to: &out)
            Self.append(offset, to: &out)
        }
        while out.count % alignment != 0 { out.append(0) }
        let dataStart = out.count
        for (tensor, offset) in zip(tensors, offsets) {
            let end = dataStart + Int(offset) + tensor.data.count
            if out.count < end { out += [UInt8](repeating: 0, count: end - out.count) }
            out.replaceSubrange((dataStart + Int(offset))..<end, with: tensor.data)
        }
        return out
    }

    // MARK: Encoding

    static func aligned(_ value: UInt64, _ alignment: Int) -> UInt64 {
        (value + UInt64(alignment) - 1) / UInt64(alignment) * UInt64(alignment)
    }

    static func append<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out += $0 }
    }

    static func appendString(_ string: String, to out: inout [UInt8]) {
        append(UInt64(string.utf8.count), to: &out)
        out += Array(string.utf8)
    }

    static func typeID(_ value: GGUFValue) -> UInt32 {
        switch value {
        case .uint8: 0
        case .int8: 1
        case .uint16: 2
        case .int16: 3
        case .uint32: 4
        case .int32: 5
        case .float32: 6
        case .bool: 7
        case .string: 8
        case .array: 9
        case .uint64: 10
        case .int64: 11
        case .float64: 12
        }
    }

    static func appendValue(_ value: GGUFValue, to out: inout [UInt8]) {
        switch value {
        case let .uint8(v): append(v, to: &out)
        case let .int8(v): append(v, to: &out)
        case let .uint16(v): append(v, to: &out)
        case let .int16(v): append(v, to: &out)
        case let .uint32(v): append(v, to: &out)
        case let .int32(v): append(v, to: &out)
        case let .float32(v): append(v.bitPattern, to: &out)
        case let .bool(v): out.append(v ? 1 : 0)
        case let .string(s): appendString(s, to: &out)
        case let .uint64(v): append(v, to: &out)
        case let .int64(v): append(v, to: &out)
        case let .float64(v): append(v.bitPattern, to: &out)
        case let .array(elements):
            append(elements.first.map(typeID) ?? 4, to: &out)
            append(UInt64(elements.count), to: &out)
            for element in elements { appendValue(element, to: &out) }
        }
    }

    /// Little-endian bytes of float32 values.
    static func floatBytes(_ values: [Float]) -> [UInt8] {
        var out: [UInt8] = []
        for v in values { append(v.bitPattern, to: &out) }
        return out
    }
}
