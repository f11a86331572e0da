import Policy

/// How answers are sampled for grading by a judge model.
///
/// From the policy's `judge` section (``init(policy:)``, following reloads) or from `serve` flags,
/// which override the section field by field (``resolve(policy:model:sampleRate:rubric:)``).
/// ```swift
/// let judge = JudgeSettings(model: "gpt-4o-mini", sampleRate: 0.05)
/// let fromPolicy = JudgeSettings.resolve(policy: policy, model: nil, sampleRate: nil, rubric: nil)
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
    /// Whether route, sample rate and rubric are read from the policy in force at each answer (so a
    /// reload changes them; a reloaded policy without `judge` grades nothing). False when flags set them.
    public var followsPolicy: Bool = false

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

    /// The settings of a policy's `judge` section, following reloads; nil when the policy has none.
    public init?(policy: PolicyDocument?) {
        guard let judge = policy?.judge else { return nil }
        self.init(model: judge.route, sampleRate: judge.sampleRate, rubric: judge.rubric ?? Self.defaultRubric)
        followsPolicy = true
    }

    /// Settings that take route, rate and rubric from the policy in force at each answer: nothing is
    /// graded until a (re)loaded policy has a `judge` section.
    public static func followingPolicy() -> JudgeSettings {
        var settings = JudgeSettings(model: "", sampleRate: 0)
        settings.followsPolicy = true
        return settings
    }

    /// What `serve` runs with: the policy's `judge` section with each flag given overriding its field.
    /// Any flag pins the settings (they no longer follow reloads); nil when neither names a judge.
    public static func resolve(policy: PolicyDocument?, model: String?, sampleRate: Double?, rubric: String?) -> JudgeSettings? {
        let section = JudgeSettings(policy: policy)
        guard model != nil || sampleRate != nil || rubric != nil else { return section }
        guard let route = model ?? section?.model else { return nil }
        return JudgeSettings(model: route, sampleRate: sampleRate ?? section?.sampleRate ?? JudgePolicy.defaultSampleRate,
                             rubric: rubric ?? section?.rubric ?? defaultRubric)
    }

    /// The settings to use now: with ``followsPolicy``, route, rate and rubric from `policy` (rate 0
    /// when it has no `judge` section); otherwise these settings as they are.
    public func current(policy: PolicyDocument?) -> JudgeSettings {
        guard followsPolicy else { return self }
        var now = self
        if let judge = policy?.judge {
            now.model = judge.route; now.sampleRate = judge.sampleRate; now.rubric = judge.rubric ?? Self.defaultRubric
        } else {
            now.sampleRate = 0
        }
        return now
    }
}
