import ArgumentParser
import SLMCore

/// `switchyard gguf`: tools for GGUF model files.
struct GGUFCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gguf", abstract: "Inspect GGUF model files.", subcommands: [GGUFInspectCommand.self])
}

/// `switchyard gguf inspect PATH`: the header, metadata and tensor table of a GGUF file.
struct GGUFInspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Print a GGUF file's metadata and tensor table.")

    @Argument(help: "Path of the GGUF file.")
    var path: String

    @Option(help: "Array elements shown before the rest is abbreviated.")
    var arrayElements = 8

    func run() async throws {
        let file = try GGUFFile(path: path)
        print("GGUF v\(file.version): \(file.metadataKeys.count) metadata keys, \(file.tensors.count) tensors, " +
              "alignment \(file.alignment), data at byte \(file.dataOffset) of \(file.mapping.count)")
        print("\nMetadata:")
        let keyWidth = file.metadataKeys.map(\.count).max() ?? 0
        for key in file.metadataKeys {
            let value = file.metadata[key]!
            print("  \(key.padding(toLength: keyWidth))  \(describe(value))")
        }
        print("\nTensors:")
        let nameWidth = file.tensors.map(\.name.count).max() ?? 0
        print("  \("name".padding(toLength: nameWidth))  type  \("shape".padding(toLength: 14))  \("offset".padding(toLength: 10))  bytes")
        for tensor in file.tensors {
            let shape = tensor.dimensions.map(String.init).joined(separator: " x ")
            print("  \(tensor.name.padding(toLength: nameWidth))  \(tensor.type.description.padding(toLength: 4))  " +
                  "\(shape.padding(toLength: 14))  \(String(tensor.offset).padding(toLength: 10))  \(tensor.byteCount)")
        }
        let total = file.tensors.reduce(0) { $0 + $1.elementCount }
        print("\n\(total) parameters in \(file.tensors.count) tensors")
    }

    /// A value as one line: strings quoted and cut, arrays abbreviated after `arrayElements`.
    private func describe(_ value: GGUFValue) -> String {
        switch value {
        case let .string(s):
            let line = s.replacingNewlines()
            return line.count > 120 ? "\"\(line.prefix(117))...\" (\(s.utf8.count) bytes)" : "\"\(line)\""
        case let .array(elements):
            let shown = elements.prefix(arrayElements).map(describe).joined(separator: ", ")
            let type = elements.first?.typeName ?? "empty"
            let rest = elements.count > arrayElements ? ", ... (\(elements.count - arrayElements) more)" : ""
            return "[\(type) x \(elements.count)] [\(shown)\(rest)]"
        case let .uint8(v): return "\(v)"
        case let .int8(v): return "\(v)"
        case let .uint16(v): return "\(v)"
        case let .int16(v): return "\(v)"
        case let .uint32(v): return "\(v)"
        case let .int32(v): return "\(v)"
        case let .uint64(v): return "\(v)"
        case let .int64(v): return "\(v)"
        case let .float32(v): return "\(v)"
        case let .float64(v): return "\(v)"
        case let .bool(v): return "\(v)"
        }
    }
}

extension String {
    /// Padded with spaces to at least `length` characters.
    func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }

    /// Newlines shown as `\n`, so a value stays on one line.
    func replacingNewlines() -> String {
        var out = ""
        for c in self { out += c == "\n" ? "\\n" : String(c) }
        return out
    }
}
