/// Finds stop strings in streamed text, even when a stop is split across tokens.
///
/// Text is passed through as it arrives, except a tail that could still be the start of a stop
/// string: that is held back until the next text decides. When a stop string appears, the text
/// before it is returned and the stop itself is not.
public struct StopSequenceMatcher: Sendable {
    private let stops: [[UInt8]]
    private var pending: [UInt8] = []
    /// Whether a stop string has been found; later text is ignored.
    public private(set) var isStopped = false

    /// A matcher for `stops` (empty strings are ignored).
    public init(stops: [String]) {
        self.stops = stops.map { Array($0.utf8) }.filter { !$0.isEmpty }
    }

    /// The text that can safely be emitted after appending `text`, and whether a stop was found.
    public mutating func append(_ text: String) -> (text: String, stopped: Bool) {
        guard !isStopped else { return ("", true) }
        guard !stops.isEmpty else { return (text, false) }
        pending.append(contentsOf: text.utf8)
        if let stopStart = firstStopStart() {
            isStopped = true
            let before = String(decoding: pending[..<stopStart], as: UTF8.self)
            pending.removeAll()
            return (before, true)
        }
        let emitCount = pending.count - longestSuffixThatStartsAStop()
        let emitted = String(decoding: pending[..<emitCount], as: UTF8.self)
        pending.removeFirst(emitCount)
        return (emitted, false)
    }

    /// The held-back text, when generation ends without reaching a stop string.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return isStopped ? "" : String(decoding: pending, as: UTF8.self)
    }

    /// The earliest byte offset in `pending` where a stop string occurs in full.
    private func firstStopStart() -> Int? {
        var earliest: Int?
        for stop in stops where stop.count <= pending.count {
            var start = 0
            while start + stop.count <= pending.count, start < (earliest ?? .max) {
                if pending[start] == stop[0], pending[start..<(start + stop.count)].elementsEqual(stop) {
                    earliest = start
                    break
                }
                start += 1
            }
        }
        return earliest
    }

    /// The length of the longest tail of `pending` that is a proper prefix of some stop string.
    /// A match lies on a character boundary because both texts are valid UTF-8.
    private func longestSuffixThatStartsAStop() -> Int {
        var longest = 0
        for stop in stops {
            var length = min(stop.count - 1, pending.count)
            while length > longest {
                if pending[(pending.count - length)...].elementsEqual(stop[..<length]) {
                    longest = length
                    break
                }
                length -= 1
            }
        }
        return longest
    }
}
