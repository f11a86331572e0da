import Foundation
import SwitchyardTypes
import Testing
@testable import Store

@Suite struct SpillRecordJSONTests {
    /// Records that exercise every field: nils, text needing escapes, extreme numbers, dates before 2001.
    static let records: [RequestRecord] = {
        var bare = RequestRecord(startedAt: Date(timeIntervalSinceReferenceDate: -1_234.567_891), endpoint: "", requestedModel: "",
                                 status: 0, latencyMS: 0)
        bare.modelCalls = []
        var full = sampleRecord(index: 7, calls: 3, prompt: "quote \" back\\slash\ttab\nline \u{1}\u{1F} ünïcødé ✓ / slash")
        full.apiKeyID = UUID()
        full.costUSD = 5e-324
        full.latencyMS = 1e300
        full.ttftMS = -0.0
        full.decision?.stateVersion = Int64.max
        full.errorCode = "upstream_error"
        var noCalls = sampleRecord(index: 2, calls: 0)
        noCalls.requestClass = nil
        noCalls.decision?.rule = nil
        noCalls.decision?.stateVersion = nil
        noCalls.confidence = nil
        return [bare, full, noCalls, sampleRecord(index: 1, daysAgo: 3.3, calls: 1)]
    }()

    @Test(arguments: 0..<SpillRecordJSONTests.records.count)
    func readsBackAsTheSameRecordAsJSONEncoderOutputDoes(position: Int) throws {
        let record = Self.records[position]
        let fast = try SpillRecordJSON.encode(record)
        let decoded = try JSONDecoder().decode(RequestRecord.self, from: Data(fast))
        #expect(decoded == record)
        let reference = try JSONDecoder().decode(RequestRecord.self, from: JSONEncoder().encode(record))
        #expect(decoded == reference)
        #expect(try JSONSerialization.jsonObject(with: Data(fast)) is [String: Any])
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func refusesNumbersJSONCannotCarry(value: Double) {
        var record = sampleRecord(index: 0)
        record.costUSD = value
        #expect(throws: SpillRecordJSON.NonConformingNumber.self) { try SpillRecordJSON.encode(record) }
    }
}
