import Foundation
import Hummingbird
import Policy

/// `GET /admin/policy` (admin keys only): the policy in force and why the latest reload was refused, if it was.
struct AdminPolicyHandler: Sendable {
    let reload: PolicyReloadService

    func handle(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let role = context.apiKey?.role ?? ""
        guard role == "admin" else { return AdminError.forbidden(role: role, required: "admin").response }
        return JSONBody.response(AdminPolicyReport(snapshot: reload.store.snapshot, loadedAt: reload.policyLoadedAt))
    }
}

/// The body of `GET /admin/policy`.
struct AdminPolicyReport: Codable, Sendable, Equatable {
    /// One validation problem, located.
    struct Problem: Codable, Sendable, Equatable {
        var file: String
        var line: Int
        var field: String
        var message: String
        /// `FILE:LINE: FIELD: message`, as `switchyard policy check` prints it.
        var text: String
    }

    /// The refused reload.
    struct ReloadError: Codable, Sendable, Equatable {
        var at: String?
        var problems: [Problem]
    }

    var policyHash: String
    var sourceFiles: [String]
    var loadedAt: String
    /// Successful reloads since start.
    var generation: Int
    var lastError: ReloadError?

    enum CodingKeys: String, CodingKey {
        case policyHash = "policy_hash", sourceFiles = "source_files", loadedAt = "loaded_at", generation
        case lastError = "last_error"
    }

    init(snapshot: PolicyStore.Snapshot, loadedAt: Date) {
        let format = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        policyHash = snapshot.policy.hash
        sourceFiles = snapshot.policy.sourceFiles
        self.loadedAt = loadedAt.formatted(format)
        generation = snapshot.generation
        lastError = snapshot.lastError.map { failure in
            ReloadError(at: snapshot.lastErrorAt?.formatted(format), problems: failure.errors.map {
                Problem(file: $0.file, line: $0.line, field: $0.path, message: $0.message, text: $0.description)
            })
        }
    }

    /// Encodes `last_error` as `null` when there is none, so clients can rely on the key.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(policyHash, forKey: .policyHash)
        try container.encode(sourceFiles, forKey: .sourceFiles)
        try container.encode(loadedAt, forKey: .loadedAt)
        try container.encode(generation, forKey: .generation)
        try container.encode(lastError, forKey: .lastError)
    }
}
