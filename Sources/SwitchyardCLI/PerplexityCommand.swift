import ArgumentParser

struct PerplexityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "perplexity", abstract: "Not built yet.")
    func run() async throws { throw ValidationError("'perplexity' is not built yet") }
}
