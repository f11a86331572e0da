import Foundation

/// Reads a policy file from disk (or text), validates it fully and stamps it with its hash.
///
/// Relative paths inside the file (`models.*.path`, `classes.model`) resolve against the folder of
/// the policy file. The embedded default (``DefaultPolicy``) is treated as if it were
/// `policies/default.yaml` under the working directory.
public enum PolicyLoader {
    /// Loads and validates the policy at `path`.
    /// - Throws: ``PolicyValidationFailure`` listing every problem (an unreadable file is one problem).
    public static func load(path: String) throws(PolicyValidationFailure) -> PolicyDocument {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PolicyValidationFailure(errors: [.unreadableFile(file: path, reason: Self.reason(error))])
        }
        let folder = (path as NSString).deletingLastPathComponent
        return try load(yaml: text, file: path, baseDirectory: folder.isEmpty ? "." : folder)
    }

    /// Validates policy text that names itself `file` in errors, resolving relative paths against `baseDirectory`.
    /// - Throws: ``PolicyValidationFailure`` listing every problem.
    public static func load(yaml: String, file: String, baseDirectory: String) throws(PolicyValidationFailure) -> PolicyDocument {
        let absoluteBase = PolicyPaths.resolve(baseDirectory, against: FileManager.default.currentDirectoryPath)
        switch PolicyParser.parse(yaml: yaml, file: file, baseDirectory: absoluteBase) {
        case .failure(let failure):
            throw failure
        case .success(var policy):
            policy.hash = PolicyHash.of(files: [((file as NSString).lastPathComponent, yaml)])
            policy.sourceFiles = [file]
            return policy
        }
    }

    /// Loads the default policy compiled into the binary.
    /// - Throws: ``PolicyValidationFailure`` (only if the embedded text is broken, which a test prevents).
    public static func loadDefault(workingDirectory: String = FileManager.default.currentDirectoryPath) throws(PolicyValidationFailure) -> PolicyDocument {
        try load(yaml: DefaultPolicy.yaml, file: "policies/default.yaml",
                 baseDirectory: (workingDirectory as NSString).appendingPathComponent("policies"))
    }

    private static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if nsError.domain == NSCocoaErrorDomain && nsError.code == NSFileReadNoSuchFileError { return "no such file" }
        if nsError.domain == NSCocoaErrorDomain && nsError.code == NSFileReadInapplicableStringEncodingError { return "not UTF-8 text" }
        return nsError.localizedDescription
    }
}
