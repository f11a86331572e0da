import Foundation
import Testing
@testable import SLMCore

/// The cache file of repacked weights: written once, mapped again by later loads, rebuilt when it
/// does not match, and replaced by memory when no directory can be written.
@Suite struct RepackedWeightsTests {
    /// A file holding a Q4_1 and a Q8_0 matrix and something no panel kernel reads (Q6_K), mapped.
    struct Source {
        let path: String
        let mapping: MappedFile
        let matrices: [WeightMatrix]

        init(directory: String, seed: UInt64) throws {
            var rng = SeededGenerator(seed: seed)
            let q4 = randomWeights(.q4_1, rows: 40, columns: 64, using: &rng)
            let q8 = randomWeights(.q8_0, rows: 16, columns: 96, using: &rng)
            path = directory + "/model.bin"
            try Data(q4 + q8 + [UInt8](repeating: 0, count: 210 * 16)).write(to: URL(fileURLWithPath: path))
            mapping = try MappedFile(path: path)
            matrices = [
                WeightMatrix(type: .q4_1, rows: 40, columns: 64, base: mapping.base),
                WeightMatrix(type: .q8_0, rows: 16, columns: 96, base: mapping.base + q4.count),
                WeightMatrix(type: .q6_K, rows: 16, columns: 256, base: mapping.base + q4.count + q8.count),
            ]
        }
    }

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "repacked-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func cacheFiles(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".panels") }
    }

    /// Whether matrix `m`'s repacked copy in `repacked` holds the bytes `packPanels` writes for it.
    static func holdsPackedCopy(_ repacked: RepackedWeights, of matrices: [WeightMatrix], _ m: Int, _ kernels: KernelSet) -> Bool {
        let matrix = matrices[m]
        let count = kernels.panelBytes(matrix.type, rows: matrix.rows, columns: matrix.columns)!
        var expected = [UInt8](repeating: 0, count: count)
        expected.withUnsafeMutableBytes { kernels.packPanels(matrix, into: $0.baseAddress!) }
        guard let panels = repacked.panels[m] else { return false }
        return [UInt8](UnsafeRawBufferPointer(start: panels, count: count)) == expected
    }

    @Test func aCacheFileIsWrittenOnceAndMappedByLaterLoads() throws {
        let kernels = try #require(KernelSet(backend: .avx512VNNI), "this CPU lacks AVX-512 VNNI, so nothing is repacked here")
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let source = try Source(directory: directory, seed: 1)
        let cache = directory + "/cache/nested"

        let first = try #require(RepackedWeights(matrices: source.matrices, source: source.mapping, kernels: kernels, cache: .directory(cache)))
        guard case .cacheFile(let path, let reused) = first.storage else { Issue.record("not a cache file: \(first.storage)"); return }
        #expect(!reused)
        #expect(Self.cacheFiles(in: cache).count == 1, "no temporary file left behind")
        #expect(first.panels[2] == nil, "Q6_K has no repacked layout")
        for m in 0..<2 { #expect(Self.holdsPackedCopy(first, of: source.matrices, m, kernels), "matrix \(m)") }

        let second = try #require(RepackedWeights(matrices: source.matrices, source: source.mapping, kernels: kernels, cache: .directory(cache)))
        #expect(second.storage == .cacheFile(path: path, reused: true))
        #expect("\(first.storage)" == "cache file \(path) (written)")
        #expect("\(second.storage)" == "cache file \(path) (reused)")
    }

    @Test(arguments: ["header", "truncated"])
    func aCacheFileThatDoesNotMatchIsRebuilt(damage: String) throws {
        let kernels = try #require(KernelSet(backend: .avx512VNNI), "this CPU lacks AVX-512 VNNI, so nothing is repacked here")
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let source = try Source(directory: directory, seed: 2)
        let first = try #require(RepackedWeights(matrices: source.matrices, source: source.mapping, kernels: kernels, cache: .directory(directory)))
        guard case .cacheFile(let path, _) = first.storage else { Issue.record("not a cache file"); return }
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        if damage == "header" {
            try handle.seek(toOffset: 8)  // the layout version
            try handle.write(contentsOf: [0xFF])
        } else {
            try handle.truncate(atOffset: 5000)
        }
        try handle.close()

        let rebuilt = try #require(RepackedWeights(matrices: source.matrices, source: source.mapping, kernels: kernels, cache: .directory(directory)))
        #expect(rebuilt.storage == .cacheFile(path: path, reused: false))
        #expect(Self.holdsPackedCopy(rebuilt, of: source.matrices, 0, kernels))
    }

    @Test func aChangedModelFileGetsItsOwnCacheFile() throws {
        let kernels = try #require(KernelSet(backend: .avx512VNNI), "this CPU lacks AVX-512 VNNI, so nothing is repacked here")
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = directory + "/cache"
        let old = try Source(directory: directory, seed: 3)
        _ = try #require(RepackedWeights(matrices: old.matrices, source: old.mapping, kernels: kernels, cache: .directory(cache)))
        // A new file at the same path (new inode and contents), as when a model is replaced.
        try FileManager.default.removeItem(atPath: old.path)
        let new = try Source(directory: directory, seed: 4)
        let repacked = try #require(RepackedWeights(matrices: new.matrices, source: new.mapping, kernels: kernels, cache: .directory(cache)))
        guard case .cacheFile(let path, let reused) = repacked.storage else { Issue.record("not a cache file"); return }
        #expect(!reused)
        #expect(Self.holdsPackedCopy(repacked, of: new.matrices, 0, kernels))
        // The old model's cache can never be used again: the load removed it.
        #expect(Self.cacheFiles(in: cache) == [String(path.split(separator: "/").last!)])
        #expect(repacked.removedStaleFiles.count == 1)
    }

    @Test func theCacheOfADeletedModelIsRemovedByTheNextLoadAndOthersAreKept() throws {
        let kernels = try #require(KernelSet(backend: .avx512VNNI), "this CPU lacks AVX-512 VNNI, so nothing is repacked here")
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = directory + "/cache"
        for name in ["a", "b"] { try FileManager.default.createDirectory(atPath: directory + "/" + name, withIntermediateDirectories: true) }
        let a = try Source(directory: directory + "/a", seed: 6), b = try Source(directory: directory + "/b", seed: 7)
        let first = try #require(RepackedWeights(matrices: a.matrices, source: a.mapping, kernels: kernels, cache: .directory(cache)))
        let second = try #require(RepackedWeights(matrices: b.matrices, source: b.mapping, kernels: kernels, cache: .directory(cache)))
        #expect(second.removedStaleFiles.isEmpty, "a's model still exists")
        #expect(Self.cacheFiles(in: cache).count == 2)
        guard case .cacheFile(let aPath, _) = first.storage, case .cacheFile(let bPath, _) = second.storage else {
            Issue.record("not cache files"); return
        }

        try FileManager.default.removeItem(atPath: a.path)
        let again = try #require(RepackedWeights(matrices: b.matrices, source: b.mapping, kernels: kernels, cache: .directory(cache)))
        #expect(again.storage == .cacheFile(path: bPath, reused: true))
        #expect(again.removedStaleFiles == [String(aPath.split(separator: "/").last!)])
        #expect(Self.cacheFiles(in: cache) == [String(bPath.split(separator: "/").last!)])
        // The first load's mapping outlives the file.
        #expect(Self.holdsPackedCopy(first, of: a.matrices, 0, kernels))
    }

    @Test func onlyFilesNoLoadCanUseAreRemoved() throws {
        let kernels = try #require(KernelSet(backend: .avx512VNNI), "this CPU lacks AVX-512 VNNI, so nothing is repacked here")
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = directory + "/cache"
        let source = try Source(directory: directory, seed: 8)
        let current = try #require(RepackedWeights(matrices: source.matrices, source: source.mapping, kernels: kernels, cache: .directory(cache)))
        guard case .cacheFile(let path, _) = current.storage else { Issue.record("not a cache file"); return }
        let valid = try Data(contentsOf: URL(fileURLWithPath: path))

        func write(_ name: String, _ data: Data, ageSeconds: Int = 0) throws {
            try data.write(to: URL(fileURLWithPath: cache + "/" + name))
            if ageSeconds > 0 {
                let then = Date(timeIntervalSinceNow: -Double(ageSeconds))
                try FileManager.default.setAttributes([.modificationDate: then], ofItemAtPath: cache + "/" + name)
            }
        }
        var olderVersion = valid
        olderVersion[8] = 1  // the layout version word
        try write("model.bin-00000000000000a1-v1.panels", olderVersion)
        var otherMagic = valid
        otherMagic[0] ^= 0xFF
        try write("someone-else.panels", otherMagic)
        try write("notes.txt", Data("keep me".utf8))
        try write("model.bin-00000000000000b2-v2.panels.tmp-1-7", Data(count: 64), ageSeconds: 7200)
        try write("model.bin-00000000000000c3-v2.panels.tmp-1-8", Data(count: 64), ageSeconds: 60)

        let again = try #require(RepackedWeights(matrices: source.matrices, source: source.mapping, kernels: kernels, cache: .directory(cache)))
        #expect(again.storage == .cacheFile(path: path, reused: true))
        #expect(again.removedStaleFiles == ["model.bin-00000000000000a1-v1.panels", "model.bin-00000000000000b2-v2.panels.tmp-1-7"])
        let left = Set((try? FileManager.default.contentsOfDirectory(atPath: cache)) ?? [])
        #expect(left == [String(path.split(separator: "/").last!), "someone-else.panels", "notes.txt",
                         "model.bin-00000000000000c3-v2.panels.tmp-1-8"])
    }

    @Test func aDirectoryThatCannotBeWrittenFallsBackToMemory() throws {
        let kernels = try #require(KernelSet(backend: .avx512VNNI), "this CPU lacks AVX-512 VNNI, so nothing is repacked here")
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let source = try Source(directory: directory, seed: 5)
        // A path below a regular file can be neither made nor written, even by root.
        let repacked = try #require(RepackedWeights(matrices: source.matrices, source: source.mapping, kernels: kernels,
                                                    cache: .directory(source.path + "/cache")))
        #expect(repacked.storage == .memory)
        #expect(Self.holdsPackedCopy(repacked, of: source.matrices, 1, kernels))
        #expect(RepackedWeights(matrices: source.matrices, source: source.mapping, kernels: kernels, cache: .off) == nil)
    }

    @Test(arguments: [
        ([:], PanelCache.memory),
        (["HOME": "/home/a"], .directory("/home/a/.cache/switchyard/panels")),
        (["HOME": "/home/a", "XDG_CACHE_HOME": "/var/cache/a"], .directory("/var/cache/a/switchyard/panels")),
        (["HOME": "/home/a", "SWITCHYARD_PANEL_CACHE": "/srv/panels"], .directory("/srv/panels")),
        (["HOME": "/home/a", "SWITCHYARD_PANEL_CACHE": "off"], .off),
        (["HOME": "/home/a", "SWITCHYARD_PANEL_CACHE": "memory"], .memory),
    ])
    func theCacheLocationComesFromTheEnvironment(environment: [String: String], expected: PanelCache) {
        #expect(PanelCache.fromEnvironment(environment) == expected)
    }

    /// The whole model: logits with repacked weights have the same bits as with the file's rows,
    /// for a prompt (batched products) and a decode step.
    @Test func aRepackedModelComputesTheSameLogits() throws {
        try #require(KernelSet.best.backend == .avx512VNNI, "this CPU lacks AVX-512 VNNI, so nothing is repacked here")
        let path = try TestSupport.modelPath()
        let repacked = try LlamaModel(path: path, panelCache: .memory)
        let plain = try LlamaModel(path: path, panelCache: .off)
        #expect(repacked.repackedWeights?.storage == .memory)
        #expect(plain.repackedWeights == nil)
        let prompt: [Int32] = [1, 504, 3458, 282, 4649, 314, 28, 2]
        var results: [[Float]] = []
        for model in [repacked, plain] {
            let session = model.makeSession(maxContext: 32, maxBatch: 16)
            let afterPrompt = try session.evaluate(prompt)
            results.append(afterPrompt + (try session.evaluate([42])))
        }
        #expect(results[0].count == results[1].count)
        #expect(zip(results[0], results[1]).allSatisfy { $0.bitPattern == $1.bitPattern })
    }
}
