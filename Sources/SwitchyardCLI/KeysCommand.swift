import ArgumentParser

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keys", abstract: "Not built yet.")
    func run() async throws { throw ValidationError("'keys' is not built yet") }
}
