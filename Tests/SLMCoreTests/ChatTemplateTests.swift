import Testing
@testable import SLMCore

/// Chat templates: the GGUF's ChatML template against llama.cpp's rendering, and each family by hand.
@Suite struct ChatTemplateTests {
    static func prompts() throws -> [PromptReference] { try PromptReference.all() }

    static func messages(of prompt: PromptReference) throws -> [ChatMessage] {
        try prompt.messages.map { message in
            let role = try #require(ChatRole(rawValue: message.role), "unknown role \(message.role)")
            return ChatMessage(role: role, content: message.content)
        }
    }

    @Test func readsSmolLM2TemplateFromTheModelFile() throws {
        let template = try ChatTemplate(gguf: GGUFFile(path: TestSupport.modelPath()))
        #expect(template.format == .chatML)
        #expect(template.defaultSystemPrompt == "You are a helpful AI assistant named SmolLM, trained by Hugging Face")
    }

    @Test(arguments: try prompts())
    func rendersReferencePromptsByteForByte(_ prompt: PromptReference) throws {
        let template = try ChatTemplate(gguf: GGUFFile(path: TestSupport.modelPath()))
        let rendered = template.render(try Self.messages(of: prompt), addGenerationPrompt: true)
        #expect(Array(rendered.utf8) == Array(prompt.rendered_text.utf8))
        let tokenizer = try TokenizerFixtures.smolLM()
        #expect(tokenizer.encode(rendered, parseSpecial: true) == prompt.ids.map { Int32($0) })
    }

    // MARK: Recognition

    static let smolLMTemplate = """
        {% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system
        You are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>
        ' }}{% endif %}{{'<|im_start|>' + message['role'] + '
        ' + message['content'] + '<|im_end|>' + '
        '}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant
        ' }}{% endif %}
        """

    @Test(arguments: [
        (smolLMTemplate, ChatTemplateFormat.chatML, "You are a helpful AI assistant named SmolLM, trained by Hugging Face" as String?),
        // Escaped newlines inside the Jinja literal (Qwen 2.5 style).
        (#"{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}{%- else %}{{- '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' }}{%- endif %}"#,
         .chatML, "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."),
        // ChatML with no default system prompt.
        (#"{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"#, .chatML, nil),
        (#"{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' + message['content'] | trim + '<|eot_id|>' }}"#, .llama3, nil),
        (#"{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}"#, .gemma, nil),
    ] as [(String, ChatTemplateFormat, String?)])
    func recognisesTheFamilyAndDefaultSystemPrompt(jinja: String, format: ChatTemplateFormat, systemPrompt: String?) throws {
        let template = try ChatTemplate(jinja: jinja)
        #expect(template.format == format)
        #expect(template.defaultSystemPrompt == systemPrompt)
    }

    @Test func rejectsATemplateOfAnUnknownFamily() {
        let jinja = "{% for m in messages %}[INST] {{ m['content'] }} [/INST]{% endfor %}"
        #expect(throws: ChatTemplateError.unrecognizedTemplate(excerpt: jinja)) { try ChatTemplate(jinja: jinja) }
        #expect(ChatTemplateError.unrecognizedTemplate(excerpt: "x").description.contains("ChatML"))
    }

    // MARK: Rendering each family

    @Test(arguments: [
        // ChatML with a default system prompt: inserted only when the first message is not a system message.
        (ChatTemplate(format: .chatML, defaultSystemPrompt: "Be brief."), [ChatMessage.user("Hi")], true,
         "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"),
        (ChatTemplate(format: .chatML, defaultSystemPrompt: "Be brief."), [.system("Be long."), .user("Hi")], true,
         "<|im_start|>system\nBe long.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"),
        (ChatTemplate(format: .chatML), [.user("Hi"), .assistant("Hello"), .user("Bye")], false,
         "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n"),
        (ChatTemplate(format: .chatML, defaultSystemPrompt: "Be brief."), [], true, "<|im_start|>assistant\n"),
        (ChatTemplate(format: .llama3), [.system("Sys"), .user(" Hi \n")], true,
         "<|start_header_id|>system<|end_header_id|>\n\nSys<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"),
        (ChatTemplate(format: .gemma), [.system("Sys"), .user("Hi"), .assistant("Yo"), .user("Q")], true,
         "<start_of_turn>user\nSys\n\nHi<end_of_turn>\n<start_of_turn>model\nYo<end_of_turn>\n<start_of_turn>user\nQ<end_of_turn>\n<start_of_turn>model\n"),
    ] as [(ChatTemplate, [ChatMessage], Bool, String)])
    func rendersEachFamily(template: ChatTemplate, messages: [ChatMessage], addGenerationPrompt: Bool, expected: String) {
        #expect(template.render(messages, addGenerationPrompt: addGenerationPrompt) == expected)
    }

    @Test(arguments: [(ChatTemplateFormat.chatML, "<|im_end|>"), (.llama3, "<|eot_id|>"), (.gemma, "<end_of_turn>")])
    func namesTheEndOfTurnText(format: ChatTemplateFormat, endOfTurn: String) {
        #expect(ChatTemplate(format: format).endOfTurn == endOfTurn)
    }
}
