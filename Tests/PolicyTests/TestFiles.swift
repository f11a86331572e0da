import Foundation
import Testing

/// Finds files of the package and the shared folder beside it, failing with a clear message when one is missing.
enum TestFiles {
    /// The folder holding `Package.swift`, found by walking up from this file.
    static func packageRoot(from filePath: String = #filePath) throws -> URL {
        var url = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        throw TestFileError.missing("no Package.swift above \(filePath)")
    }

    /// A file under the package's `policies/` folder.
    static func policies(_ relative: String) throws -> URL {
        let url = try packageRoot().appendingPathComponent("policies").appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else { throw TestFileError.missing("missing policy file \(url.path)") }
        return url
    }

    /// The text of a file, or a failure naming it.
    static func text(_ url: URL) throws -> String {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw TestFileError.missing("cannot read \(url.path)") }
        return text
    }
}

/// A reference file the tests need is not there.
enum TestFileError: Error, CustomStringConvertible {
    case missing(String)
    var description: String {
        switch self { case .missing(let what): return what }
    }
}
