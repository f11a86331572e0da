import SwitchyardTypes
import Foundation

/// What an API key may do.
public enum APIKeyRole: String, Sendable, Equatable, CaseIterable, Codable {
    /// Calls the `/v1` model endpoints.
    case client
    /// Also manages keys, policies and feedback.
    case admin

    /// Parses `client` or `admin`.
    /// - Throws: `StoreError.invalidRole`.
    public init(parsing text: String) throws {
        guard let role = APIKeyRole(rawValue: text.lowercased()) else { throw StoreError.invalidRole(text) }
        self = role
    }
}

/// A stored API key (never the key itself: only its hash lives in the database).
public struct APIKeyRecord: Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var role: APIKeyRole
    /// The first characters of the key, safe to show (`sk-sy-1a2b3c`).
    public var displayPrefix: String
    /// Spending limit in USD, nil for none.
    public var budgetUSD: Double?
    /// Requests per minute, nil for none.
    public var rateLimitPerMinute: Int?
    public var createdAt: Date
    public var revokedAt: Date?

    /// A key record from its fields.
    public init(id: UUID, name: String, role: APIKeyRole, displayPrefix: String, budgetUSD: Double?, rateLimitPerMinute: Int?, createdAt: Date, revokedAt: Date?) {
        self.id = id; self.name = name; self.role = role; self.displayPrefix = displayPrefix
        self.budgetUSD = budgetUSD; self.rateLimitPerMinute = rateLimitPerMinute
        self.createdAt = createdAt; self.revokedAt = revokedAt
    }
}

/// A newly created key: the secret is shown once and never stored.
public struct CreatedAPIKey: Sendable {
    /// The bearer token to hand to the client (`sk-sy-` + 64 hex characters).
    public var secret: String
    public var record: APIKeyRecord
}

/// Generating and hashing key secrets.
public enum APIKeySecret {
    /// Every Switchyard key starts with this.
    public static let prefix = "sk-sy-"

    /// A fresh secret: the prefix and 32 random bytes from the system CSPRNG, hex-encoded.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return prefix + hexString(bytes)
    }

    /// The SHA-256 of a secret: what the database stores and looks keys up by.
    public static func hash(_ secret: String) -> [UInt8] { SHA256.digest(Array(secret.utf8)) }

    /// The part of a secret that is safe to display.
    public static func displayPrefix(of secret: String) -> String { String(secret.prefix(prefix.count + 6)) }
}
