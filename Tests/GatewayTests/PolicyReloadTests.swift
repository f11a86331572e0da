import Foundation
@testable import GatewayServer
import GatewayTesting
import Policy
import Synchronization
import SwitchyardTypes
import Testing

/// Hot reload: a bad edit keeps the old policy and is reported, a good one takes effect, and
/// requests running across reloads all succeed.
@Suite(.timeLimit(.minutes(3)))
struct PolicyReloadTests {
    @Test func aBadEditKeepsTheOldPolicyAndAdminPolicyNamesFileLineAndField() async throws {
        try await PolicyReloadHarness.run { gateway, path, baseURL in
            let initial = try await PolicyReloadHarness.adminPolicy(gateway)
            let servedHash = try PolicyLoader.load(path: path).hash
            #expect(initial.policy_hash == servedHash)
            #expect(initial.source_files == [path])
            #expect(initial.last_error == nil)

            // An unknown key on line 2 of the rules section.
            var broken = PolicyReloadHarness.policyYAML(upstream: baseURL)
            broken = broken.replacingOccurrences(of: "    candidates: [gpt]\n", with: "    candidates: [gpt]\n    priority: 3\n")
            try PolicyReloadHarness.write(broken, to: path)
            let brokenLine = try #require(broken.components(separatedBy: "\n").firstIndex(of: "    priority: 3")) + 1

            let report = try await PolicyReloadHarness.waitForAdminPolicy(gateway) { $0.last_error != nil }
            let problem = try #require(report.last_error?.problems.first, "the refused reload is not reported")
            #expect(problem.file == path)
            #expect(problem.line == brokenLine)
            #expect(problem.field == "rules[0].priority")
            #expect(problem.text.hasPrefix("\(path):\(brokenLine): rules[0].priority: unknown key"))
            #expect(report.last_error?.at != nil)
            #expect(report.policy_hash == servedHash, "the old policy must stay in force")
            #expect(report.generation == 0)

            // The old policy keeps serving.
            let answer = try await gateway.chat(GatewayHarness.chatBody())
            #expect(answer.status == 200)
            let metrics = try await gateway.get("/metrics", key: nil).body
            #expect(metrics.contains("switchyard_policy_reload_failures_total 1"))
            #expect(metrics.contains("switchyard_policy_info{hash=\"\(servedHash)\"} 1"))
        }
    }

    @Test func aGoodEditTakesEffectForNewRequests() async throws {
        let sink = RecordingSink()
        try await PolicyReloadHarness.run(sink: sink) { gateway, path, baseURL in
            let oldHash = try PolicyLoader.load(path: path).hash
            #expect(try await gateway.chat(GatewayHarness.chatBody(model: "fake-gpt-2")).status == 404)

            let edited = PolicyReloadHarness.policyYAML(upstream: baseURL, extraModel: "fake-gpt-2")
            try PolicyReloadHarness.write(edited, to: path)
            let newHash = PolicyHash.of(files: [((path as NSString).lastPathComponent, edited)])
            #expect(newHash != oldHash)

            let report = try await PolicyReloadHarness.waitForAdminPolicy(gateway) { $0.policy_hash == newHash }
            #expect(report.policy_hash == newHash)
            #expect(report.generation == 1)
            #expect(report.last_error == nil)

            let models = try await gateway.get("/v1/models").decoded(ModelList.self)
            #expect(models.data.map(\.id).contains("fake-gpt-2"))
            let answer = try await gateway.chat(GatewayHarness.chatBody(model: "fake-gpt-2"))
            #expect(answer.status == 200)
            let records = try await sink.waitFor(count: 2)
            #expect(records.last?.servedModel == "fake-gpt-2")
            #expect(records.last?.decision?.policyHash == newHash)

            let metrics = try await gateway.get("/metrics", key: nil).body
            #expect(metrics.contains("switchyard_policy_info{hash=\"\(newHash)\"} 1"))
            #expect(!metrics.contains("switchyard_policy_info{hash=\"\(oldHash)\"}"))
            #expect(metrics.contains("switchyard_policy_reload_failures_total 0"))
        }
    }

    @Test func aFixedFileAfterARefusedOneClearsTheError() async throws {
        try await PolicyReloadHarness.run { gateway, path, baseURL in
            try PolicyReloadHarness.write("version: 1\nmodels: [\n", to: path)
            let refused = try await PolicyReloadHarness.waitForAdminPolicy(gateway) { $0.last_error != nil }
            #expect(refused.last_error?.problems.first?.file == path)

            let fixed = PolicyReloadHarness.policyYAML(upstream: baseURL, extraModel: "fake-gpt-3")
            try PolicyReloadHarness.write(fixed, to: path)
            let report = try await PolicyReloadHarness.waitForAdminPolicy(gateway) { $0.last_error == nil }
            #expect(report.policy_hash == PolicyHash.of(files: [((path as NSString).lastPathComponent, fixed)]))
        }
    }

    @Test func requestsRunningAcrossReloadsAllSucceed() async throws {
        let upstream = FakeUpstream(fallback: .answer(text: "steady answer"))
        upstream.setLatency(.milliseconds(5))
        try await PolicyReloadHarness.run(upstream: upstream, pollInterval: .milliseconds(10)) { gateway, path, baseURL in
            let versions = [
                PolicyReloadHarness.policyYAML(upstream: baseURL, extraModel: "fake-gpt-2"),
                PolicyReloadHarness.policyYAML(upstream: baseURL),
            ]
            let stop = PolicyReloadStopFlag()
            let outcomes = try await withThrowingTaskGroup(of: [Int].self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var statuses: [Int] = []
                        while !stop.isSet || statuses.count < 5 {
                            let body = GatewayHarness.chatBody(stream: (statuses.count + worker) % 2 == 0)
                            statuses.append((try? await gateway.chat(body).status) ?? -1)
                        }
                        return statuses
                    }
                }
                var reloadsSeen = 0
                for round in 0..<10 {
                    try PolicyReloadHarness.write(versions[round % 2], to: path)
                    let expected = PolicyHash.of(files: [((path as NSString).lastPathComponent, versions[round % 2])])
                    let report = try await PolicyReloadHarness.waitForAdminPolicy(gateway) { $0.policy_hash == expected }
                    if report.policy_hash == expected { reloadsSeen += 1 }
                }
                stop.set()
                var all: [Int] = []
                for try await statuses in group { all += statuses }
                #expect(reloadsSeen == 10)
                return all
            }
            let failed = outcomes.filter { $0 != 200 }
            print("requests across 10 reloads: \(outcomes.count) sent, \(outcomes.count - failed.count) answered 200")
            #expect(outcomes.count >= 40)
            #expect(failed.isEmpty, "requests failed during reloads with statuses \(Set(failed).sorted())")
            let report = try await PolicyReloadHarness.adminPolicy(gateway)
            #expect(report.generation == 10)
        }
    }

    @Test func sighupArrivesAsAStreamElement() async throws {
        let signals = SighupSignals.stream()
        try await confirmation { received in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in signals { received(); return }
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(5))
                    throw CancellationError()
                }
                try await Task.sleep(for: .milliseconds(50))
                kill(getpid(), SIGHUP)
                try await group.next()
                group.cancelAll()
            }
        }
    }
}

/// Tells the request workers of a test to stop.
final class PolicyReloadStopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}
