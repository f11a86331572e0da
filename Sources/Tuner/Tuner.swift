import Foundation
import Logging
import Policy
import PostgresNIO
import Routing
import Store

/// Turns a window of logged requests and feedback into a new routing-state version.
///
/// ```swift
/// let tuner = Tuner(client: client)
/// let preview = try await tuner.run(policy: policy, window: TuningWindow(text: "7d"), dryRun: true)
/// print(TuningReport(preview).text)        // expected utility change, nothing written
/// let written = try await tuner.run(policy: policy, window: TuningWindow(text: "7d"), dryRun: false)
/// // written.writtenVersion is announced on `switchyard_routing_state`
/// ```
public struct Tuner: Sendable {
    private let client: PostgresClient
    private let settings: TunerSettings
    private let logger: Logger

    /// A tuner over the metrics database `client` connects to.
    public init(client: PostgresClient, settings: TunerSettings = .standard, logger: Logger = Logger(label: "switchyard.tuner")) {
        self.client = client; self.settings = settings; self.logger = logger
    }

    /// Reads the window, computes new weights per class and their off-policy value, and unless
    /// `dryRun` writes them as a new `routing_state` version and NOTIFYs the gateways.
    /// - Throws: ``TunerError`` when the database fails, no request is scored, or the logs are out of range.
    public func run(policy: PolicyDocument, window: TuningWindow, dryRun: Bool) async throws(TunerError) -> TuningResult {
        let inputs = try await TunerInputsReader(client: client, logger: logger).read(window: window)
        var result = try TuningPlanner(settings: settings).plan(inputs: inputs, policy: policy)
        logger.info("tuned routing state", metadata: [
            "requests": "\(result.requests)", "scored": "\(result.scored)", "classes": "\(result.classes.count)",
            "change_dr": "\(result.offPolicy.changeDoublyRobust)", "dry_run": "\(dryRun)",
        ])
        guard !dryRun else { return result }
        result.writtenVersion = try await write(result)
        result.state.version = result.writtenVersion ?? 0
        return result
    }

    /// Appends the result's weights (and, as estimates, the whole result) through ``RoutingStateStore``,
    /// which NOTIFYs ``RoutingStateStore/notifyChannel`` with the new version in the same transaction.
    private func write(_ result: TuningResult) async throws(TunerError) -> Int64 {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            let estimates = String(decoding: try encoder.encode(result), as: UTF8.self)
            let note = String(format: "tuner: %d requests (%d scored), %d classes, expected utility change %+.4f (DR)",
                              result.requests, result.scored, result.classes.count, result.offPolicy.changeDoublyRobust)
            return try await RoutingStateStore(client: client, logger: logger).publish(
                policyHash: result.policyHash, weightsJSON: try result.state.weightsJSON(), estimatesJSON: estimates, note: note)
        } catch {
            throw .queryFailed(operation: "write routing state", message: "\(error)")
        }
    }
}
