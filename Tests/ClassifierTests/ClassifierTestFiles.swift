import Foundation

/// Finds the package root (the folder holding `Package.swift`) and files relative to it.
enum ClassifierTestFiles {
    static func packageRoot(from filePath: String = #filePath) throws -> URL {
        var url = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        throw MissingTestFile(description: "no Package.swift above \(filePath)")
    }

    /// The bytes of a file under the package root, or a failure naming the missing file.
    static func data(_ relative: String) throws -> (URL, Data) {
        let url = try packageRoot().appendingPathComponent(relative).standardizedFileURL
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw MissingTestFile(description: "missing test input \(url.path)")
        }
        return (url, data)
    }
}

/// A file the tests need is not there: the test fails with this message.
struct MissingTestFile: Error, CustomStringConvertible {
    let description: String
}
