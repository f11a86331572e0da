import Foundation
import NIOCore
import SwitchyardTypes

/// One chunk as a server-sent event, `data: <the chunk as JSON>\n\n`: the JSON `JSONEncoder` (without
/// escaping slashes) would give, keys in the order the types declare them.
///
/// A stream sends one such event per token, so the common chunk (one choice whose delta is text, nothing
/// else) is written straight into the buffer; any other chunk goes through `JSONEncoder`.
enum ChunkEvents {
    /// The event for `chunk`.
    static func event(_ chunk: ChatCompletionChunk) -> ByteBuffer {
        guard chunk.usage == nil, chunk.systemFingerprint == nil, chunk.switchyard == nil, chunk.choices.count == 1,
              let choice = chunk.choices.first, choice.finishReason == nil, choice.logprobs == nil,
              choice.delta.role == nil, choice.delta.toolCalls == nil, let content = choice.delta.content else {
            return encoded(chunk)
        }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(128 + chunk.id.utf8.count + chunk.model.utf8.count + content.utf8.count)
        buffer.writeStaticString("data: {\"id\":")
        writeJSONString(chunk.id, to: &buffer)
        buffer.writeStaticString(",\"object\":")
        writeJSONString(chunk.object, to: &buffer)
        buffer.writeStaticString(",\"created\":")
        buffer.writeString(String(chunk.created))
        buffer.writeStaticString(",\"model\":")
        writeJSONString(chunk.model, to: &buffer)
        buffer.writeStaticString(",\"choices\":[{\"index\":")
        buffer.writeString(String(choice.index))
        buffer.writeStaticString(",\"delta\":{\"content\":")
        writeJSONString(content, to: &buffer)
        buffer.writeStaticString("},\"finish_reason\":null}]}\n\n")
        return buffer
    }

    /// The event for any value, through `JSONEncoder`.
    static func encoded(_ value: some Encodable) -> ByteBuffer {
        var buffer = ByteBuffer(staticString: "data: ")
        var json = JSONBody.encode(value)
        buffer.writeBuffer(&json)
        buffer.writeStaticString("\n\n")
        return buffer
    }

    /// `text` as a JSON string literal, escaped as `JSONEncoder` escapes it: `"` and `\`, the control
    /// characters (`\b \t \n \f \r`, the rest as `\u00xx`); everything else, slashes and non-ASCII
    /// included, as its UTF-8 bytes.
    static func writeJSONString(_ text: String, to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start..<index])))
                start = index + 1
                switch byte {
                case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case 0x08: buffer.writeStaticString("\\b")
                case 0x09: buffer.writeStaticString("\\t")
                case 0x0A: buffer.writeStaticString("\\n")
                case 0x0C: buffer.writeStaticString("\\f")
                case 0x0D: buffer.writeStaticString("\\r")
                default:
                    let hex: StaticString = "0123456789abcdef"
                    buffer.writeStaticString("\\u00")
                    buffer.writeInteger(hex.utf8Start[Int(byte >> 4)])
                    buffer.writeInteger(hex.utf8Start[Int(byte & 0xF)])
                }
            }
            buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start...])))
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }
}
