import SwitchyardTypes
import Testing
@testable import Store

@Suite struct HashingTests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        (String(repeating: "a", count: 1000), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"),
    ])
    func sha256MatchesFIPSVectors(input: String, expected: String) {
        #expect(SHA256.hexDigest(of: input) == expected)
    }

    @Test func sha256HandlesEveryPaddingBoundary() {
        // Lengths around the 55/56/64-byte padding edges must all give distinct 32-byte digests.
        let digests = (50...130).map { SHA256.digest(Array(repeating: UInt8(0x61), count: $0)) }
        #expect(digests.allSatisfy { $0.count == 32 })
        #expect(Set(digests.map { hexString($0) }).count == digests.count)
    }

    @Test(arguments: [
        ("123456789", UInt32(0xCBF4_3926)),
        ("", UInt32(0)),
        ("The quick brown fox jumps over the lazy dog", UInt32(0x414F_A339)),
    ])
    func crc32MatchesZlib(input: String, expected: UInt32) {
        #expect(CRC32.checksum(Array(input.utf8)) == expected)
    }

    @Test func apiKeySecretsAreFreshPrefixedAndHashedToThirtyTwoBytes() {
        let first = APIKeySecret.generate()
        let second = APIKeySecret.generate()
        #expect(first != second)
        #expect(first.hasPrefix("sk-sy-"))
        #expect(first.count == 6 + 64)
        #expect(APIKeySecret.hash(first).count == 32)
        #expect(APIKeySecret.hash(first) != APIKeySecret.hash(second))
        #expect(APIKeySecret.displayPrefix(of: first) == String(first.prefix(12)))
    }
}
