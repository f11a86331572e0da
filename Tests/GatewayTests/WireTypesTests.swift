import Foundation
import Testing
@testable import GatewayServer
import SwitchyardTypes

/// Decoding and validation of chat requests: which field each bad body is blamed on.
struct WireTypesTests {
    struct BadBody: Sendable, CustomStringConvertible {
        let json: String
        let param: String?
        var description: String { json }
    }

    static let badBodies: [BadBody] = [
        BadBody(json: #"{"messages":[{"role":"user","content":"hi"}]}"#, param: "model"),
        BadBody(json: #"{"model":"m"}"#, param: "messages"),
        BadBody(json: #"{"model":"m","messages":[]}"#, param: "messages"),
        BadBody(json: #"{"model":7,"messages":[{"role":"user","content":"hi"}]}"#, param: "model"),
        BadBody(json: #"{"model":"m","messages":[{"role":"robot","content":"hi"}]}"#, param: "messages[0].role"),
        BadBody(json: #"{"model":"m","messages":[{"role":"user","content":"a"},{"content":"hi"}]}"#, param: "messages[1].role"),
        BadBody(json: #"{"model":"m","messages":[{"role":"user"}]}"#, param: "messages[0].content"),
        BadBody(json: #"{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":3}"#, param: "temperature"),
        BadBody(json: #"{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":"hot"}"#, param: "temperature"),
        BadBody(json: #"{"model":"m","messages":[{"role":"user","content":"hi"}],"top_p":-0.1}"#, param: "top_p"),
        BadBody(json: #"{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":0}"#, param: "max_tokens"),
        BadBody(json: #"{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":1e30}"#, param: "max_tokens"),
        BadBody(json: #"{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":2.5}"#, param: "max_tokens"),
        BadBody(json: #"{"model":"m","messages":[{"role":"user","content":"hi"}],"n":1000}"#, param: "n"),
        BadBody(json: #"{"model":"m","messages":[{"role":"user","content":"hi"}],"stop":["a","b","c","d","e"]}"#, param: "stop"),
        BadBody(json: #"{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":"yes"}"#, param: "stream"),
        BadBody(json: #"{"model":"m","messages":[{"role":"user","content":"hi"}],"stream_options":{"include_usage":true}}"#, param: "stream_options"),
        BadBody(json: #"{"model":"m","messages":{"role":"user"}}"#, param: "messages"),
        BadBody(json: #"{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":1e400}"#, param: nil),
        BadBody(json: #"[1,2,3]"#, param: nil),
        BadBody(json: #"{"model":"m","#, param: nil),
        BadBody(json: #"null"#, param: nil),
        BadBody(json: "", param: nil),
    ]

    @Test(arguments: badBodies)
    func rejectsBadBodyNamingTheField(_ body: BadBody) throws {
        let error = #expect(throws: GatewayError.self) {
            let chat = try ChatRequestDecoding.decode(Data(body.json.utf8))
            do throws(InvalidFieldError) { try chat.validate() } catch { throw GatewayError.invalidField(param: error.param, reason: error.reason) }
        }
        let gatewayError = try #require(error)
        #expect(gatewayError.status.code == 400)
        #expect(gatewayError.body.param == body.param)
    }

    @Test func keepsUnknownFieldsAndEncodesThemBack() throws {
        let json = #"{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}],"tools":[{"type":"function"}],"response_format":{"type":"json_object"},"stream":true,"stream_options":{"include_usage":true}}"#
        let chat = try ChatRequestDecoding.decode(Data(json.utf8))
        try chat.validate()
        #expect(chat.extra["tools"] == .array([.object(["type": .string("function")])]))
        #expect(chat.messages[0].content?.text == "a\nb")
        #expect(chat.streamOptions?.includeUsage == true)
        let again = try JSONDecoder().decode(ChatCompletionRequest.self, from: JSONEncoder().encode(chat))
        #expect(again == chat)
    }

    @Test func errorBodyWritesNullParamAndCode() throws {
        let data = try JSONEncoder().encode(OpenAIErrorBody(error: OpenAIError(message: "m", type: "t")))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let error = try #require(object["error"] as? [String: Any])
        #expect(error["param"] is NSNull)
        #expect(error["code"] is NSNull)
        #expect(error["message"] as? String == "m")
    }

    @Test func paramNotationMatchesOpenAI() {
        let path: [any CodingKey] = [AnyCodingKey("messages"), AnyCodingKey(intValue: 2)!, AnyCodingKey("content")]
        #expect(ChatRequestDecoding.param(path) == "messages[2].content")
    }
}
