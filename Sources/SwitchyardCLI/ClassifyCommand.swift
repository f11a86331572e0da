import ArgumentParser

struct ClassifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "classify", abstract: "Not built yet.")
    func run() async throws { throw ValidationError("'classify' is not built yet") }
}
