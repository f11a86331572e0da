import Foundation

/// Reads the judge model's verdict: the first number in its reply, as a score in 0...1.
///
/// `0.8`, `Score: 0.8`, `.8` and `1` are read as they are; `8/10` and `80%` are scaled. Anything
/// else (no number, or a number outside the scale) is no verdict.
enum JudgeScoreParser {
    /// The score in the reply, or nil.
    static func score(in reply: String) -> Double? {
        let scalars = Array(reply.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            let startsNumber = CharacterSet.decimalDigits.contains(scalar)
                || (scalar == "." && index + 1 < scalars.count && CharacterSet.decimalDigits.contains(scalars[index + 1]))
            guard startsNumber else { index += 1; continue }
            var end = index
            while end < scalars.count, CharacterSet.decimalDigits.contains(scalars[end]) || scalars[end] == "." { end += 1 }
            guard let value = Double(String(String.UnicodeScalarView(scalars[index..<end]))) else { return nil }
            let rest = String(String.UnicodeScalarView(scalars[end...])).trimmingCharacters(in: .whitespaces)
            if rest.hasPrefix("%") { return valid(value / 100) }
            if rest.hasPrefix("/") {
                let denominator = rest.dropFirst().trimmingCharacters(in: .whitespaces).prefix { $0.isNumber || $0 == "." }
                guard let scale = Double(denominator), scale > 0 else { return nil }
                return valid(value / scale)
            }
            return valid(value)
        }
        return nil
    }

    private static func valid(_ value: Double) -> Double? {
        value.isFinite && (0...1).contains(value) ? value : nil
    }
}
