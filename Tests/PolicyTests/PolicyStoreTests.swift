import Foundation
import SwitchyardTypes
import Testing
@testable import Policy

@Suite struct PolicyStoreTests {
    static let valid = """
        version: 1
        models:
          small: {kind: local, path: small.gguf, context: 2048, price_per_cpu_second: 0.00001}
        routes:
          local: {model: small}
        rules:
          - name: all
            candidates: [local]
        """

    static func load(_ text: String) throws(PolicyValidationFailure) -> PolicyDocument {
        try PolicyLoader.load(yaml: text, file: "test.yaml", baseDirectory: "/tmp")
    }

    @Test func goodFileReplacesPolicyAndBadFileKeepsItWithTheError() throws {
        let store = PolicyStore(initial: try Self.load(Self.valid))
        let first = store.current.hash
        let edited = Self.valid.replacingOccurrences(of: "2048", with: "4096")
        guard case .replaced(let old, let new) = store.reload({ () throws(PolicyValidationFailure) in try Self.load(edited) }) else {
            Issue.record("expected a swap"); return
        }
        #expect(old == first && new == store.current.hash && new != first)
        #expect(store.current.models.first?.contextWindow == 4096)

        let broken = Self.valid.replacingOccurrences(of: "[local]", with: "[remote]")
        guard case .rejected(let failure) = store.reload({ () throws(PolicyValidationFailure) in try Self.load(broken) }) else {
            Issue.record("expected a rejection"); return
        }
        #expect(failure.errors.map(\.path) == ["rules[0].candidates[0]"])
        #expect(store.current.hash == new, "the old policy stays in force")
        #expect(store.lastError == failure)
        #expect(store.snapshot.generation == 1)

        #expect(store.reload({ () throws(PolicyValidationFailure) in try Self.load(edited) }) == .unchanged(hash: new))
        #expect(store.lastError == nil, "a good reload clears the error")
    }

    @Test func readersDuringReloadsAlwaysSeeOneWholeValidPolicy() async throws {
        let a = try Self.load(Self.valid)
        let b = try Self.load(Self.valid.replacingOccurrences(of: "2048", with: "8192"))
        let store = PolicyStore(initial: a)
        let seen = await withTaskGroup(of: Set<String>.self) { group in
            group.addTask {
                for i in 0..<2_000 {
                    store.reload { () throws(PolicyValidationFailure) in
                        if i % 3 == 2 { throw PolicyValidationFailure(errors: [.syntax(file: "x", line: 1, reason: "bad")]) }
                        return i.isMultiple(of: 2) ? b : a
                    }
                }
                return []
            }
            for _ in 0..<4 {
                group.addTask {
                    var hashes: Set<String> = []
                    for _ in 0..<5_000 {
                        let policy = store.current
                        let consistent = (policy.hash == a.hash && policy.models[0].contextWindow == 2048)
                            || (policy.hash == b.hash && policy.models[0].contextWindow == 8192)
                        hashes.insert(consistent ? policy.hash : "torn")
                    }
                    return hashes
                }
            }
            return await group.reduce(into: Set<String>()) { $0.formUnion($1) }
        }
        #expect(!seen.contains("torn"))
        #expect(seen.isSubset(of: [a.hash, b.hash]))
    }

    @Test func watcherReloadsOnlyWhenTheFileContentChanges() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("policy-watch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("policy.yaml")
        try Self.valid.write(to: file, atomically: true, encoding: .utf8)
        let store = PolicyStore(initial: try PolicyLoader.load(path: file.path))
        let watcher = PolicyFileWatcher(path: file.path, store: store)
        #expect(watcher.checkOnce() == nil, "same content: no reload")

        try Self.valid.replacingOccurrences(of: "small:", with: "tiny:").write(to: file, atomically: true, encoding: .utf8)
        guard case .rejected(let failure) = watcher.checkOnce() else { Issue.record("expected a rejection"); return }
        #expect(failure.errors.contains { $0.path == "routes.local.model" && $0.line == 5 })

        try Self.valid.replacingOccurrences(of: "2048", with: "1024").write(to: file, atomically: true, encoding: .utf8)
        guard case .replaced = watcher.checkOnce() else { Issue.record("expected a swap"); return }
        #expect(store.current.models.first?.contextWindow == 1024)
        #expect(store.lastError == nil)
    }

    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func sha256MatchesPublishedVectors(input: String, digest: String) {
        #expect(SHA256.hexDigest(of: input) == digest)
    }

    @Test func hashIgnoresLineEndsButNotContent() {
        let lf = PolicyHash.of(files: [("p.yaml", "a: 1\nb: 2\n")])
        #expect(PolicyHash.of(files: [("p.yaml", "a: 1\r\nb: 2\r\n")]) == lf)
        #expect(PolicyHash.of(files: [("p.yaml", "a: 1\nb: 3\n")]) != lf)
        #expect(PolicyHash.of(files: [("q.yaml", "a: 1\nb: 2\n")]) != lf)
    }
}
