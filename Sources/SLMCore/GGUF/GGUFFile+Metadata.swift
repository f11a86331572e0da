// MARK: Typed metadata accessors

extension GGUFFile {
    /// The value of `key`.
    /// - Throws: `GGUFError.missingKey`.
    public func value(_ key: String) throws(GGUFError) -> GGUFValue {
        guard let value = metadata[key] else { throw .missingKey(key) }
        return value
    }

    /// The value of `key` as an `Int`, from any integer type.
    /// - Throws: `GGUFError.missingKey` or `.wrongType`.
    public func integer(_ key: String) throws(GGUFError) -> Int {
        let value = try value(key)
        guard let int = value.integerValue else { throw .wrongType(key: key, expected: "integer", found: value.typeName) }
        return int
    }

    /// The value of `key` as an `Int`, or `defaultValue` when the key is absent.
    /// - Throws: `GGUFError.wrongType` when present with another type.
    public func integer(_ key: String, default defaultValue: Int) throws(GGUFError) -> Int {
        metadata[key] == nil ? defaultValue : try integer(key)
    }

    /// The value of `key` as a `Float`, from a float or integer type.
    /// - Throws: `GGUFError.missingKey` or `.wrongType`.
    public func float(_ key: String) throws(GGUFError) -> Float {
        let value = try value(key)
        guard let number = value.floatingValue else { throw .wrongType(key: key, expected: "number", found: value.typeName) }
        return Float(number)
    }

    /// The value of `key` as a `Float`, or `defaultValue` when the key is absent.
    /// - Throws: `GGUFError.wrongType` when present with another type.
    public func float(_ key: String, default defaultValue: Float) throws(GGUFError) -> Float {
        metadata[key] == nil ? defaultValue : try float(key)
    }

    /// The value of `key` as a `String`.
    /// - Throws: `GGUFError.missingKey` or `.wrongType`.
    public func string(_ key: String) throws(GGUFError) -> String {
        let value = try value(key)
        guard let string = value.stringValue else { throw .wrongType(key: key, expected: "string", found: value.typeName) }
        return string
    }

    /// The value of `key` as a `Bool`.
    /// - Throws: `GGUFError.missingKey` or `.wrongType`.
    public func bool(_ key: String) throws(GGUFError) -> Bool {
        let value = try value(key)
        guard let bool = value.boolValue else { throw .wrongType(key: key, expected: "bool", found: value.typeName) }
        return bool
    }

    /// The value of `key` as a `Bool`, or `defaultValue` when the key is absent.
    /// - Throws: `GGUFError.wrongType` when present with another type.
    public func bool(_ key: String, default defaultValue: Bool) throws(GGUFError) -> Bool {
        metadata[key] == nil ? defaultValue : try bool(key)
    }

    /// The elements of the array at `key`.
    /// - Throws: `GGUFError.missingKey` or `.wrongType`.
    public func array(_ key: String) throws(GGUFError) -> [GGUFValue] {
        let value = try value(key)
        guard let array = value.arrayValue else { throw .wrongType(key: key, expected: "array", found: value.typeName) }
        return array
    }

    /// The array at `key` as strings.
    /// - Throws: `GGUFError.missingKey` or `.wrongType` (also when an element is not a string).
    public func stringArray(_ key: String) throws(GGUFError) -> [String] {
        var result: [String] = []
        for element in try array(key) {
            guard let string = element.stringValue else {
                throw .wrongType(key: key, expected: "array of string", found: "array of \(element.typeName)")
            }
            result.append(string)
        }
        return result
    }

    /// The array at `key` as integers, from any integer element type.
    /// - Throws: `GGUFError.missingKey` or `.wrongType` (also when an element is not an integer).
    public func integerArray(_ key: String) throws(GGUFError) -> [Int] {
        var result: [Int] = []
        for element in try array(key) {
            guard let int = element.integerValue else {
                throw .wrongType(key: key, expected: "array of integer", found: "array of \(element.typeName)")
            }
            result.append(int)
        }
        return result
    }

    /// The array at `key` as floats, from any number element type.
    /// - Throws: `GGUFError.missingKey` or `.wrongType` (also when an element is not a number).
    public func floatArray(_ key: String) throws(GGUFError) -> [Float] {
        var result: [Float] = []
        for element in try array(key) {
            guard let number = element.floatingValue else {
                throw .wrongType(key: key, expected: "array of number", found: "array of \(element.typeName)")
            }
            result.append(Float(number))
        }
        return result
    }
}
