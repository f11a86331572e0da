import Testing
@testable import Classifier

/// Everyday prompts written for this test, in the style of real chat traffic rather than benchmarks.
/// They were not used for training nor looked at when the default keywords were written.
@Suite struct EverydayPromptTests {
    static let prompts: [(domain: String, prompt: String)] = [
        ("math", "Find the least common multiple of 12 and 18."),
        ("math", "A car depreciates 15% per year. What is it worth after 3 years if it cost $20,000?"),
        ("math", "Solve the system: 2x + y = 7 and x - y = 2."),
        ("math", "What's the integral of sin(x) cos(x)?"),
        ("math", "How many ways can 5 people sit around a round table?"),
        ("code", "Why is my React component re-rendering infinitely when I call setState in useEffect?"),
        ("code", "Explain what a closure is in JavaScript with an example."),
        ("code", "How can I read a CSV file into a pandas DataFrame and drop rows with missing values?"),
        ("code", "git says 'detached HEAD'. How do I get back to my branch without losing commits?"),
        ("code", "Implement an LRU cache class with get and put in O(1)."),
        ("medical", "Is it normal to feel tired all the time after starting antidepressants?"),
        ("medical", "What foods should someone with gout avoid?"),
        ("medical", "My child has a fever of 39C. When should I take her to the ER?"),
        ("medical", "What is the difference between type 1 and type 2 diabetes?"),
        ("medical", "How does a CT scan differ from an MRI?"),
        ("legal", "Can my landlord enter my apartment without giving notice?"),
        ("legal", "What's the statute of limitations for a personal injury claim in Texas?"),
        ("legal", "I got a cease and desist letter for my business name. What should I do?"),
        ("legal", "Is a non-compete clause enforceable if I move to another state?"),
        ("legal", "How do I file for divorce if my spouse refuses to sign?"),
        ("finance", "What happens to my 401k if I change jobs?"),
        ("finance", "Is now a good time to refinance my mortgage at 6.5%?"),
        ("finance", "How are capital gains on crypto taxed?"),
        ("finance", "What's the difference between a stock and a bond?"),
        ("finance", "How much should I keep in an emergency fund?"),
        ("general", "Tell me a fun fact about octopuses."),
        ("general", "Write a short bedtime story about a brave little turtle."),
        ("general", "What should I cook for dinner tonight with chicken and rice?"),
        ("general", "Recommend three science fiction novels for a teenager."),
        ("general", "How do I get better at public speaking?"),
    ]

    @Test func shippedModelGetsTwoThirdsOfEverydayPromptsRight() throws {
        let classifier = try ShippedModelTests.shippedClassifier()
        let wrong = Self.prompts.filter { classifier.classify($0.prompt).domain != $0.domain }
        #expect(wrong.count * 3 <= Self.prompts.count, "misclassified: \(wrong.map(\.prompt))")
    }
}
