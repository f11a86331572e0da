import Foundation

/// Path rules of policy files.
public enum PolicyPaths {
    /// Resolves a path written in a policy file: absolute paths stay, relative ones are taken
    /// against the folder of the file that declares them.
    public static func resolve(_ path: String, against baseDirectory: String) -> String {
        if path.hasPrefix("/") { return path }
        let expanded = (path as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return expanded }
        return URL(fileURLWithPath: baseDirectory, isDirectory: true).appendingPathComponent(path).standardizedFileURL.path
    }
}
