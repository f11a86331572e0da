/// The hyper-parameters of a llama-family model, read from its GGUF metadata (`<arch>.*` keys).
public struct LlamaHyperParameters: Sendable, Equatable {
    /// `general.architecture`, the prefix of every other key.
    public let architecture: String
    /// Width of the residual stream (`embedding_length`).
    public let embeddingLength: Int
    /// Number of transformer blocks (`block_count`).
    public let blockCount: Int
    /// Hidden width of the feed-forward network (`feed_forward_length`).
    public let feedForwardLength: Int
    /// Query heads (`attention.head_count`).
    public let headCount: Int
    /// Key/value heads (`attention.head_count_kv`, default `headCount`).
    public let headCountKV: Int
    /// Width of one head (`attention.key_length`, default `embeddingLength / headCount`).
    public let headDimension: Int
    /// RMSNorm epsilon (`attention.layer_norm_rms_epsilon`).
    public let rmsNormEpsilon: Float
    /// RoPE base frequency (`rope.freq_base`, default 10000).
    public let ropeFrequencyBase: Float
    /// Leading dimensions of each head that RoPE rotates (`rope.dimension_count`, default `headDimension`).
    public let ropeDimensionCount: Int
    /// Trained context length (`context_length`).
    public let contextLength: Int
    /// Vocabulary size (rows of `token_embd.weight`).
    public let vocabularySize: Int

    /// Width of all query heads together.
    public var queryWidth: Int { headCount * headDimension }
    /// Width of all key (or value) heads together.
    public var keyValueWidth: Int { headCountKV * headDimension }
    /// Query heads that share one key/value head.
    public var queryHeadsPerKVHead: Int { headCount / headCountKV }

    /// Architectures whose forward pass this type describes.
    public static let supportedArchitectures: Set<String> = ["llama"]

    /// Reads and checks the hyper-parameters of `file`.
    /// - Throws: `ModelError.unsupportedArchitecture`, or `GGUFError` naming a missing or invalid key.
    public init(file: GGUFFile) throws {
        let arch = try file.string("general.architecture")
        guard Self.supportedArchitectures.contains(arch) else { throw ModelError.unsupportedArchitecture(arch) }
        func key(_ name: String) -> String { "\(arch).\(name)" }

        architecture = arch
        embeddingLength = try Self.positive(file, key("embedding_length"))
        blockCount = try Self.positive(file, key("block_count"))
        feedForwardLength = try Self.positive(file, key("feed_forward_length"))
        headCount = try Self.positive(file, key("attention.head_count"))
        headCountKV = file.metadata[key("attention.head_count_kv")] == nil
            ? headCount : try Self.positive(file, key("attention.head_count_kv"))
        guard headCount % headCountKV == 0 else {
            throw GGUFError.invalidValue(key: key("attention.head_count_kv"),
                                         reason: "\(headCountKV) does not divide head_count \(headCount)")
        }
        if file.metadata[key("attention.key_length")] != nil {
            headDimension = try Self.positive(file, key("attention.key_length"))
        } else {
            guard embeddingLength % headCount == 0 else {
                throw GGUFError.invalidValue(key: key("attention.head_count"),
                                             reason: "\(headCount) does not divide embedding_length \(embeddingLength)")
            }
            headDimension = embeddingLength / headCount
        }
        rmsNormEpsilon = try file.float(key("attention.layer_norm_rms_epsilon"))
        guard rmsNormEpsilon > 0, rmsNormEpsilon.isFinite else {
            throw GGUFError.invalidValue(key: key("attention.layer_norm_rms_epsilon"), reason: "must be a positive number")
        }
        ropeFrequencyBase = try file.float(key("rope.freq_base"), default: 10000)
        guard ropeFrequencyBase > 0, ropeFrequencyBase.isFinite else {
            throw GGUFError.invalidValue(key: key("rope.freq_base"), reason: "must be a positive number")
        }
        ropeDimensionCount = try file.integer(key("rope.dimension_count"), default: headDimension)
        guard ropeDimensionCount > 0, ropeDimensionCount % 2 == 0, ropeDimensionCount <= headDimension else {
            throw GGUFError.invalidValue(key: key("rope.dimension_count"),
                                         reason: "\(ropeDimensionCount) must be even and at most the head width \(headDimension)")
        }
        contextLength = try Self.positive(file, key("context_length"))
        let embedding = try file.requireTensor("token_embd.weight")
        guard embedding.dimensions.count == 2, embedding.dimensions[0] == embeddingLength else {
            throw GGUFError.unexpectedTensor(tensor: "token_embd.weight",
                                             reason: "shape \(embedding.dimensions), expected [\(embeddingLength), vocabulary]")
        }
        vocabularySize = embedding.dimensions[1]
    }

    private static func positive(_ file: GGUFFile, _ key: String) throws -> Int {
        let value = try file.integer(key)
        guard value > 0, value <= 1 << 24 else { throw GGUFError.invalidValue(key: key, reason: "\(value) is out of range") }
        return value
    }
}
