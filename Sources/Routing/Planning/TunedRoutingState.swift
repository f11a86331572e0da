import Foundation

/// The tuner's output the planner reads: per class, a probability for each route (a `routing_state` version).
///
/// Stored as JSON in `routing_state.weights`: `{"classes": {"domain/task/difficulty": {"route": weight}}}`.
public struct TunedRoutingState: Sendable, Equatable, Codable {
    /// The `routing_state` version these weights came from (0 for a state not yet written).
    public var version: Int64
    /// Per class key (``ClassKey``), the weight of each route; weights of a class sum to 1.
    public var classes: [String: [String: Double]]

    /// Creates a state.
    public init(version: Int64 = 0, classes: [String: [String: Double]]) {
        self.version = version; self.classes = classes
    }

    /// The tuned weights of a class, or nil when the tuner has not seen the class.
    public func weights(forClass classKey: String) -> [String: Double]? { classes[classKey] }

    /// The JSON stored in `routing_state.weights` (keys sorted, so equal states give equal text).
    public func weightsJSON() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(WeightsDocument(classes: classes)), as: UTF8.self)
    }

    /// Reads a state from the `routing_state` row's version and `weights` JSON.
    /// - Throws: ``RoutingError/invalidInput(field:reason:)`` when the JSON does not have the expected shape.
    public init(version: Int64, weightsJSON: String) throws(RoutingError) {
        do {
            let document = try JSONDecoder().decode(WeightsDocument.self, from: Data(weightsJSON.utf8))
            self.init(version: version, classes: document.classes)
        } catch {
            throw .invalidInput(field: "routing_state.weights", reason: "not a weights document: \(error)")
        }
    }

    private struct WeightsDocument: Codable { var classes: [String: [String: Double]] }
}
