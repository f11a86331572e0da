/// Renders a conversation into the prompt text a model was trained on.
///
/// Built from the Jinja template a GGUF file carries: the family is recognised from the template
/// text and rendered natively, with the template's default system prompt when it has one.
///
/// ```swift
/// let template = try ChatTemplate(gguf: file)
/// let prompt = template.render([.user("Hello!")], addGenerationPrompt: true)
/// let ids = tokenizer.encode(prompt, parseSpecial: true)
/// ```
public struct ChatTemplate: Sendable, Equatable {
    /// The template family.
    public var format: ChatTemplateFormat
    /// The system prompt inserted when the conversation does not start with a system message.
    public var defaultSystemPrompt: String?

    /// A template of a known family.
    public init(format: ChatTemplateFormat, defaultSystemPrompt: String? = nil) {
        self.format = format
        self.defaultSystemPrompt = defaultSystemPrompt
    }

    /// Recognises the family of a Jinja chat template and extracts its default system prompt.
    /// - Throws: `ChatTemplateError.unrecognizedTemplate` for a template of an unknown family.
    public init(jinja template: String) throws(ChatTemplateError) {
        guard let format = ChatTemplateFormat(recognizing: template) else {
            throw .unrecognizedTemplate(excerpt: String(template.prefix(80)))
        }
        self.format = format
        self.defaultSystemPrompt = format == .chatML ? DefaultSystemPrompt.inChatMLTemplate(template) : nil
    }

    /// The template in `tokenizer.chat_template` of a GGUF file.
    /// - Throws: `ChatTemplateError.missingTemplate` when the key is absent, `.unrecognizedTemplate`.
    public init(gguf file: GGUFFile) throws(ChatTemplateError) {
        guard file.metadata["tokenizer.chat_template"] != nil else { throw .missingTemplate }
        let template: String
        do { template = try file.string("tokenizer.chat_template") } catch { throw .metadata(error) }
        try self.init(jinja: template)
    }

    /// The prompt text of `messages`, to be tokenized with special-token parsing on.
    ///
    /// - Parameter addGenerationPrompt: end with the header of an assistant turn, so the model
    ///   writes the answer next.
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool = true) -> String {
        switch format {
        case .chatML: renderChatML(messages, addGenerationPrompt: addGenerationPrompt)
        case .llama3: renderLlama3(messages, addGenerationPrompt: addGenerationPrompt)
        case .gemma: renderGemma(messages, addGenerationPrompt: addGenerationPrompt)
        }
    }

    /// Text that ends the assistant's turn in this format (a stop string for generation).
    public var endOfTurn: String {
        switch format {
        case .chatML: "<|im_end|>"
        case .llama3: "<|eot_id|>"
        case .gemma: "<end_of_turn>"
        }
    }

    // MARK: Families

    private func renderChatML(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> String {
        var prompt = ""
        if let first = messages.first, first.role != .system, let defaultSystemPrompt {
            prompt += "<|im_start|>system\n\(defaultSystemPrompt)<|im_end|>\n"
        }
        for message in messages {
            prompt += "<|im_start|>\(message.role.rawValue)\n\(message.content)<|im_end|>\n"
        }
        if addGenerationPrompt { prompt += "<|im_start|>assistant\n" }
        return prompt
    }

    private func renderLlama3(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> String {
        var prompt = ""
        for message in messages {
            let role = message.role == .tool ? "ipython" : message.role.rawValue
            prompt += "<|start_header_id|>\(role)<|end_header_id|>\n\n\(Self.trimmed(message.content))<|eot_id|>"
        }
        if addGenerationPrompt { prompt += "<|start_header_id|>assistant<|end_header_id|>\n\n" }
        return prompt
    }

    private func renderGemma(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> String {
        var prompt = ""
        var pendingSystem = ""
        for message in messages {
            if message.role == .system {
                pendingSystem += Self.trimmed(message.content)
                continue
            }
            let role = message.role == .assistant ? "model" : "user"
            prompt += "<start_of_turn>\(role)\n"
            if !pendingSystem.isEmpty, role == "user" {
                prompt += pendingSystem + "\n\n"
                pendingSystem = ""
            }
            prompt += Self.trimmed(message.content) + "<end_of_turn>\n"
        }
        if addGenerationPrompt { prompt += "<start_of_turn>model\n" }
        return prompt
    }

    private static func trimmed(_ text: String) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(text[first...last])
    }
}
