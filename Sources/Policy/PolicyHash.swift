import SwitchyardTypes

/// The policy hash every decision logs: hex SHA-256 over the canonical bytes of every policy file.
///
/// Canonical bytes of a file set: for each file in load order, its name relative to the main
/// file's folder, a NUL byte, its text with CRLF and CR line ends turned into LF, and a NUL byte.
/// So the hash changes when any file's content or the set of files changes, and not with line ends.
public enum PolicyHash {
    /// The hash of a file set given as (name relative to the main file's folder, text) in load order.
    public static func of(files: [(name: String, text: String)]) -> String {
        var bytes: [UInt8] = []
        for file in files {
            bytes += Array(file.name.utf8)
            bytes.append(0)
            bytes += Array(canonicalText(file.text).utf8)
            bytes.append(0)
        }
        return SHA256.hexDigest(bytes)
    }

    /// The text with every line end as LF.
    static func canonicalText(_ text: String) -> String {
        text.replacing("\r\n", with: "\n").replacing("\r", with: "\n")
    }
}
