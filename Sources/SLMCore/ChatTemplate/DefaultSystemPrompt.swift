/// Finds the system prompt a ChatML Jinja template inserts when a conversation has none.
///
/// SmolLM2's template writes `'<|im_start|>system\nYou are a helpful AI assistant named SmolLM,
/// trained by Hugging Face<|im_end|>\n'` when the first message is not a system message. We look
/// for a string literal holding `<|im_start|>system`, a newline and literal text up to `<|im_end|>`.
enum DefaultSystemPrompt {
    /// The default system prompt in `template`, or nil when it inserts none.
    static func inChatMLTemplate(_ template: String) -> String? {
        let opening = "<|im_start|>system"
        var searchStart = template.startIndex
        while let marker = template[searchStart...].firstRange(of: opening) {
            searchStart = marker.upperBound
            var rest = template[marker.upperBound...]
            if rest.hasPrefix("\n") {
                rest = rest.dropFirst()
            } else if rest.hasPrefix("\\n") {
                rest = rest.dropFirst(2)
            } else {
                continue
            }
            guard let end = rest.firstRange(of: "<|im_end|>") else { continue }
            let literal = rest[..<end.lowerBound]
            // Template code (`' + message['content'] + '`) means the text is not a fixed prompt.
            guard !literal.isEmpty, !literal.contains("{{"), !literal.contains("{%"), !literal.contains("' +"),
                  !literal.contains("\" +") else { continue }
            return unescapeJinjaLiteral(literal)
        }
        return nil
    }

    /// The text of a Jinja string literal's body: `\n`, `\t`, `\'`, `\"` and `\\` resolved.
    static func unescapeJinjaLiteral(_ literal: Substring) -> String {
        var result = ""
        var escaping = false
        for character in literal {
            if escaping {
                switch character {
                case "n": result.append("\n")
                case "t": result.append("\t")
                case "r": result.append("\r")
                default: result.append(character)
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                result.append(character)
            }
        }
        if escaping { result.append("\\") }
        return result
    }
}
