import Foundation
import Testing
@testable import Policy

/// Every file under `Fixtures/broken/` must be rejected with exactly the errors its `#@ FIELD` markers name.
@Suite struct BrokenPolicyCorpusTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/broken")

    static func fixtureNames() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }

    /// The (line, field) pairs the markers in a fixture expect; `-` stands for a file-level (syntax) error.
    static func expectedLocations(in text: String) -> Set<Location> {
        var expected: Set<Location> = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            for marker in line.split(separator: "#@").dropFirst() {
                let field = marker.trimmingCharacters(in: .whitespaces)
                expected.insert(Location(line: index + 1, field: field == "-" ? "" : field))
            }
        }
        return expected
    }

    struct Location: Hashable, CustomStringConvertible {
        let line: Int
        let field: String
        var description: String { "\(line): \(field.isEmpty ? "-" : field)" }
    }

    @Test func corpusHoldsAtLeastThirtyBrokenFiles() {
        #expect(Self.fixtureNames().count >= 30, "expected ≥ 30 fixtures in \(Self.folder.path)")
    }

    @Test(arguments: fixtureNames())
    func rejectsBrokenPolicyNamingFileLineAndField(_ name: String) throws {
        let url = Self.folder.appendingPathComponent(name)
        let text = try TestFiles.text(url)
        let expected = Self.expectedLocations(in: text)
        try #require(!expected.isEmpty, "\(name) has no `#@` marker")
        do {
            _ = try PolicyLoader.load(path: url.path)
            Issue.record("\(name) was accepted")
        } catch {
            #expect(error.errors.allSatisfy { $0.file == url.path }, "errors must name the file")
            let actual = Set(error.errors.map { Location(line: $0.line, field: $0.path) })
            #expect(actual == expected, "\(name):\n\(error)")
        }
    }

    @Test func errorLinesReadFileColonLineColonFieldColonMessage() throws {
        let url = Self.folder.appendingPathComponent("rule-names-missing-route.yaml")
        do {
            _ = try PolicyLoader.load(path: url.path)
            Issue.record("accepted")
        } catch {
            let line = try #require(error.errors.first).description
            #expect(line.hasPrefix("\(url.path):"))
            #expect(line.contains(": rules[1].candidates[1]: no route named `hosted-large` is declared"))
        }
    }

    @Test func misspeltKeySuggestsTheKnownOne() throws {
        let url = Self.folder.appendingPathComponent("unknown-model-key.yaml")
        do {
            _ = try PolicyLoader.load(path: url.path)
            Issue.record("accepted")
        } catch {
            #expect(error.errors.contains { $0.description.contains("did you mean `price_per_cpu_second`?") })
        }
    }
}
