import SwitchyardTypes

/// What the classifier says about one request.
public struct RequestClass: Sendable, Equatable {
    /// The domain (e.g. `math`, `medical`), or `unknown` when the confidence is below the threshold.
    public var domain: String
    /// The task (e.g. `qa`, `code`), or `unknown` when its confidence is below the threshold.
    public var task: String
    /// `easy`, `medium` or `hard` (see ``DifficultyEstimator``).
    public var difficulty: String
    /// Probability of the best domain, in [0, 1].
    public var confidence: Double
    /// Probability of the best task, in [0, 1].
    public var taskConfidence: Double

    /// Creates a class.
    public init(domain: String, task: String, difficulty: String, confidence: Double, taskConfidence: Double) {
        self.domain = domain; self.task = task; self.difficulty = difficulty
        self.confidence = confidence; self.taskConfidence = taskConfidence
    }

    /// The form the metrics database stores.
    public var record: RequestClassRecord {
        RequestClassRecord(domain: domain, task: task, difficulty: difficulty, confidence: confidence)
    }

    /// The label given to a head whose best probability is below the threshold.
    public static let unknown = "unknown"
}
