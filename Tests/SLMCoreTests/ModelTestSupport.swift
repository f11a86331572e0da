import Foundation
@testable import SLMCore

/// Statistics for comparing logits with the reference files.
enum LogitStats {
    static func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    static func pearson(_ a: [Float], _ b: [Float]) -> Double {
        let n = Double(a.count)
        let ma = a.reduce(0.0) { $0 + Double($1) } / n, mb = b.reduce(0.0) { $0 + Double($1) } / n
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for (x, y) in zip(a, b) {
            let dx = Double(x) - ma, dy = Double(y) - mb
            sab += dx * dy; saa += dx * dx; sbb += dy * dy
        }
        return sab / (saa * sbb).squareRoot()
    }

    static func argmax(_ a: some Collection<Float>) -> Int {
        var best = 0, bestValue = -Float.infinity
        for (i, v) in a.enumerated() where v > bestValue { best = i; bestValue = v }
        return best
    }

    static func logSumExp(_ a: some Collection<Float>) -> Double {
        let m = Double(a.max()!)
        return m + log(a.reduce(0.0) { $0 + exp(Double($1) - m) })
    }
}

/// The test model, loaded once per test process.
enum TestModel {
    private static let loaded: Result<LlamaModel, any Error> = Result { try LlamaModel(path: TestSupport.modelPath()) }

    /// The SmolLM2 test model, or the error that kept it from loading.
    static func shared() throws -> LlamaModel { try loaded.get() }
}
