import Foundation

/// What a routing simulation measured: utility per window of requests against the oracle and the
/// start policy, every tuning run, and when the routing first reached (and kept) the target share of the oracle.
public struct SimulationReport: Sendable, Codable, Equatable {
    /// One scenario class: its class key, the oracle's route and the utilities to compare with.
    public struct ClassFigure: Sendable, Codable, Equatable {
        public var domain: String
        public var classKey: String
        public var oracleRoute: String
        public var oracleUtility: Double
        /// Expected utility of the untuned bandit.
        public var startUtility: Double
        /// Expected utility of the last state the gateway ran.
        public var finalUtility: Double
    }

    /// One window of consecutive requests.
    public struct WindowFigure: Sendable, Codable, Equatable {
        /// Requests sent when the window closed.
        public var requests: Int
        /// Mean true utility of the routes chosen.
        public var utility: Double
        /// Mean oracle utility of the same requests.
        public var oracleUtility: Double
        /// utility / oracle utility.
        public var ratio: Double
        /// Expected utility of the untuned bandit on the same requests, over the oracle's.
        public var startRatio: Double
        /// Expected utility of the state in force during the window (its deployed probabilities), over the oracle's.
        public var expectedRatio: Double
        /// The routing-state version in force (nil before the first tuning run).
        public var stateVersion: Int64?
    }

    /// One tuning run.
    public struct TuningFigure: Sendable, Codable, Equatable {
        /// Requests sent before the run.
        public var afterRequests: Int
        /// The version written.
        public var version: Int64
        /// Milliseconds from the end of the write to the gateway planning with it (NOTIFY and reload).
        public var pickupMS: Double
        /// The run's doubly robust estimate of the utility change per request.
        public var changeDoublyRobust: Double
        /// Expected utility of the new state over the oracle's, with equal class shares.
        public var expectedRatio: Double
    }

    /// Classes of the run.
    public var classes: [ClassFigure]
    /// Windows, in order.
    public var windows: [WindowFigure]
    /// Tuning runs, in order.
    public var tunings: [TuningFigure]
    /// The target share of the oracle's utility.
    public var target: Double
    /// Requests sent when the first window closed from which every window's ratio stays at or above `target`; nil if never.
    public var reachedAt: Int?
    /// Requests sent.
    public var requests: Int
    /// Wall time of the run, in seconds.
    public var seconds: Double
    /// Requests per route.
    public var routeCounts: [String: Int]
    /// Requests whose class key differed from the pool's (the classifier disagreed with itself; should be 0).
    public var misclassified: Int

    /// Ratio of the last window.
    public var finalRatio: Double { windows.last?.ratio ?? 0 }
    /// Ratio of the first window (mostly the untuned bandit).
    public var firstRatio: Double { windows.first?.ratio ?? 0 }

    /// The first window end from which all later windows meet `target`.
    static func reached(_ windows: [WindowFigure], target: Double) -> Int? {
        var candidate: Int?
        for window in windows {
            if window.ratio >= target {
                if candidate == nil { candidate = window.requests }
            } else {
                candidate = nil
            }
        }
        return candidate
    }

    /// The report as text, one line per window and per tuning run.
    public var text: String {
        var lines: [String] = []
        lines.append("routing simulation: \(requests) requests in \(String(format: "%.1f", seconds)) s, \(tunings.count) tuning runs")
        lines.append("")
        lines.append("class                      oracle route   oracle   start    final")
        for figure in classes {
            lines.append(pad(figure.classKey, 27) + pad(figure.oracleRoute, 15) + pad(f(figure.oracleUtility), 9)
                         + pad(f(figure.startUtility), 9) + f(figure.finalUtility))
        }
        lines.append("")
        lines.append("requests  utility   oracle   share of oracle   untuned share   expected share   state")
        for window in windows {
            lines.append(pad(String(window.requests), 10) + pad(f(window.utility), 10) + pad(f(window.oracleUtility), 9)
                         + pad(percent(window.ratio), 18) + pad(percent(window.startRatio), 16) + pad(percent(window.expectedRatio), 17)
                         + (window.stateVersion.map { "v\($0)" } ?? "untuned"))
        }
        lines.append("")
        lines.append("tuning runs (after requests: version, pickup by the gateway, expected change DR, expected share)")
        for run in tunings {
            lines.append("  " + pad(String(run.afterRequests), 7) + pad("v\(run.version)", 6) + pad(String(format: "%.1f ms", run.pickupMS), 11)
                         + pad(String(format: "%+.4f", run.changeDoublyRobust), 10) + percent(run.expectedRatio))
        }
        lines.append("")
        lines.append("routes: " + routeCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        if misclassified > 0 { lines.append("requests classed differently from the pool: \(misclassified)") }
        lines.append("first window \(percent(firstRatio)) of oracle, last window \(percent(finalRatio))")
        lines.append(reachedAt.map { "reached \(percent(target)) of oracle utility at \($0) requests (and stayed there)" }
                     ?? "did not reach \(percent(target)) of oracle utility for good within \(requests) requests")
        return lines.joined(separator: "\n")
    }

    private func f(_ value: Double) -> String { String(format: "%.4f", value) }
    private func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
