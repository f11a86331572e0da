import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardTypes

/// `/healthz`, `/readyz` and `/metrics`: for load balancers and Prometheus, no API key.
struct OperationalRoutes: Sendable {
    let readiness: any ReadinessCheck
    let metrics: GatewayMetrics
    let policyLoaded: Bool

    func register(on router: Router<GatewayRequestContext>) {
        router.get("/healthz") { _, _ in
            JSONBody.response(["status": "ok"])
        }
        router.get("/readyz") { _, _ in
            var problems: [String] = []
            if !policyLoaded { problems.append("no policy is loaded") }
            if let reason = await readiness.unreadyReason() { problems.append(reason) }
            if problems.isEmpty { return JSONBody.response(["status": "ready"]) }
            var response = JSONBody.response(["status": "not_ready", "reason": problems.joined(separator: "; ")])
            response.status = .serviceUnavailable
            return response
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
    }
}

/// `GET /v1/models`: the models that can answer now (under the policy in force), plus `auto`.
struct ModelsHandler: Sendable {
    let snapshots: GatewaySnapshotHolder
    let created: Int

    func handle(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        var data = snapshots.current.catalog.availableModels.map { ModelInfo(id: $0.model.name, created: created, ownedBy: $0.provider.kind) }
        if !data.isEmpty { data.insert(ModelInfo(id: GatewayConfiguration.automaticModelName, created: created, ownedBy: "switchyard"), at: 0) }
        return JSONBody.response(ModelList(data: data))
    }
}
