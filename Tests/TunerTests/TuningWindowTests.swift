import Foundation
import Testing
@testable import Tuner

@Suite struct TuningWindowTests {
    @Test(arguments: [("30m", 1_800.0), ("12h", 43_200.0), ("7d", 604_800.0), ("2w", 1_209_600.0), ("1.5h", 5_400.0), (" 1d ", 86_400.0)])
    func parsesWindowTextIntoSeconds(text: String, seconds: Double) throws {
        #expect(try TuningWindow.seconds(of: text) == seconds)
        let end = Date(timeIntervalSince1970: 2_000_000_000)
        let window = try TuningWindow(text: text, endingAt: end)
        #expect(window.end == end)
        #expect(window.end.timeIntervalSince(window.start) == seconds)
    }

    @Test(arguments: ["", "7", "d", "0d", "-1d", "7y", "abc", "1e400d", "nand"])
    func rejectsWindowTextThatIsNotAPositiveDuration(text: String) {
        #expect(throws: TunerError.invalidWindow(text: text)) { try TuningWindow.seconds(of: text) }
    }

    @Test(arguments: [-0.1, 0.6, Double.nan])
    func rejectsAnExplorationFloorOutOfRange(floor: Double) {
        #expect(throws: TunerError.self) { try TunerSettings(explorationFloor: floor) }
    }
}
