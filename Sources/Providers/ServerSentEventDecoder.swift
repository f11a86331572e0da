/// One server-sent event: its `event:` name (if any) and its `data:` lines joined by newlines.
public struct ServerSentEvent: Sendable, Equatable {
    public var event: String?
    public var data: String
    public init(event: String? = nil, data: String) { self.event = event; self.data = data }
}

/// Splits a byte stream into server-sent events, whatever the chunk boundaries (a pure state machine).
public struct ServerSentEventDecoder: Sendable {
    /// Longest line accepted; a longer one means the upstream is not speaking SSE.
    public static let maxLineBytes = 4 << 20

    /// A line longer than ``maxLineBytes``.
    public struct LineTooLong: Error, Sendable, Equatable {}

    private var partialLine: [UInt8] = []
    private var eventName: String?
    private var dataLines: [String] = []

    public init() {}

    /// Feeds bytes; returns the events they completed.
    /// - Throws: ``LineTooLong`` when a line grows past ``maxLineBytes``.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(LineTooLong) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if partialLine.last == UInt8(ascii: "\r") { partialLine.removeLast() }
                if let event = takeLine() { events.append(event) }
            } else {
                partialLine.append(byte)
                if partialLine.count > Self.maxLineBytes { throw LineTooLong() }
            }
        }
        return events
    }

    /// Ends the stream; returns the event left without its closing blank line, if any.
    public mutating func finish() -> ServerSentEvent? {
        if !partialLine.isEmpty { _ = takeLine() }
        return takeLine(forceDispatch: true)
    }

    private mutating func takeLine(forceDispatch: Bool = false) -> ServerSentEvent? {
        let line = String(decoding: partialLine, as: UTF8.self)
        partialLine.removeAll(keepingCapacity: true)
        if line.isEmpty || forceDispatch {
            defer { eventName = nil; dataLines.removeAll() }
            guard !dataLines.isEmpty else { return nil }
            return ServerSentEvent(event: eventName, data: dataLines.joined(separator: "\n"))
        }
        if line.hasPrefix(":") { return nil }
        let field: Substring
        var value: Substring
        if let colon = line.firstIndex(of: ":") {
            field = line[..<colon]
            value = line[line.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        } else {
            field = line[...]
            value = ""
        }
        switch field {
        case "data": dataLines.append(String(value))
        case "event": eventName = String(value)
        default: break
        }
        return nil
    }
}
