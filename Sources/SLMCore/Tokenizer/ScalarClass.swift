/// The Unicode classes the GPT-2 pre-tokenizer pattern distinguishes: `\p{L}`, `\p{N}`, `\s`.
struct ScalarClass: OptionSet, Sendable {
    let rawValue: UInt8

    static let letter = ScalarClass(rawValue: 1)
    static let number = ScalarClass(rawValue: 2)
    static let whitespace = ScalarClass(rawValue: 4)

    /// The classes of one scalar; ASCII is answered from a table, the rest from Unicode properties.
    static func of(_ scalar: UInt32) -> ScalarClass {
        if scalar < 128 { return asciiClasses[Int(scalar)] }
        guard let unicodeScalar = Unicode.Scalar(scalar) else { return [] }
        var classes: ScalarClass = []
        switch unicodeScalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            classes.insert(.letter)
        case .decimalNumber, .letterNumber, .otherNumber:
            classes.insert(.number)
        default:
            break
        }
        if unicodeScalar.properties.isWhitespace { classes.insert(.whitespace) }
        return classes
    }

    private static let asciiClasses: [ScalarClass] = (0..<128).map { value -> ScalarClass in
        switch UInt8(value) {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): .letter
        case UInt8(ascii: "0")...UInt8(ascii: "9"): .number
        case 0x09...0x0D, 0x20: .whitespace
        default: []
        }
    }
}
