import SwitchyardTypes
import Foundation

/// One forward-only migration file, `<YYYYMMDDHHMMSS>_<name>.sql`.
public struct Migration: Sendable, Equatable {
    /// The 14-digit timestamp that orders migrations.
    public var version: String
    /// The part of the file name after the timestamp, without `.sql`.
    public var name: String
    /// The file name, for messages.
    public var fileName: String
    /// The file's SQL text.
    public var sql: String
    /// SHA-256 of the file's bytes, lowercase hex.
    public var checksum: String

    /// A migration from its file name and contents.
    /// - Throws: `StoreError.badMigrationFileName` when the name does not follow the pattern.
    public init(fileName: String, contents: Data) throws {
        guard fileName.hasSuffix(".sql") else { throw StoreError.badMigrationFileName(file: fileName) }
        let stem = fileName.dropLast(4)
        guard let underscore = stem.firstIndex(of: "_") else { throw StoreError.badMigrationFileName(file: fileName) }
        let version = String(stem[..<underscore])
        let name = String(stem[stem.index(after: underscore)...])
        guard version.count == 14, version.allSatisfy(\.isASCII), version.allSatisfy(\.isNumber), !name.isEmpty else {
            throw StoreError.badMigrationFileName(file: fileName)
        }
        self.version = version
        self.name = name
        self.fileName = fileName
        self.sql = String(decoding: contents, as: UTF8.self)
        self.checksum = SHA256.hexDigest(contents)
    }

    /// Every `*.sql` file of `folder`, ordered by version.
    /// - Throws: `StoreError.migrationsFolderUnreadable`, `.badMigrationFileName`, `.duplicateMigrationVersion`.
    public static func load(from folder: URL) throws -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw StoreError.migrationsFolderUnreadable(path: folder.path)
        }
        var migrations: [Migration] = []
        for name in names.sorted() where name.hasSuffix(".sql") {
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else {
                throw StoreError.migrationsFolderUnreadable(path: folder.appendingPathComponent(name).path)
            }
            migrations.append(try Migration(fileName: name, contents: data))
        }
        let byVersion = Dictionary(grouping: migrations, by: \.version)
        if let duplicate = byVersion.first(where: { $0.value.count > 1 }) {
            throw StoreError.duplicateMigrationVersion(version: duplicate.key, files: duplicate.value.map(\.fileName).sorted())
        }
        return migrations.sorted { $0.version < $1.version }
    }
}
