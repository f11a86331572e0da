/// How answers are sampled for grading by a judge model.
///
/// The policy has no `judge` section yet; `switchyard serve` fills this from its flags until it does.
/// ```swift
/// let judge = JudgeSettings(model: "gpt-4o-mini", sampleRate: 0.05)
/// ```
public struct JudgeSettings: Sendable, Equatable {
    /// The model (a policy model name, or a route name when a policy is loaded) that grades answers.
    public var model: String
    /// Share of successful answers graded, in 0...1.
    public var sampleRate: Double
    /// What the judge is told a good answer is.
    public var rubric: String
    /// Answers waiting for the judge; beyond it new samples are dropped (and counted), never waited for.
    public var queueCapacity: Int
    /// Answers graded at once.
    public var concurrency: Int
    /// Longest prompt or answer text sent to the judge, in characters (the rest is cut).
    public var maxTextCharacters: Int

    /// The default rubric: helpfulness, correctness and completeness for the user's question.
    public static let defaultRubric = """
        Grade how well the answer serves the user's request: correct, complete, relevant and clear. \
        Score 1 for an answer an expert would fully accept, 0 for a wrong, harmful or empty one.
        """

    /// Settings grading `sampleRate` of the answers with `model`.
    public init(model: String, sampleRate: Double, rubric: String = JudgeSettings.defaultRubric, queueCapacity: Int = 256,
                concurrency: Int = 2, maxTextCharacters: Int = 8_000) {
        self.model = model; self.sampleRate = min(max(sampleRate, 0), 1); self.rubric = rubric
        self.queueCapacity = max(1, queueCapacity); self.concurrency = max(1, concurrency); self.maxTextCharacters = max(100, maxTextCharacters)
    }
}
