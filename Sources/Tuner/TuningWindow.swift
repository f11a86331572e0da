import Foundation

/// The time span of logged requests a tuning run learns from: `[start, end)` on `requests.started_at`.
public struct TuningWindow: Sendable, Equatable, Codable {
    /// First instant included.
    public var start: Date
    /// First instant excluded (usually "now").
    public var end: Date

    /// A window from its bounds.
    public init(start: Date, end: Date) {
        self.start = start; self.end = end
    }

    /// The window of the last `duration` seconds before `end`.
    public init(lasting duration: TimeInterval, endingAt end: Date = Date()) {
        self.init(start: end.addingTimeInterval(-duration), end: end)
    }

    /// A window from text such as `30m`, `12h`, `7d` or `2w`, ending at `end`.
    /// - Throws: ``TunerError/invalidWindow(text:)`` for anything else.
    public init(text: String, endingAt end: Date = Date()) throws(TunerError) {
        self.init(lasting: try Self.seconds(of: text), endingAt: end)
    }

    /// The length in seconds of a window text (`30m`, `12h`, `7d`, `2w`).
    /// - Throws: ``TunerError/invalidWindow(text:)`` when the number is not positive or the unit unknown.
    public static func seconds(of text: String) throws(TunerError) -> TimeInterval {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let unit = trimmed.last, let count = Double(trimmed.dropLast()), count > 0, count.isFinite else {
            throw .invalidWindow(text: text)
        }
        switch unit {
        case "m": return count * 60
        case "h": return count * 3_600
        case "d": return count * 86_400
        case "w": return count * 604_800
        default: throw .invalidWindow(text: text)
        }
    }
}
