import Foundation
import Testing
@testable import SLMCore

/// A small valid file: every value type, a nested array, and two tensors.
private func validWriter() -> GGUFTestWriter {
    var writer = GGUFTestWriter()
    writer.metadata = [
        ("general.architecture", .string("llama")),
        ("u8", .uint8(200)), ("i8", .int8(-5)), ("u16", .uint16(60000)), ("i16", .int16(-30000)),
        ("u32", .uint32(4_000_000_000)), ("i32", .int32(-2_000_000_000)), ("f32", .float32(1.5)),
        ("flag", .bool(true)), ("u64", .uint64(1 << 40)), ("i64", .int64(-(1 << 40))), ("f64", .float64(-0.25)),
        ("names", .array([.string("a"), .string("ünï")])),
        ("nested", .array([.array([.int32(1), .int32(2)]), .array([.int32(3)])])),
    ]
    writer.tensors = [
        .init(name: "w", dimensions: [4, 2], rawType: GGMLType.f32.rawValue,
              data: GGUFTestWriter.floatBytes([1, 2, 3, 4, 5, 6, 7, 8])),
        .init(name: "v", dimensions: [3], rawType: GGMLType.f32.rawValue, data: GGUFTestWriter.floatBytes([9, 10, 11])),
    ]
    return writer
}

private func open(_ writer: GGUFTestWriter) throws -> GGUFFile {
    try GGUFFile(path: TestSupport.temporaryFile(writer.bytes()))
}

private func patched(_ bytes: [UInt8], at offset: Int, with value: some FixedWidthInteger) -> [UInt8] {
    var out = bytes
    var encoded: [UInt8] = []
    GGUFTestWriter.append(value, to: &encoded)
    out.replaceSubrange(offset..<(offset + encoded.count), with: encoded)
    return out
}

@Test func readsEveryMetadataTypeAndNestedArrays() throws {
    let file = try open(validWriter())
    #expect(file.version == 3)
    #expect(file.metadataKeys.first == "general.architecture")
    #expect(file.metadata["u8"] == .uint8(200))
    #expect(file.metadata["i8"] == .int8(-5))
    #expect(file.metadata["u16"] == .uint16(60000))
    #expect(file.metadata["i16"] == .int16(-30000))
    #expect(file.metadata["u32"] == .uint32(4_000_000_000))
    #expect(file.metadata["i32"] == .int32(-2_000_000_000))
    #expect(file.metadata["f32"] == .float32(1.5))
    #expect(file.metadata["flag"] == .bool(true))
    #expect(file.metadata["u64"] == .uint64(1 << 40))
    #expect(file.metadata["i64"] == .int64(-(1 << 40)))
    #expect(file.metadata["f64"] == .float64(-0.25))
    #expect(try file.stringArray("names") == ["a", "ünï"])
    #expect(file.metadata["nested"] == .array([.array([.int32(1), .int32(2)]), .array([.int32(3)])]))
    #expect(try file.integer("u32") == 4_000_000_000)
    #expect(try file.float("f64") == -0.25)
    #expect(try file.string("general.architecture") == "llama")
    #expect(try file.bool("flag"))
    #expect(try file.integer("absent", default: 7) == 7)
}

@Test func readsTensorInfosAndBytes() throws {
    let file = try open(validWriter())
    #expect(file.alignment == 32)
    #expect(file.dataOffset % 32 == 0)
    let w = try file.requireTensor("w")
    #expect(w.dimensions == [4, 2])
    #expect(w.rows == 2 && w.columns == 4 && w.byteCount == 32)
    let v = try file.requireTensor("v")
    #expect(v.offset == 32)
    let bytes = file.bytes(of: v)
    #expect(bytes.loadUnaligned(fromByteOffset: 8, as: Float.self) == 11)
    let matrix = try file.weightMatrix("w")
    #expect(matrix.rows == 2 && matrix.columns == 4)
    #expect(matrix.row(1).loadUnaligned(as: Float.self) == 5)
}

@Test func honoursGeneralAlignment() throws {
    var writer = validWriter()
    writer.alignment = 64
    writer.metadata.append(("general.alignment", .uint32(64)))
    let file = try open(writer)
    #expect(file.alignment == 64)
    #expect(file.dataOffset % 64 == 0)
    #expect(try file.requireTensor("v").offset == 64)
}

@Test func typedAccessorsNameTheKeyWhenMissingOrMistyped() throws {
    let file = try open(validWriter())
    #expect(throws: GGUFError.missingKey("llama.block_count")) { try file.integer("llama.block_count") }
    #expect(throws: GGUFError.wrongType(key: "general.architecture", expected: "integer", found: "string")) {
        try file.integer("general.architecture")
    }
    #expect(throws: GGUFError.wrongType(key: "u8", expected: "string", found: "uint8")) { try file.string("u8") }
    #expect(throws: GGUFError.wrongType(key: "names", expected: "array of integer", found: "array of string")) {
        try file.integerArray("names")
    }
    #expect(throws: GGUFError.wrongType(key: "flag", expected: "array", found: "bool")) { try file.array("flag") }
    #expect(throws: GGUFError.missingTensor("output.weight")) { try file.requireTensor("output.weight") }
}

/// A broken file and the error that must name its fault.
struct HostileCase: CustomStringConvertible, Sendable {
    let description: String
    let bytes: @Sendable () -> [UInt8]
    let expected: GGUFError
}

private func single(_ key: String, _ value: GGUFValue) -> GGUFTestWriter {
    var writer = GGUFTestWriter()
    writer.metadata = [(key, value)]
    return writer
}

private func tensorFile(_ tensors: [GGUFTestWriter.Tensor]) -> [UInt8] {
    var writer = GGUFTestWriter()
    writer.tensors = tensors
    return writer.bytes()
}

private let f32 = GGMLType.f32.rawValue
// Header: magic 4, version 4, tensor count 8, key count 8 = 24 bytes. A first key "a" then takes
// 8 + 1 bytes of name (to 33), 4 bytes of type (to 37), then its value.
private let hostileCases: [HostileCase] = [
    .init(description: "bad magic", bytes: { var w = GGUFTestWriter(); w.magic = 0x4C4C_4747; return w.bytes() },
          expected: .badMagic(found: 0x4C4C_4747)),
    .init(description: "version 1", bytes: { var w = GGUFTestWriter(); w.version = 1; return w.bytes() },
          expected: .unsupportedVersion(1)),
    .init(description: "truncated header", bytes: { Array(GGUFTestWriter().bytes().prefix(6)) },
          expected: .truncated(context: "version", offset: 4)),
    .init(description: "absurd key count",
          bytes: { var w = GGUFTestWriter(); w.keyCountOverride = .max; return w.bytes() },
          expected: .absurdCount(context: "metadata key count", count: .max)),
    .init(description: "absurd tensor count",
          bytes: { var w = GGUFTestWriter(); w.tensorCountOverride = 1 << 40; return w.bytes() },
          expected: .absurdCount(context: "tensor count", count: 1 << 40)),
    .init(description: "absurd string length",
          bytes: { patched(single("a", .string("x")).bytes(), at: 37, with: UInt64.max) },
          expected: .absurdStringLength(context: "value of metadata key 'a'", length: .max)),
    .init(description: "unknown value type",
          bytes: { patched(single("a", .uint8(1)).bytes(), at: 33, with: UInt32(99)) },
          expected: .unknownValueType(key: "a", rawType: 99)),
    .init(description: "absurd array count",
          bytes: { patched(single("a", .array([.uint32(1)])).bytes(), at: 41, with: UInt64(1) << 62) },
          expected: .absurdCount(context: "metadata key 'a'", count: 1 << 62)),
    .init(description: "arrays nested too deep",
          bytes: {
              var value = GGUFValue.array([.uint8(1)])
              for _ in 0..<10 { value = .array([value]) }
              return single("a", value).bytes()
          },
          expected: .arrayNestedTooDeep(key: "a", depth: 9)),
    .init(description: "bool that is not 0 or 1",
          bytes: { patched(single("a", .bool(true)).bytes(), at: 37, with: UInt8(7)) },
          expected: .invalidValue(key: "a", reason: "bool byte 7 is neither 0 nor 1")),
    .init(description: "invalid UTF-8 key",
          bytes: { patched(single("a", .uint8(1)).bytes(), at: 32, with: UInt8(0xFF)) },
          expected: .invalidUTF8(context: "metadata key #0")),
    .init(description: "duplicate key",
          bytes: { var w = single("a", .uint8(1)); w.metadata.append(("a", .uint8(2))); return w.bytes() },
          expected: .duplicateKey("a")),
    .init(description: "alignment of the wrong type",
          bytes: { single("general.alignment", .uint64(32)).bytes() },
          expected: .wrongType(key: "general.alignment", expected: "uint32", found: "uint64")),
    .init(description: "alignment not a power of two",
          bytes: { single("general.alignment", .uint32(48)).bytes() },
          expected: .invalidAlignment(48)),
    .init(description: "alignment zero",
          bytes: { single("general.alignment", .uint32(0)).bytes() },
          expected: .invalidAlignment(0)),
    .init(description: "unknown tensor type",
          bytes: { tensorFile([.init(name: "t", dimensions: [4], rawType: 99, data: [UInt8](repeating: 0, count: 16))]) },
          expected: .unknownTensorType(tensor: "t", rawType: 99)),
    .init(description: "five dimensions",
          bytes: { tensorFile([.init(name: "t", dimensions: [1, 1, 1, 1, 1], rawType: f32, data: [0, 0, 0, 0])]) },
          expected: .tooManyDimensions(tensor: "t", count: 5)),
    .init(description: "zero dimensions",
          bytes: { tensorFile([.init(name: "t", dimensions: [], rawType: f32, data: [])]) },
          expected: .tooManyDimensions(tensor: "t", count: 0)),
    .init(description: "shape whose byte size overflows",
          bytes: { tensorFile([.init(name: "t", dimensions: [1 << 31, 1 << 31], rawType: f32, data: [])]) },
          expected: .tensorSizeOverflow(tensor: "t")),
    .init(description: "dimension beyond Int",
          bytes: { tensorFile([.init(name: "t", dimensions: [.max], rawType: f32, data: [])]) },
          expected: .tensorSizeOverflow(tensor: "t")),
    .init(description: "row that is not whole blocks",
          bytes: { tensorFile([.init(name: "q", dimensions: [33, 1], rawType: GGMLType.q8_0.rawValue, data: [])]) },
          expected: .invalidShape(tensor: "q", dimensions: [33, 1], reason: "rows of 33 are not whole Q8_0 blocks of 32")),
    .init(description: "tensor past the end",
          // Header 24 + one tensor info of 33 bytes, padded to a data section at 64; keep 16 data bytes.
          bytes: { Array(tensorFile([.init(name: "t", dimensions: [4], rawType: f32, data: [UInt8](repeating: 0, count: 16), offset: 1024)]).prefix(64 + 16)) },
          expected: .tensorOutOfBounds(tensor: "t", offset: 1024, byteCount: 16, dataSize: 16)),
    .init(description: "tensor data cut short",
          bytes: { Array(tensorFile([.init(name: "t", dimensions: [4], rawType: f32, data: [UInt8](repeating: 0, count: 16))]).dropLast(4)) },
          expected: .tensorOutOfBounds(tensor: "t", offset: 0, byteCount: 16, dataSize: 12)),
    .init(description: "misaligned tensor",
          bytes: { tensorFile([.init(name: "t", dimensions: [4], rawType: f32, data: [UInt8](repeating: 0, count: 16), offset: 4)]) },
          expected: .tensorMisaligned(tensor: "t", offset: 4, alignment: 32)),
    .init(description: "overlapping tensors",
          bytes: {
              tensorFile([
                  .init(name: "a", dimensions: [16], rawType: f32, data: [UInt8](repeating: 0, count: 64), offset: 0),
                  .init(name: "b", dimensions: [4], rawType: f32, data: [UInt8](repeating: 0, count: 16), offset: 32),
              ])
          },
          expected: .tensorsOverlap(first: "a", second: "b")),
    .init(description: "duplicate tensor",
          bytes: {
              tensorFile([
                  .init(name: "a", dimensions: [4], rawType: f32, data: [UInt8](repeating: 0, count: 16)),
                  .init(name: "a", dimensions: [4], rawType: f32, data: [UInt8](repeating: 0, count: 16)),
              ])
          },
          expected: .duplicateTensor("a")),
]

@Test(arguments: hostileCases)
func rejectsHostileFileNamingTheFault(_ hostile: HostileCase) throws {
    let path = try TestSupport.temporaryFile(hostile.bytes())
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(throws: hostile.expected) { try GGUFFile(path: path) }
}

@Test func rejectsEmptyAndMissingFiles() throws {
    let empty = try TestSupport.temporaryFile([])
    #expect(throws: GGUFError.truncated(context: "header", offset: 0)) { try GGUFFile(path: empty) }
    #expect(throws: GGUFError.self) { try GGUFFile(path: "/nonexistent/model.gguf") }
}

@Test func everyStrictPrefixOfAValidFileIsRejected() throws {
    let bytes = validWriter().bytes()
    for length in 0..<bytes.count {
        let path = try TestSupport.temporaryFile(Array(bytes.prefix(length)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: GGUFError.self, "prefix of \(length) bytes") { try GGUFFile(path: path) }
    }
}

@Test func randomByteCorruptionNeverCrashes() throws {
    let bytes = validWriter().bytes()
    var generator = SystemRandomNumberGenerator()
    var rejected = 0
    for _ in 0..<300 {
        var corrupt = bytes
        for _ in 0..<3 { corrupt[Int.random(in: 0..<corrupt.count, using: &generator)] = .random(in: 0...255, using: &generator) }
        let path = try TestSupport.temporaryFile(corrupt)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do { _ = try GGUFFile(path: path) } catch { rejected += 1 }
    }
    #expect(rejected > 0)
}

@Test func readsTheTestModel() throws {
    let file = try GGUFFile(path: TestSupport.modelPath())
    #expect(try file.string("general.architecture") == "llama")
    #expect(try file.integer("llama.block_count") == 30)
    #expect(try file.integer("llama.embedding_length") == 576)
    #expect(try file.stringArray("tokenizer.ggml.tokens").count == 49152)
    #expect(file.tensorInfo("output.weight") == nil)
    let embedding = try file.requireTensor("token_embd.weight")
    #expect(embedding.type == .q8_0)
    #expect(embedding.dimensions == [576, 49152])
    #expect(try file.requireTensor("blk.0.attn_q.weight").type == .q4_1)
    #expect(file.tensors.count == 1 + 30 * 9 + 1)
}
