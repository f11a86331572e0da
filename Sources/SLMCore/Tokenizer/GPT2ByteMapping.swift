/// GPT-2's reversible mapping between bytes and printable Unicode scalars.
///
/// Byte-level BPE vocabularies store each byte as a visible character: printable Latin-1 bytes
/// map to themselves, the others to U+0100 and up (space is `Ġ` U+0120, newline `Ċ` U+010A).
public enum GPT2ByteMapping {
    /// The scalar value that stands for each byte (index = byte).
    public static let scalarForByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let keepsItself = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            if keepsItself {
                table[byte] = UInt32(byte)
            } else {
                table[byte] = next
                next += 1
            }
        }
        return table
    }()

    /// The byte a scalar stands for, or nil when the scalar is not part of the mapping.
    public static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        let value = scalar.value
        if value < 256 {
            return scalarForByte[Int(value)] == value ? UInt8(value) : nil
        }
        guard value < 256 + 68 else { return nil }  // 68 bytes are remapped to U+0100...U+0143
        return byteForRemappedScalar[Int(value - 256)]
    }

    /// The vocabulary text of one byte (`Ġ` for a space).
    public static func piece(for byte: UInt8) -> String {
        String(Character(Unicode.Scalar(scalarForByte[Int(byte)])!))
    }

    /// The raw bytes a vocabulary piece stands for, or nil if it has a scalar outside the mapping.
    public static func bytes(ofPiece piece: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(piece.unicodeScalars.count)
        for scalar in piece.unicodeScalars {
            guard let byte = byte(for: scalar) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    private static let byteForRemappedScalar: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 68)
        for byte in 0..<256 where scalarForByte[byte] >= 256 {
            table[Int(scalarForByte[byte] - 256)] = UInt8(byte)
        }
        return table
    }()
}
