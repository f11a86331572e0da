import Testing
@testable import SLMCore

/// Stop strings across token boundaries, token limits and end-of-generation tokens.
@Suite struct SamplingStopTests {
    @Test(arguments: [
        // (stops, chunks) → emitted text per chunk, and the chunk index where the stop was found
        (["\nUser:"], ["Hello", "\nUs", "er:", " more"], ["Hello", "", ""], 2 as Int?),
        (["\nUser:"], ["a\nU", "nrelated"], ["a", "\nUnrelated"], nil),
        (["STOP"], ["abcSTOPdef"], ["abc"], 0),
        (["STOP"], ["ST", "OP"], ["", ""], 1),
        (["STOP"], ["S", "S", "STOP"], ["", "S", "S"], 2),
        (["B", "AB"], ["xABy"], ["x"], 0),  // the earliest stop wins
        (["é!"], ["caf", "é", "!"], ["caf", "", ""], 2),
        (["é!"], ["café", " ok"], ["caf", "é ok"], nil),
        ([], ["any", "thing"], ["any", "thing"], nil),
    ] as [([String], [String], [String], Int?)])
    func matchesStopStringsAcrossChunks(stops: [String], chunks: [String], expected: [String], stopIndex: Int?) {
        var matcher = StopSequenceMatcher(stops: stops)
        var emitted: [String] = []
        var stoppedAt: Int?
        for (index, chunk) in chunks.enumerated() {
            let (text, stopped) = matcher.append(chunk)
            emitted.append(text)
            if stopped {
                stoppedAt = index
                break
            }
        }
        #expect(emitted == expected)
        #expect(stoppedAt == stopIndex)
        if stopIndex == nil { #expect(emitted.joined() + matcher.finish() == chunks.joined()) }
    }

    @Test func flushesAHeldBackPartialStopAtTheEnd() {
        var matcher = StopSequenceMatcher(stops: ["###"])
        #expect(matcher.append("done ##").text == "done ")
        #expect(matcher.finish() == "##")
    }

    // MARK: Generation output with the real tokenizer

    func run(_ text: String, stop: [String], maxTokens: Int?, thenEOS: Bool = false) throws -> (String, FinishReason?, Int) {
        let tokenizer = try TokenizerFixtures.smolLM()
        var output = GenerationOutput(tokenizer: tokenizer, stop: stop, maxTokens: maxTokens)
        var result = ""
        let ids = tokenizer.encode(text, parseSpecial: false) + (thenEOS ? [2, 905] : [])
        for id in ids {
            let step = output.append(id)
            result += step.text
            if step.finishReason != nil { break }
        }
        return (result, output.finishReason, output.tokenCount)
    }

    @Test func stopsAtAStopStringAndLeavesItOut() throws {
        let (text, reason, _) = try run("Hello! How are you today?", stop: ["are you"], maxTokens: nil)
        #expect(text == "Hello! How ")
        #expect(reason == .stopSequence)
    }

    @Test func stopsAtTheTokenLimit() throws {
        let (text, reason, count) = try run("Hello! How are you today?", stop: [], maxTokens: 3)
        #expect(text == "Hello! How")
        #expect(reason == .maxTokens)
        #expect(count == 3)
    }

    @Test func stopsAtEndOfGenerationWithoutItsText() throws {
        let (text, reason, count) = try run("Hello! How", stop: ["Howdy"], maxTokens: nil, thenEOS: true)
        #expect(text == "Hello! How")  // the held-back "How" is released at the end
        #expect(reason == .endOfGeneration)
        #expect(count == 4)
    }

    @Test func completesCharactersSplitAcrossTokensBeforeEmitting() throws {
        let (text, reason, _) = try run("I love pizza 🍕🍕 and cats", stop: ["cats"], maxTokens: nil)
        #expect(text == "I love pizza 🍕🍕 and ")
        #expect(reason == .stopSequence)
    }
}
