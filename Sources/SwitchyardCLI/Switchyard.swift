import ArgumentParser

/// The `switchyard` command: the gateway and every tool around it.
@main
struct Switchyard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchyard",
        abstract: "An LLM gateway that routes each request to the cheapest model that answers it well.",
        subcommands: [
            ServeCommand.self, WorkerCommand.self, MigrateCommand.self, KeysCommand.self,
            PolicyCommand.self, ClassifyCommand.self, TuneCommand.self, ReplayCommand.self,
            GenerateCommand.self, GGUFCommand.self, PerplexityCommand.self, BenchCommand.self, DbCommand.self,
        ]
    )
}
