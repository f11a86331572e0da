import ArgumentParser

struct TuneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tune", abstract: "Not built yet.")
    func run() async throws { throw ValidationError("'tune' is not built yet") }
}
