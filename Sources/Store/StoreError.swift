import Foundation

/// Everything that can go wrong in the Store, with the context needed to fix it.
///
/// Descriptions never contain keys, prompts or answers.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    /// The database URL could not be understood.
    case invalidDatabaseURL(reason: String)
    /// No database URL was given and `DATABASE_URL` is not set.
    case missingDatabaseURL
    /// The migrations folder does not exist or cannot be read.
    case migrationsFolderUnreadable(path: String)
    /// A file in the migrations folder does not follow `<14-digit timestamp>_<name>.sql`.
    case badMigrationFileName(file: String)
    /// Two migration files share a version.
    case duplicateMigrationVersion(version: String, files: [String])
    /// A migration recorded as applied has a different checksum now: its file was edited after it ran.
    case appliedMigrationChanged(file: String, recordedChecksum: String, currentChecksum: String)
    /// The database records a migration whose file is gone from the folder.
    case appliedMigrationMissing(version: String, name: String)
    /// A migration's SQL failed; nothing of it was applied.
    case migrationFailed(file: String, sqlState: String?, message: String)
    /// A query failed; `operation` names what the Store was doing.
    case queryFailed(operation: String, sqlState: String?, message: String)
    /// An API key role other than `client` or `admin`.
    case invalidRole(String)
    /// A feedback score outside 0...1 or an unknown feedback source.
    case invalidFeedback(reason: String)
    /// The spill log could not be written (disk full, permissions...).
    case spillWriteFailed(path: String, reason: String)
    /// The spill log folder could not be created or listed.
    case spillFolderUnusable(path: String, reason: String)
    /// The database did not answer within the allowed time.
    case timedOut(operation: String, seconds: Double)

    public var description: String {
        switch self {
        case .invalidDatabaseURL(let reason):
            return "invalid database URL: \(reason) (expected postgres://user:password@host:port/database or postgres://user@/database?host=/socket/folder)"
        case .missingDatabaseURL:
            return "no database URL: pass --database-url or set DATABASE_URL (postgres://user:password@host:port/database)"
        case .migrationsFolderUnreadable(let path):
            return "migrations folder '\(path)' does not exist or cannot be read (pass --migrations DIR)"
        case .badMigrationFileName(let file):
            return "migration file '\(file)' must be named <YYYYMMDDHHMMSS>_<name>.sql"
        case .duplicateMigrationVersion(let version, let files):
            return "migration version \(version) is used by more than one file: \(files.joined(separator: ", "))"
        case .appliedMigrationChanged(let file, let recorded, let current):
            return "migration '\(file)' was changed after it was applied (recorded sha256 \(recorded), file now \(current)); migrations are forward-only: restore the file and add a new migration instead"
        case .appliedMigrationMissing(let version, let name):
            return "the database has migration \(version)_\(name) applied but its file is missing from the migrations folder"
        case .migrationFailed(let file, let sqlState, let message):
            return "migration '\(file)' failed (SQLSTATE \(sqlState ?? "?")): \(message); it was rolled back"
        case .queryFailed(let operation, let sqlState, let message):
            return "\(operation) failed (SQLSTATE \(sqlState ?? "?")): \(message)"
        case .invalidRole(let role):
            return "unknown API key role '\(role)' (expected client or admin)"
        case .invalidFeedback(let reason):
            return "invalid feedback: \(reason)"
        case .spillWriteFailed(let path, let reason):
            return "cannot write spill log '\(path)': \(reason)"
        case .spillFolderUnusable(let path, let reason):
            return "cannot use spill folder '\(path)': \(reason)"
        case .timedOut(let operation, let seconds):
            return "\(operation) did not finish within \(seconds) s"
        }
    }
}
