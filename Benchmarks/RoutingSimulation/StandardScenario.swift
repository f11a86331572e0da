/// The simulation's default world: three hosted LLMs (cheap and fast, middle, strong but dear and slow)
/// and four classes, each with a different best route once cost and latency are priced in.
///
/// True utilities (quality − 10·cost − 0.2·latency s): chat is best answered by `mini`, support by
/// `mid`, code and math by `max`; the untuned bandit mostly sends everything to `mini`.
public enum StandardScenario {
    /// The LLMs, cheapest first (the untuned bandit's preference).
    public static let models: [SimulatedLLM] = [
        SimulatedLLM(name: "mini", pricePerMillionInput: 0.15, pricePerMillionOutput: 0.6, latencyMS: 20, promptTokens: 400, completionTokens: 300,
                     quality: ["chat": 0.84, "code": 0.45, "math": 0.35, "support": 0.70]),
        SimulatedLLM(name: "mid", pricePerMillionInput: 1, pricePerMillionOutput: 4, latencyMS: 40, promptTokens: 400, completionTokens: 300,
                     quality: ["chat": 0.83, "code": 0.72, "math": 0.60, "support": 0.88]),
        SimulatedLLM(name: "max", pricePerMillionInput: 10, pricePerMillionOutput: 30, latencyMS: 80, promptTokens: 400, completionTokens: 300,
                     quality: ["chat": 0.90, "code": 0.96, "math": 0.95, "support": 0.90]),
    ]

    /// The classes, in the order a `--classes N` run keeps them.
    public static let classes: [SimulatedClass] = [
        SimulatedClass(
            domain: "code", keywords: ["python", "function", "compile", "bug", "variable", "loop"],
            examples: ["Why does my python function return None?", "How do I fix this compile error in my loop?"],
            prompts: [
                "Why does my python function return None instead of the list?",
                "How do I fix a compile error about an unused variable in my loop?",
                "What is the bug in this python loop that never ends?",
                "How do I rename a variable inside a python function?",
                "Why does the compile step fail on my function signature?",
                "What does this python error about a loop variable mean?",
            ]),
        SimulatedClass(
            domain: "math", keywords: ["equation", "solve", "fraction", "sum", "multiply", "percent"],
            examples: ["Solve the equation x + 3 = 7.", "What is the sum of these fractions?"],
            prompts: [
                "How do I solve the equation x plus three equals seven?",
                "What is the sum of one half and one third as a fraction?",
                "How do I multiply two fractions and simplify the result?",
                "What percent of forty is ten?",
                "How do I solve an equation with a fraction on both sides?",
                "What is the sum of the angles in a triangle?",
            ]),
        SimulatedClass(
            domain: "support", keywords: ["account", "password", "refund", "order", "subscription", "invoice"],
            examples: ["How do I reset my account password?", "Where is the refund for my order?"],
            prompts: [
                "How do I reset the password of my account?",
                "Where is the refund for my cancelled order?",
                "How do I cancel my subscription before the next invoice?",
                "Which invoice covers my last order?",
                "How do I change the email on my account?",
                "What happens to my order if the refund fails?",
            ]),
        SimulatedClass(
            domain: "chat", keywords: ["weekend", "movie", "favorite", "hobby", "weather", "music"],
            examples: ["What movie should I watch this weekend?", "What is your favorite music?"],
            prompts: [
                "What movie should I watch this weekend?",
                "What is a fun hobby to start this weekend?",
                "Which music fits a rainy weather afternoon?",
                "What is your favorite movie about music?",
                "How do I enjoy a quiet weekend at home?",
                "Which hobby goes well with sunny weather?",
            ]),
    ]

    /// The standard scenario with the first `classCount` classes (1...4).
    public static func scenario(classCount: Int = 4, exploration: Double = 0.05, feedbackNoise: Double = 0.1) -> SimulationScenario {
        SimulationScenario(models: models, classes: Array(classes.prefix(max(1, min(classCount, classes.count)))),
                           costWeight: 10, latencyWeight: 0.2, exploration: exploration, feedbackNoise: feedbackNoise)
    }
}
