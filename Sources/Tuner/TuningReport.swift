import Foundation
import Routing

/// The human-readable summary of a ``TuningResult`` that `switchyard tune` prints.
public struct TuningReport: Sendable {
    /// The result shown.
    public var result: TuningResult

    /// A report of `result`.
    public init(_ result: TuningResult) { self.result = result }

    /// The report as lines of text: window, expected utility change, then one block per class.
    public var text: String {
        let format = ISO8601DateFormatter()
        let ope = result.offPolicy
        var lines: [String] = []
        lines.append("window: \(format.string(from: result.window.start)) .. \(format.string(from: result.window.end))")
        lines.append("policy: \(result.policyHash.prefix(12))   requests: \(result.requests)   scored: \(result.scored)")
        lines.append("")
        lines.append("expected utility per request (off-policy, \(ope.samples) scored decisions):")
        lines.append(String(format: "  logged policy     %+.4f", ope.loggedValue))
        lines.append(String(format: "  IPS               %+.4f   change %+.4f   (± %.4f s.e.)", ope.ips, ope.changeIPS, ope.ipsStandardError))
        lines.append(String(format: "  SNIPS             %+.4f   change %+.4f", ope.snips, ope.changeSNIPS))
        lines.append(String(format: "  doubly robust     %+.4f   change %+.4f", ope.doublyRobust, ope.changeDoublyRobust))
        lines.append(String(format: "  effective sample size %.1f of %d", ope.effectiveSampleSize, ope.samples))
        for tuning in result.classes {
            lines.append("")
            let flags = tuning.relaxed ? "  (every candidate breaks a constraint; all kept)" : ""
            lines.append("class \(tuning.classKey)   rule \(tuning.rule)   exploration \(tuning.ruleExploration)   best \(tuning.best ?? "-")\(flags)")
            lines.append("  route                      n  scored  quality    cost_usd   p95_ms   utility   weight  deployed")
            for candidate in tuning.candidates {
                let e = candidate.estimate
                lines.append("  " + candidate.route.padding(toLength: max(22, candidate.route.count), withPad: " ", startingAt: 0) + String(format: " %6d  %6d   %.3f  %10.6f  %7.0f   %+.4f   %.3f    %.3f",
                                    e.requests, e.scored, e.quality, e.costUSD, e.p95LatencyMS,
                                    candidate.utility, candidate.weight, candidate.deployedProbability))
            }
        }
        for skipped in result.skipped {
            lines.append("")
            lines.append("class \(skipped.classKey) not tuned: \(skipped.reason)")
        }
        lines.append("")
        if let version = result.writtenVersion {
            lines.append("wrote routing_state version \(version) and notified \(RoutingStateChannel.name)")
        } else {
            lines.append("dry run: nothing written")
        }
        return lines.joined(separator: "\n")
    }
}
