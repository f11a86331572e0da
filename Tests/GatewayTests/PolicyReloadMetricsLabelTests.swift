import Foundation
@testable import GatewayServer
import Testing

/// The `model` label of the gateway's metrics follows the policies in force: models a reload adds get
/// their own series instead of `unknown`; names nobody declared stay `unknown`.
@Suite struct PolicyReloadMetricsLabelTests {
    func exposition(_ metrics: GatewayMetrics) -> String { String(decoding: metrics.exposition(), as: UTF8.self) }

    @Test func aModelAddedByAReloadIsLabelledByItsNameOnceAllowed() {
        let metrics = GatewayMetrics(knownModels: ["mini"])
        metrics.recordRequest(model: "added-later", status: 200, latencyMS: 5, ttftMS: nil, inputTokens: 1, outputTokens: 1, costUSD: nil)
        #expect(exposition(metrics).contains(#"switchyard_requests_total{model="unknown",status="200"} 1"#))

        metrics.allowModels(["mini", "added-later"])
        metrics.recordRequest(model: "added-later", status: 200, latencyMS: 5, ttftMS: nil, inputTokens: 1, outputTokens: 1, costUSD: nil)
        let text = exposition(metrics)
        #expect(text.contains(#"switchyard_requests_total{model="added-later",status="200"} 1"#))
        #expect(text.contains(#"switchyard_requests_total{model="unknown",status="200"} 1"#))
    }

    @Test(arguments: [
        (["mini"], [String](), "mini", true),
        (["mini"], [String](), "gpt-9000", false),
        (["mini"], ["big"], "big", true),
        (["mini"], ["big"], "mini", true),       // names are only added: a model a reload dropped keeps its label
        ([String](), ["big"], "other", false),
    ])
    func labelsOnlyDeclaredModels(initial: [String], added: [String], model: String, labelled: Bool) {
        let metrics = GatewayMetrics(knownModels: initial)
        metrics.allowModels(added)
        #expect(metrics.isLabelled(model: model) == labelled)
    }

    @Test func copiesShareTheAllowedNames() {
        let metrics = GatewayMetrics(knownModels: [])
        let copy = metrics
        metrics.allowModels(["new-model"])
        #expect(copy.isLabelled(model: "new-model"))
    }
}
