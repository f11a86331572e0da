/// Why a GGUF file could not be read, naming the key, tensor or byte offset at fault.
public enum GGUFError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened, sized or mapped (`errno` from the system call).
    case cannotOpen(path: String, errno: Int32)
    /// The file ended before `context` could be read at byte `offset`.
    case truncated(context: String, offset: Int)
    /// The first four bytes are not `GGUF`.
    case badMagic(found: UInt32)
    /// A GGUF version this reader does not understand.
    case unsupportedVersion(UInt32)
    /// A count (keys, tensors, array elements) larger than the file could possibly hold.
    case absurdCount(context: String, count: UInt64)
    /// A string length larger than the bytes left in the file.
    case absurdStringLength(context: String, length: UInt64)
    /// A string that is not valid UTF-8.
    case invalidUTF8(context: String)
    /// A metadata value type id that GGUF does not define.
    case unknownValueType(key: String, rawType: UInt32)
    /// Arrays nested deeper than the reader allows.
    case arrayNestedTooDeep(key: String, depth: Int)
    /// The same metadata key appears twice.
    case duplicateKey(String)
    /// A required metadata key is absent.
    case missingKey(String)
    /// A metadata value has a different type than the caller needs.
    case wrongType(key: String, expected: String, found: String)
    /// A metadata value has the right type but an unusable value.
    case invalidValue(key: String, reason: String)
    /// `general.alignment` is zero or not a power of two.
    case invalidAlignment(UInt64)
    /// A tensor has more dimensions than GGML supports.
    case tooManyDimensions(tensor: String, count: UInt32)
    /// A tensor's shape is unusable (zero-sized row, partial block, ...).
    case invalidShape(tensor: String, dimensions: [UInt64], reason: String)
    /// A tensor type id that this reader does not know.
    case unknownTensorType(tensor: String, rawType: UInt32)
    /// A tensor whose element or byte count overflows a 64-bit integer.
    case tensorSizeOverflow(tensor: String)
    /// A tensor's offset is not a multiple of the file's alignment.
    case tensorMisaligned(tensor: String, offset: UInt64, alignment: Int)
    /// A tensor's bytes reach past the end of the file.
    case tensorOutOfBounds(tensor: String, offset: UInt64, byteCount: Int, dataSize: Int)
    /// Two tensors share bytes.
    case tensorsOverlap(first: String, second: String)
    /// The same tensor name appears twice.
    case duplicateTensor(String)
    /// A required tensor is absent.
    case missingTensor(String)
    /// A tensor has a shape or type other than the one the caller needs.
    case unexpectedTensor(tensor: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, errno): "cannot open GGUF file \(path) (errno \(errno))"
        case let .truncated(context, offset): "GGUF file ends early: \(context) at byte \(offset)"
        case let .badMagic(found): "not a GGUF file (magic 0x\(String(found, radix: 16)))"
        case let .unsupportedVersion(v): "unsupported GGUF version \(v) (supported: 2, 3)"
        case let .absurdCount(context, count): "\(context): count \(count) exceeds what the file can hold"
        case let .absurdStringLength(context, length): "\(context): string length \(length) exceeds the file"
        case let .invalidUTF8(context): "\(context): string is not valid UTF-8"
        case let .unknownValueType(key, raw): "metadata key '\(key)': unknown value type \(raw)"
        case let .arrayNestedTooDeep(key, depth): "metadata key '\(key)': arrays nested \(depth) deep"
        case let .duplicateKey(key): "metadata key '\(key)' appears twice"
        case let .missingKey(key): "metadata key '\(key)' is missing"
        case let .wrongType(key, expected, found): "metadata key '\(key)': expected \(expected), found \(found)"
        case let .invalidValue(key, reason): "metadata key '\(key)': \(reason)"
        case let .invalidAlignment(value): "general.alignment \(value) is not a power of two"
        case let .tooManyDimensions(tensor, count): "tensor '\(tensor)': \(count) dimensions (at most 4)"
        case let .invalidShape(tensor, dims, reason): "tensor '\(tensor)' shape \(dims): \(reason)"
        case let .unknownTensorType(tensor, raw): "tensor '\(tensor)': unknown GGML type \(raw)"
        case let .tensorSizeOverflow(tensor): "tensor '\(tensor)': size overflows"
        case let .tensorMisaligned(tensor, offset, alignment):
            "tensor '\(tensor)': offset \(offset) is not a multiple of \(alignment)"
        case let .tensorOutOfBounds(tensor, offset, byteCount, dataSize):
            "tensor '\(tensor)': bytes \(offset)..<\(offset + UInt64(byteCount)) past the data section (\(dataSize) bytes)"
        case let .tensorsOverlap(first, second): "tensors '\(first)' and '\(second)' overlap"
        case let .duplicateTensor(name): "tensor '\(name)' appears twice"
        case let .missingTensor(name): "tensor '\(name)' is missing"
        case let .unexpectedTensor(tensor, reason): "tensor '\(tensor)': \(reason)"
        }
    }
}
