import Foundation

/// One line of a labelled JSONL file: `{"id": ..., "prompt": ..., "domain": ..., "task": ...}`.
public struct LabelledPrompt: Sendable, Equatable {
    /// A stable id (used for the held-out split); the line number when absent.
    public var id: String
    /// The prompt text.
    public var prompt: String
    /// The domain label, if given.
    public var domain: String?
    /// The task label, if given.
    public var task: String?

    /// Creates a labelled prompt.
    public init(id: String, prompt: String, domain: String?, task: String?) {
        self.id = id; self.prompt = prompt; self.domain = domain; self.task = task
    }

    /// As a training example.
    public var example: TrainingExample { TrainingExample(text: prompt, domain: domain, task: task) }
}

/// A bad line in a JSONL file.
public struct LabelledPromptError: Error, Equatable, CustomStringConvertible {
    /// The 1-based line.
    public var line: Int
    /// What is wrong with it.
    public var reason: String
    /// `line N: reason`.
    public var description: String { "line \(line): \(reason)" }
}

extension LabelledPrompt {
    /// Parses JSON lines (blank lines skipped); each needs a string `prompt`.
    /// - Throws: ``LabelledPromptError`` for the first bad line.
    public static func parseJSONLines(_ data: Data) throws(LabelledPromptError) -> [LabelledPrompt] {
        var prompts: [LabelledPrompt] = []
        for (index, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            guard line.contains(where: { $0 != 32 && $0 != 9 && $0 != 13 }) else { continue }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else {
                throw LabelledPromptError(line: index + 1, reason: "not a JSON object")
            }
            guard let prompt = object["prompt"] as? String else { throw LabelledPromptError(line: index + 1, reason: "no string field `prompt`") }
            let id = (object["id"] as? String) ?? (object["id"] as? NSNumber)?.stringValue ?? String(index + 1)
            prompts.append(LabelledPrompt(id: id, prompt: prompt, domain: object["domain"] as? String, task: object["task"] as? String))
        }
        return prompts
    }
}

/// The fixed held-out split of labelled data: an id is held out when its FNV-1a hash is a multiple of 3,
/// so about a third of the prompts never reach training, whatever file order or other rows.
public enum HeldOutSplit {
    /// Whether the prompt with this id is kept out of training.
    public static func isHeldOut(id: String) -> Bool {
        let hash = id.utf8.reduce(UInt64(0xCBF2_9CE4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
        return hash % 3 == 0
    }
}
