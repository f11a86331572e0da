import Policy
import Routing

/// The pure half of a tuning run: from ``TunerInputs`` and a policy to a ``TuningResult`` (nothing written).
///
/// The math is Routing's ``TuningRun`` (shrunk estimates, weights with an exploration floor, the
/// off-policy value of what the planner will deploy); this type adds what the database read
/// brings: the window, the SQL aggregates of every cell, and the report's shape.
public struct TuningPlanner: Sendable {
    /// The run's knobs.
    public var settings: TunerSettings

    /// Creates a planner.
    public init(settings: TunerSettings) { self.settings = settings }

    /// The new weights and their expected effect.
    /// - Throws: ``TunerError/noScoredRequests(windowStart:windowEnd:requests:)`` when nothing is scored,
    ///   ``TunerError/invalidInputs(reason:)`` when Routing's math rejects a logged value.
    public func plan(inputs: TunerInputs, policy: PolicyDocument) throws(TunerError) -> TuningResult {
        guard inputs.scoredCount > 0 else {
            throw .noScoredRequests(windowStart: inputs.window.start, windowEnd: inputs.window.end, requests: inputs.outcomes.count)
        }
        let run: TuningRunResult
        do {
            run = try TuningRun.run(outcomes: inputs.outcomes, policy: policy, explorationFloor: settings.explorationFloor,
                                    shrinkage: settings.shrinkage)
        } catch {
            throw .invalidInputs(reason: error.description)
        }
        let utility = UtilityWeights(costWeight: policy.objective.costWeight, latencyWeight: policy.objective.latencyWeight)
        let logged = Dictionary(inputs.cells.map { ("\($0.classKey)\u{0}\($0.route)", $0) }, uniquingKeysWith: { first, _ in first })
        let classes = run.classes.map { tuned in
            ClassTuning(classKey: tuned.classKey, rule: tuned.rule, ruleExploration: tuned.ruleExploration, best: tuned.best,
                        relaxed: tuned.relaxed, candidates: tuned.estimates.map { estimate in
                CandidateTuning(route: estimate.route, estimate: estimate,
                                utility: utility.utility(quality: estimate.quality, costUSD: estimate.costUSD, latencyMS: estimate.p95LatencyMS),
                                weight: tuned.weights[estimate.route] ?? 0, deployedProbability: tuned.deployed[estimate.route] ?? 0,
                                logged: logged["\(tuned.classKey)\u{0}\(estimate.route)"])
            })
        }
        let skipped = run.skipped.sorted { $0.key < $1.key }.map { SkippedClass(classKey: $0.key, reason: $0.value) }
        return TuningResult(window: inputs.window, policyHash: policy.hash, requests: inputs.outcomes.count,
                            scored: inputs.scoredCount, classes: classes, skipped: skipped, offPolicy: run.offPolicy,
                            state: run.state, writtenVersion: nil)
    }
}
