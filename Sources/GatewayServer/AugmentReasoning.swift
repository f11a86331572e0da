import Policy
import SwitchyardTypes

/// Orca 2 style system instructions: how the answering model is told to reason, worded for the request's task.
enum AugmentReasoning {
    /// The instruction for `strategy` and the request's `task`; nil for `direct` (the model answers as it would).
    static func instruction(_ strategy: ReasoningStrategy, task: String?) -> String? {
        switch strategy {
        case .direct:
            return nil
        case .stepByStep:
            switch task {
            case "code":
                return "Before writing code, reason step by step about what it must do and the edge cases. Then give the code."
            case "summarization":
                return "First list the main points step by step, then write the summary from them."
            default:
                return "Think through the problem step by step, showing your reasoning. End with a line starting 'Answer:' that gives the final answer."
            }
        case .recallThenAnswer:
            return "First recall the facts, definitions or rules relevant to the question and state them briefly. Then answer using them."
        }
    }
}
