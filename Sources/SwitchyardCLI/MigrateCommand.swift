import ArgumentParser

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Not built yet.")
    func run() async throws { throw ValidationError("'migrate' is not built yet") }
}
