/// Which answers a judge grades, and how (section `judge`): a route or model of the policy scores a
/// sample of successful answers in the background; the scores land in `feedback` with source `judge`.
///
/// ```yaml
/// judge:
///   route: mini            # a route or model declared in this policy
///   sample_rate: 0.05      # share of answers graded, 0...1
///   rubric: "Score 1 for a correct, complete answer, 0 for a wrong one."
/// ```
public struct JudgePolicy: Sendable, Equatable {
    /// The route (or model) that grades.
    public var route: String
    /// Share of successful answers graded, in [0, 1].
    public var sampleRate: Double
    /// What the judge is told a good answer is; nil for the gateway's default rubric.
    public var rubric: String?

    /// The sample rate an absent `sample_rate` gives.
    public static let defaultSampleRate = 0.05

    /// Creates a judge section.
    public init(route: String, sampleRate: Double = JudgePolicy.defaultSampleRate, rubric: String? = nil) {
        self.route = route; self.sampleRate = sampleRate; self.rubric = rubric
    }
}
