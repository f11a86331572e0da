import Foundation
import GatewayTesting
import Testing

/// The official `openai` Python SDK against the gateway in front of the fake upstream (real sockets).
@Suite(.timeLimit(.minutes(3)))
struct OpenAISDKTests {
    @Test func officialPythonSDKListsCompletesStreamsAndReadsErrors() async throws {
        guard let python = ProcessInfo.processInfo.environment["SWITCHYARD_SDK_PYTHON"], !python.isEmpty else {
            Issue.record("""
                SWITCHYARD_SDK_PYTHON is not set. This test runs Tests/sdk/openai_sdk_check.py with a Python that has the \
                official `openai` package: python3 -m venv .venv-sdk && .venv-sdk/bin/pip install openai, then \
                SWITCHYARD_SDK_PYTHON=$PWD/.venv-sdk/bin/python swift test (the project's test command does this).
                """)
            return
        }
        let script = try PackageRoot.find(from: #filePath).appendingPathComponent("Tests/sdk/openai_sdk_check.py")
        #expect(FileManager.default.fileExists(atPath: script.path), "missing \(script.path)")
        let upstream = FakeUpstream(fallback: .answer(text: "Hello from the scripted upstream", promptTokens: 9))
        try await GatewayHarness.run(upstream: upstream) { gateway in
            let result = try await ProcessRunner.run(python, arguments: [
                script.path, "--base-url", gateway.baseURL, "--api-key", GatewayClient.apiKey,
                "--model", "fake-gpt", "--expect-text", "scripted upstream",
            ])
            #expect(result.status == 0, "the SDK check failed:\n\(result.output)")
            #expect(result.output.contains("all SDK checks passed"), "\(result.output)")
        }
    }
}

/// The folder holding `Package.swift`, found by walking up from a source file.
enum PackageRoot {
    struct NotFound: Error, CustomStringConvertible {
        let start: String
        var description: String { "no Package.swift above \(start)" }
    }

    static func find(from file: String) throws -> URL {
        var folder = URL(fileURLWithPath: file).deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) { return folder }
            folder.deleteLastPathComponent()
        }
        throw NotFound(start: file)
    }
}

/// Runs a program to its end, collecting its output and error output together.
enum ProcessRunner {
    struct Result: Sendable { var status: Int32; var output: String }

    static func run(_ executable: String, arguments: [String]) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        return Result(status: status, output: String(decoding: data, as: UTF8.self))
    }
}
