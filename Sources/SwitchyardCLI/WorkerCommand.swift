import ArgumentParser

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "worker", abstract: "Not built yet.")
    func run() async throws { throw ValidationError("'worker' is not built yet") }
}
