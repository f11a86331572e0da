import Routing
import Testing

@Suite struct TradeoffMetricsTests {
    /// Points at shares 0, 1/4, ..., 1 for weak quality 0.5 and strong 1 (exact in binary floating point).
    static func curve(_ qualities: [Double]) -> [CurvePoint] {
        qualities.enumerated().map { index, quality in
            let share = Double(index) / Double(qualities.count - 1)
            return CurvePoint(strongShare: share, meanQuality: quality, meanCostUSD: 0.001 + share * 0.009, pgr: (quality - 0.5) / 0.5)
        }
    }

    struct APGRCase: Sendable, CustomStringConvertible {
        var description: String
        var qualities: [Double]
        var apgr: Double
        var cpt50: Double?
        var cpt80: Double?
    }

    static let apgrCases: [APGRCase] = [
        APGRCase(description: "random line recovers half the gap", qualities: [0.5, 0.625, 0.75, 0.875, 1], apgr: 0.5, cpt50: 0.5, cpt80: 0.8),
        APGRCase(description: "a step at the first point recovers almost all", qualities: [0.5, 1, 1, 1, 1], apgr: 0.875, cpt50: 0.125, cpt80: 0.2),
        APGRCase(description: "a router worse than random", qualities: [0.5, 0.5, 0.5, 0.5, 1], apgr: 0.125, cpt50: 0.875, cpt80: 0.95),
        APGRCase(description: "a curve that never reaches 80% of the gap", qualities: [0.5, 0.75, 0.75, 0.75, 0.875], apgr: 0.46875, cpt50: 0.25, cpt80: nil),
    ]

    @Test(arguments: apgrCases)
    func apgrAndCptFollowRouteLLM(_ testCase: APGRCase) throws {
        let points = Self.curve(testCase.qualities)
        let apgr = try #require(TradeoffMetrics.apgr(points, weakQuality: 0.5, strongQuality: 1))
        #expect(abs(apgr - testCase.apgr) < 1e-9)
        let cpt50 = TradeoffMetrics.cpt(points, pgr: 0.5)
        let cpt80 = TradeoffMetrics.cpt(points, pgr: 0.8)
        #expect((cpt50 == nil) == (testCase.cpt50 == nil))
        #expect((cpt80 == nil) == (testCase.cpt80 == nil))
        if let cpt50, let expected = testCase.cpt50 { #expect(abs(cpt50 - expected) < 1e-9) }
        if let cpt80, let expected = testCase.cpt80 { #expect(abs(cpt80 - expected) < 1e-9) }
    }

    @Test func apgrIsUndefinedWithoutAGapOrARange() {
        #expect(TradeoffMetrics.apgr(Self.curve([0.7, 0.7]), weakQuality: 0.7, strongQuality: 0.7) == nil)
        #expect(TradeoffMetrics.apgr([CurvePoint(strongShare: 0.5, meanQuality: 0.7, meanCostUSD: 1, pgr: 0.5)], weakQuality: 0.6, strongQuality: 0.8) == nil)
    }

    struct AIQCase: Sendable, CustomStringConvertible {
        var description: String
        var points: [Double]  // cost, quality pairs flattened
        var aiq: Double
    }

    static let aiqCases: [AIQCase] = [
        AIQCase(description: "a straight line averages its ends", points: [0, 0.6, 1, 0.8], aiq: 0.7),
        AIQCase(description: "a dip below the hull is bridged", points: [0, 0.6, 0.5, 0.5, 1, 0.8], aiq: 0.7),
        AIQCase(description: "a concave bump raises the hull", points: [0, 0.6, 0.5, 0.8, 1, 0.8], aiq: 0.75),
        AIQCase(description: "quality falling at higher cost is held flat", points: [0, 0.6, 0.5, 0.9, 1, 0.7], aiq: 0.825),
        AIQCase(description: "a single point is its quality", points: [0.3, 0.65], aiq: 0.65),
    ]

    @Test(arguments: aiqCases)
    func aiqIsTheAreaUnderTheNonDecreasingConvexHull(_ testCase: AIQCase) throws {
        let points = stride(from: 0, to: testCase.points.count, by: 2).map { (cost: testCase.points[$0], quality: testCase.points[$0 + 1]) }
        let aiq = try #require(TradeoffMetrics.aiq(points))
        #expect(abs(aiq - testCase.aiq) < 1e-9)
    }
}
