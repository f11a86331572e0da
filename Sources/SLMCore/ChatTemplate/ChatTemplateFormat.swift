/// The chat template families we render natively (we do not run Jinja).
public enum ChatTemplateFormat: String, Sendable, Equatable, CaseIterable {
    /// `<|im_start|>role\ncontent<|im_end|>\n` (SmolLM2, Qwen, many fine-tunes).
    case chatML
    /// `<|start_header_id|>role<|end_header_id|>\n\ncontent<|eot_id|>` (Llama 3.x).
    case llama3
    /// `<start_of_turn>user\ncontent<end_of_turn>\n`, the system prompt merged into the first
    /// user turn and the assistant called `model` (Gemma 2 and 3).
    case gemma

    /// The family a Jinja template belongs to, recognised by its marker tokens, or nil.
    public init?(recognizing template: String) {
        if template.contains("<|start_header_id|>"), template.contains("<|end_header_id|>") {
            self = .llama3
        } else if template.contains("<start_of_turn>") {
            self = .gemma
        } else if template.contains("<|im_start|>"), template.contains("<|im_end|>") {
            self = .chatML
        } else {
            return nil
        }
    }
}
