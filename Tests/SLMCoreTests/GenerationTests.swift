import Foundation
import Testing
@testable import SLMCore

private func generator() throws -> TextGenerator {
    try TextGenerator(model: TestModel.shared())
}

private func greeting() throws -> PromptReference {
    try #require(try PromptReference.all().first { $0.name == "greeting" })
}

private func messages(_ prompt: PromptReference) -> [ChatMessage] {
    prompt.messages.map { ChatMessage(role: ChatRole(rawValue: $0.role)!, content: $0.content) }
}

@Test func rendersAndTokenizesThePromptLikeLlamaCpp() throws {
    let prompt = try greeting()
    #expect(try generator().promptTokens(messages(prompt)) == prompt.ids.map(Int32.init))
}

@Test func greedyGenerationReproducesLlamaCppsAnswerAndStopsAtEndOfTurn() throws {
    let prompt = try greeting()
    var pieces: [GeneratedToken] = []
    var parameters = SamplingParameters.greedy
    parameters.maxTokens = 32
    parameters.topLogprobs = 3
    let summary = try generator().generate(messages(prompt), parameters: parameters) { pieces.append($0) }
    // llama.cpp's margins on this prompt are ≥ 0.75 and the exact path follows it to the end.
    #expect(pieces.map { Int($0.token.id) } == prompt.greedy_ids)
    #expect(pieces.map(\.text).joined() == prompt.greedy_text)
    #expect(summary.finishReason == .endOfGeneration)
    #expect(summary.promptTokens == prompt.ids.count)
    #expect(summary.completionTokens == prompt.greedy_ids.count)
    for piece in pieces {
        #expect(piece.token.logprob <= 0)
        #expect(piece.topLogprobs.count == 3)
        #expect(piece.topLogprobs.first?.id == piece.token.id, "greedy picks the most likely token")
    }
    let confidence = try #require(summary.confidence)
    #expect(confidence.tokenCount == pieces.count)
    #expect(confidence.minLogprob <= confidence.meanLogprob && confidence.meanLogprob <= 0)
    #expect(confidence.meanEntropy > 0)
}

@Test func sameSeedGivesTheSameText() throws {
    let generator = try generator()
    var parameters = SamplingParameters()
    parameters.temperature = 0.9
    parameters.seed = 1234
    parameters.maxTokens = 12
    let conversation = [ChatMessage(role: .user, content: "Tell me a story about a cat.")]
    var first: [Int32] = [], second: [Int32] = []
    let summary = try generator.generate(conversation, parameters: parameters) { first.append($0.token.id) }
    _ = try generator.generate(conversation, parameters: parameters) { second.append($0.token.id) }
    #expect(first == second)
    #expect(first.count <= 12)
    if first.count == 12 { #expect(summary.finishReason == .maxTokens) }
}

@Test func streamsTokensThenTheSummary() async throws {
    var parameters = SamplingParameters.greedy
    parameters.maxTokens = 5
    var tokens = 0
    var summary: GenerationSummary?
    for try await event in try generator().stream([ChatMessage(role: .user, content: "Count from one to ten.")], parameters: parameters) {
        switch event {
        case .token: tokens += 1
        case let .finished(s): summary = s
        }
    }
    let finished = try #require(summary)
    #expect(finished.completionTokens == tokens)
    #expect(tokens <= 5)
}

/// Peak RSS belongs to a process, and this test bundle runs many models side by side, so the bound
/// is checked on `switchyard generate` in a process of its own (it reports its `getrusage` peak).
@Test func peakMemoryWhileGeneratingStaysWithinModelFilePlus150MiB() throws {
    let path = try TestSupport.modelPath()
    let fileSize = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    let process = Process()
    process.executableURL = try switchyardExecutable()
    process.arguments = ["generate", "--model", path, "--prompt", "What is the capital of France?", "--max-tokens", "16"]
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let report = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "switchyard generate failed: \(report)")
    let mib = try #require(report.range(of: #"peak RSS ([0-9.]+) MiB"#, options: .regularExpression).flatMap { range in
        Double(report[range].dropFirst("peak RSS ".count).dropLast(" MiB".count))
    }, "no peak RSS in: \(report)")
    #expect(mib * 1_048_576 <= Double(fileSize + 150 * 1_048_576), "peak RSS \(mib) MiB, model file \(fileSize / 1_048_576) MiB")
}

/// The `switchyard` executable built next to this test bundle (or `SWITCHYARD_BIN`).
private func switchyardExecutable() throws -> URL {
    if let explicit = ProcessInfo.processInfo.environment["SWITCHYARD_BIN"], !explicit.isEmpty {
        return URL(fileURLWithPath: explicit)
    }
    var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = folder.appendingPathComponent("switchyard")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        folder.deleteLastPathComponent()
    }
    Issue.record("no switchyard executable next to the test bundle; run `swift build` first or set SWITCHYARD_BIN")
    throw CocoaError(.fileNoSuchFile)
}

/// `/proc/self/status` separates the `VmHWM:` label from its figure with a tab and spaces.
@Test func readsTheHighWaterMarkFromAProcStatusText() {
    let status = "Name:\tswitchyard\nVmPeak:\t  912340 kB\nVmHWM:\t  161264 kB\nVmRSS:\t  150000 kB\n"
    #expect(PeakMemory.highWaterMark(procStatus: status) == 161_264 * 1024)
    #expect(PeakMemory.highWaterMark(procStatus: "VmRSS:\t 1 kB\n") == nil)
    #expect(PeakMemory.highWaterMark(procStatus: "VmHWM:\t  12 MB\n") == nil)
}

/// The live figure is read from the kernel's own bookkeeping, never zero for a running process.
@Test func residentPeakOfThisProcessIsTheKernelsHighWaterMark() throws {
    #if os(Linux)
    let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
    let fromStatus = try #require(PeakMemory.highWaterMark(procStatus: status))
    #expect(PeakMemory.residentBytes() >= fromStatus)
    #expect(fromStatus > 1_048_576)
    #endif
}
