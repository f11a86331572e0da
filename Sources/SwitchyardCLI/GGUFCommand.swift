import ArgumentParser

struct GGUFCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gguf", abstract: "Not built yet.")
    func run() async throws { throw ValidationError("'gguf' is not built yet") }
}
