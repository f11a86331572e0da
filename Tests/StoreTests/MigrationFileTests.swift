import SwitchyardTypes
import Foundation
import Testing
@testable import Store

@Suite struct MigrationFileTests {
    @Test(arguments: ["init.sql", "2026_init.sql", "20261127120000.sql", "20261127120000_.sql", "2026112712000x_a.sql", "20261127120000_a.txt"])
    func rejectsFileNamesWithoutATimestampAndName(name: String) {
        #expect(throws: StoreError.badMigrationFileName(file: name)) { try Migration(fileName: name, contents: Data()) }
    }

    @Test func parsesVersionNameAndChecksum() throws {
        let migration = try Migration(fileName: "20261127120000_core_schema.sql", contents: Data("SELECT 1;".utf8))
        #expect(migration.version == "20261127120000")
        #expect(migration.name == "core_schema")
        #expect(migration.checksum == SHA256.hexDigest(of: "SELECT 1;"))
    }

    @Test func loadsTheRepositoryMigrationsInOrder() throws {
        let migrations = try Migration.load(from: try repositoryMigrationsFolder())
        #expect(migrations.count >= 2)
        #expect(migrations.map(\.version) == migrations.map(\.version).sorted())
    }

    @Test func refusesTwoFilesWithTheSameVersion() throws {
        let folder = try temporaryFolder()
        try Data("SELECT 1;".utf8).write(to: folder.appendingPathComponent("20260101000000_a.sql"))
        try Data("SELECT 2;".utf8).write(to: folder.appendingPathComponent("20260101000000_b.sql"))
        #expect(throws: StoreError.duplicateMigrationVersion(version: "20260101000000", files: ["20260101000000_a.sql", "20260101000000_b.sql"])) {
            try Migration.load(from: folder)
        }
    }

    @Test func namesAMissingFolder() {
        #expect(throws: StoreError.migrationsFolderUnreadable(path: "/nonexistent/migrations")) {
            try Migration.load(from: URL(fileURLWithPath: "/nonexistent/migrations"))
        }
    }
}

/// The repository's `migrations/` folder, found from this file.
func repositoryMigrationsFolder(filePath: String = #filePath) throws -> URL {
    var folder = URL(fileURLWithPath: filePath).deletingLastPathComponent()
    while folder.path != "/" {
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
            return folder.appendingPathComponent("migrations")
        }
        folder = folder.deletingLastPathComponent()
    }
    Issue.record("no Package.swift above \(filePath)")
    throw StoreError.migrationsFolderUnreadable(path: filePath)
}

/// A new empty folder under the system temporary directory.
func temporaryFolder() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}
