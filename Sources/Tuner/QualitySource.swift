/// Where a logged request's quality score came from, in order of precedence.
///
/// A request's quality is the mean score of its highest-ranked source that gave any: user
/// feedback beats a judge's grade, which beats a heuristic (SLM confidence). Sources are not
/// averaged together: a user's verdict is the ground truth the other two try to predict.
/// A request that failed upstream (status ≥ 500) with no score at all counts as quality 0.
public enum QualitySource: String, Sendable, Codable, CaseIterable {
    /// `feedback.source = 'user'` (POST /v1/feedback).
    case user
    /// `feedback.source = 'judge'` (sampled LLM grading).
    case judge
    /// `feedback.source = 'heuristic'` (SLM confidence).
    case heuristic
    /// No score; the request failed upstream, so its quality is taken as 0.
    case failure
}
