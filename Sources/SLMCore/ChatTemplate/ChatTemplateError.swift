/// Why a chat template could not be used.
public enum ChatTemplateError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The model file carries no `tokenizer.chat_template`.
    case missingTemplate
    /// The template is not one of the families in `ChatTemplateFormat`; `excerpt` is its start.
    case unrecognizedTemplate(excerpt: String)
    /// The template's metadata value could not be read.
    case metadata(GGUFError)

    public var description: String {
        switch self {
        case .missingTemplate:
            "the model has no tokenizer.chat_template; choose a ChatTemplateFormat explicitly"
        case .unrecognizedTemplate(let excerpt):
            "unrecognized chat template (known: ChatML, Llama 3, Gemma); it starts: \(excerpt)"
        case .metadata(let error):
            "cannot read the chat template: \(error)"
        }
    }
}
