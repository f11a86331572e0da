/// One metadata value of a GGUF file, with a case for each GGUF value type.
public enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8)
    case int8(Int8)
    case uint16(UInt16)
    case int16(Int16)
    case uint32(UInt32)
    case int32(Int32)
    case float32(Float)
    case bool(Bool)
    case string(String)
    case array([GGUFValue])
    case uint64(UInt64)
    case int64(Int64)
    case float64(Double)

    /// The value as an `Int` when it is any integer type that fits, else nil.
    public var integerValue: Int? {
        switch self {
        case let .uint8(v): Int(v)
        case let .int8(v): Int(v)
        case let .uint16(v): Int(v)
        case let .int16(v): Int(v)
        case let .uint32(v): Int(v)
        case let .int32(v): Int(v)
        case let .uint64(v): Int(exactly: v)
        case let .int64(v): Int(v)
        default: nil
        }
    }

    /// The value as a `Double` when it is a float or integer type, else nil.
    public var floatingValue: Double? {
        switch self {
        case let .float32(v): Double(v)
        case let .float64(v): v
        default: integerValue.map(Double.init)
        }
    }

    /// The value as a `String` when it is a string, else nil.
    public var stringValue: String? {
        if case let .string(s) = self { s } else { nil }
    }

    /// The value as a `Bool` when it is a bool, else nil.
    public var boolValue: Bool? {
        if case let .bool(b) = self { b } else { nil }
    }

    /// The elements when the value is an array, else nil.
    public var arrayValue: [GGUFValue]? {
        if case let .array(a) = self { a } else { nil }
    }

    /// The GGUF name of this value's type, for messages.
    public var typeName: String {
        switch self {
        case .uint8: "uint8"
        case .int8: "int8"
        case .uint16: "uint16"
        case .int16: "int16"
        case .uint32: "uint32"
        case .int32: "int32"
        case .float32: "float32"
        case .bool: "bool"
        case .string: "string"
        case .array: "array"
        case .uint64: "uint64"
        case .int64: "int64"
        case .float64: "float64"
        }
    }
}

/// The type ids GGUF writes before each metadata value.
enum GGUFValueType: UInt32 {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, bool = 7
    case string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

    /// The fewest bytes one value of this type occupies (for bounding counts before reading).
    var minimumByteCount: Int {
        switch self {
        case .uint8, .int8, .bool: 1
        case .uint16, .int16: 2
        case .uint32, .int32, .float32: 4
        case .uint64, .int64, .float64, .string: 8
        case .array: 12
        }
    }
}
