/// Splits a SQL script into statements at top-level semicolons.
///
/// PostgresNIO speaks only the extended protocol (one statement per query), so migration files
/// are split here. Understands `'...'` strings (with `''`), `E'...'` escapes, `"..."` identifiers,
/// `$tag$...$tag$` bodies, `--` and nested `/* */` comments. Empty statements are dropped.
public enum SQLStatementSplitter {
    /// The statements of `script`, trimmed, without their terminating semicolons.
    public static func split(_ script: String) -> [String] {
        let chars = Array(script.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var hasCode = false
        var i = 0

        func flush() {
            let text = String(current).trimmingWhitespace()
            if hasCode && !text.isEmpty { statements.append(text) }
            current = String.UnicodeScalarView()
            hasCode = false
        }

        while i < chars.count {
            let c = chars[i]
            let next: Unicode.Scalar? = i + 1 < chars.count ? chars[i + 1] : nil
            if c == "-" && next == "-" {
                while i < chars.count && chars[i] != "\n" { current.append(chars[i]); i += 1 }
                continue
            }
            if c == "/" && next == "*" {
                var depth = 0
                repeat {
                    if chars[i] == "/" && i + 1 < chars.count && chars[i + 1] == "*" {
                        depth += 1; current.append(chars[i]); current.append(chars[i + 1]); i += 2
                    } else if chars[i] == "*" && i + 1 < chars.count && chars[i + 1] == "/" {
                        depth -= 1; current.append(chars[i]); current.append(chars[i + 1]); i += 2
                    } else {
                        current.append(chars[i]); i += 1
                    }
                } while depth > 0 && i < chars.count
                continue
            }
            if c == "'" || c == "\"" {
                let backslashEscapes = c == "'" && i > 0 && (chars[i - 1] == "E" || chars[i - 1] == "e")
                hasCode = true
                current.append(c); i += 1
                while i < chars.count {
                    let d = chars[i]
                    current.append(d); i += 1
                    if backslashEscapes && d == "\\" && i < chars.count { current.append(chars[i]); i += 1; continue }
                    if d == c {
                        if i < chars.count && chars[i] == c { current.append(chars[i]); i += 1; continue }
                        break
                    }
                }
                continue
            }
            if c == "$", let tagEnd = dollarTagEnd(chars, from: i) {
                let tag = Array(chars[i...tagEnd])
                hasCode = true
                for s in tag { current.append(s) }
                i = tagEnd + 1
                while i < chars.count {
                    if chars[i] == "$" && i + tag.count <= chars.count && Array(chars[i..<(i + tag.count)]) == tag {
                        for s in tag { current.append(s) }
                        i += tag.count
                        break
                    }
                    current.append(chars[i]); i += 1
                }
                continue
            }
            if c == ";" { flush(); i += 1; continue }
            if !c.properties.isWhitespace { hasCode = true }
            current.append(c); i += 1
        }
        flush()
        return statements
    }

    /// If a dollar-quote tag (`$$` or `$name$`) starts at `start`, the index of its closing `$`.
    private static func dollarTagEnd(_ chars: [Unicode.Scalar], from start: Int) -> Int? {
        if start > 0 {
            let before = chars[start - 1]
            if before.properties.isAlphabetic || ("0"..."9").contains(before) || before == "_" { return nil }
        }
        var j = start + 1
        while j < chars.count {
            let c = chars[j]
            if c == "$" { return j }
            let isTagChar = c.properties.isAlphabetic || c == "_" || (j > start + 1 && ("0"..."9").contains(c))
            if !isTagChar { return nil }
            j += 1
        }
        return nil
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
