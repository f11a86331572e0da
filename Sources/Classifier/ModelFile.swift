import Foundation

/// Problems reading a classifier model file.
public enum ClassifierModelError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(file: String, reason: String)
    /// The bytes are not a model of this format.
    case invalidFormat(file: String, reason: String)

    /// A message naming the file.
    public var description: String {
        switch self {
        case .unreadable(let file, let reason): return "\(file): cannot read classifier model: \(reason)"
        case .invalidFormat(let file, let reason): return "\(file): not a classifier model: \(reason)"
        }
    }
}

/// The on-disk form of a ``LinearClassifierModel``:
///
/// ```
/// "SWCM" · UInt32 version (1) · UInt32 header length · header JSON (labels, bucket bits, n-gram sizes, threshold)
/// · Float32 scales[rowWidth] · Float32 biases[rowWidth] · UInt32 stored rows
/// · for each row with a non-zero weight: UInt32 row index · Int8 weights[rowWidth]
/// ```
/// All integers little-endian. Rows that are all zero are left out, which keeps the file small.
extension LinearClassifierModel {
    private struct Header: Codable {
        var domains: [String]
        var tasks: [String]
        var bucketBits: Int
        var gramSizes: Int
        var unknownBelow: Double
    }

    private static let magic = Array("SWCM".utf8)

    /// The model's bytes in the file format above.
    public func serialized() -> Data {
        var data = Data(Self.magic)
        func put(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        func putFloat(_ value: Float) { put(value.bitPattern) }
        put(1)
        let header = try! JSONEncoder().encode(Header(domains: domains, tasks: tasks, bucketBits: extractor.bucketBits, gramSizes: extractor.gramSizes, unknownBelow: unknownBelow))
        put(UInt32(header.count))
        data.append(header)
        scales.forEach(putFloat)
        biases.forEach(putFloat)
        let rows = weights.count / chunks
        let stored = (0..<rows).filter { row in (0..<chunks).contains { weights[row * chunks + $0] != .zero } }
        put(UInt32(stored.count))
        for row in stored {
            put(UInt32(row))
            for chunk in 0..<chunks {
                let lanes = weights[row * chunks + chunk]
                for lane in 0..<16 { data.append(UInt8(bitPattern: lanes[lane])) }
            }
        }
        return data
    }

    /// Reads a model from bytes in the file format above.
    /// - Throws: ``ClassifierModelError/invalidFormat(file:reason:)`` naming `file`.
    public init(serialized data: Data, file: String = "<memory>") throws(ClassifierModelError) {
        let bytes = [UInt8](data)
        var offset = 0
        func fail(_ reason: String) -> ClassifierModelError { .invalidFormat(file: file, reason: reason) }
        func u32() throws(ClassifierModelError) -> UInt32 {
            guard offset + 4 <= bytes.count else { throw fail("truncated at byte \(offset)") }
            defer { offset += 4 }
            return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
        }
        guard bytes.count >= 4, Array(bytes[0..<4]) == Self.magic else { throw fail("missing SWCM magic") }
        offset = 4
        guard try u32() == 1 else { throw fail("unknown version") }
        let headerLength = Int(try u32())
        guard offset + headerLength <= bytes.count,
              let header = try? JSONDecoder().decode(Header.self, from: Data(bytes[offset..<offset + headerLength])) else { throw fail("bad header") }
        offset += headerLength
        guard (8...24).contains(header.bucketBits), (0...7).contains(header.gramSizes), !header.domains.isEmpty, header.domains.count + header.tasks.count <= 32 else { throw fail("bad header values") }
        let chunks = max(1, (header.domains.count + header.tasks.count + 15) / 16)
        let width = chunks * 16
        var scales: [Float] = [], biases: [Float] = []
        for _ in 0..<width { scales.append(Float(bitPattern: try u32())) }
        for _ in 0..<width { biases.append(Float(bitPattern: try u32())) }
        let rows = 1 << header.bucketBits
        var weights = [SIMD16<Int8>](repeating: .zero, count: rows * chunks)
        let stored = Int(try u32())
        for _ in 0..<stored {
            let row = Int(try u32())
            guard row < rows, offset + width <= bytes.count else { throw fail("bad row \(row)") }
            for chunk in 0..<chunks {
                var lanes = SIMD16<Int8>.zero
                for lane in 0..<16 { lanes[lane] = Int8(bitPattern: bytes[offset + chunk * 16 + lane]) }
                weights[row * chunks + chunk] = lanes
            }
            offset += width
        }
        guard offset == bytes.count else { throw fail("\(bytes.count - offset) trailing bytes") }
        self.init(domains: header.domains, tasks: header.tasks, extractor: FeatureExtractor(bucketBits: header.bucketBits, gramSizes: header.gramSizes),
                  unknownBelow: header.unknownBelow, weights: weights, chunks: chunks, scales: scales, biases: biases)
    }

    /// Reads a model file.
    /// - Throws: ``ClassifierModelError`` naming the file.
    public init(contentsOfFile path: String) throws(ClassifierModelError) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(file: path, reason: (error as NSError).localizedDescription)
        }
        try self.init(serialized: data, file: path)
    }
}
