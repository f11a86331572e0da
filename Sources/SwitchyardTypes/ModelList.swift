/// The answer to `GET /v1/models`.
public struct ModelList: Sendable, Equatable, Codable {
    public var object: String
    public var data: [ModelInfo]
    public init(data: [ModelInfo]) { self.object = "list"; self.data = data }
}

/// One model a client may ask for.
public struct ModelInfo: Sendable, Equatable, Codable {
    public var id: String
    public var object: String
    public var created: Int
    public var ownedBy: String

    public init(id: String, created: Int, ownedBy: String) {
        self.id = id; self.object = "model"; self.created = created; self.ownedBy = ownedBy
    }

    enum CodingKeys: String, CodingKey {
        case id, object, created
        case ownedBy = "owned_by"
    }
}
