import Foundation
import PostgresNIO
import SwitchyardTypes
import Testing
@testable import Store

@Suite struct SpillLogTests {
    @Test func recordsRoundTripThroughSegmentsInOrder() throws {
        let log = try SpillLog(folder: try temporaryFolder())
        let first = (0..<10).map { sampleRecord(index: $0) }
        let second = (10..<15).map { sampleRecord(index: $0) }
        try log.append(first, sync: true)
        log.seal()
        try log.append(second, sync: false)
        #expect(try log.sealedSegments().count == 1)  // the open segment is not listed
        #expect(log.hasBacklog)
        log.seal()
        let segments = try log.sealedSegments()
        #expect(segments.count == 2)
        let read = try segments.flatMap { try log.read($0).records }
        #expect(read == first + second)
    }

    @Test func aTornOrCorruptedLineIsSkippedAndCountedNotFatal() throws {
        let folder = try temporaryFolder()
        let log = try SpillLog(folder: folder)
        let records = (0..<3).map { sampleRecord(index: $0) }
        try log.append(records, sync: true)
        log.seal()
        let segment = try #require(try log.sealedSegments().first)
        var bytes = try Data(contentsOf: segment)
        // Flip one byte inside the second line's JSON, then add a torn half line at the end (a crash mid-write).
        let secondLineStart = try #require(bytes.firstIndex(of: UInt8(ascii: "\n"))) + 1
        bytes[secondLineStart + 20] ^= 0x01
        bytes.append(contentsOf: Array("0badc0de {\"id\":".utf8))
        try bytes.write(to: segment)
        let contents = try log.read(segment)
        #expect(contents.records == [records[0], records[2]])
        #expect(contents.corruptLines == 2)
    }

    @Test func aReopenedLogContinuesAfterExistingSegments() throws {
        let folder = try temporaryFolder()
        let before = try SpillLog(folder: folder)
        try before.append([sampleRecord(index: 1)], sync: true)
        let after = try SpillLog(folder: folder)
        // Segments left by a previous process are sealed for the new one.
        #expect(try after.sealedSegments().count == 1)
        try after.append([sampleRecord(index: 2)], sync: true)
        after.seal()
        let names = try after.sealedSegments().map(\.lastPathComponent)
        #expect(names == names.sorted())
        #expect(names.count == 2)
    }

    @Test func aWriteFailureLeavesNoTornLineBehind() throws {
        let log = try SpillLog(folder: try temporaryFolder(), openFile: { _ in open("/dev/full", O_WRONLY | O_CLOEXEC) })
        #expect(throws: StoreError.self) { try log.append([sampleRecord()], sync: true) }
        #expect(log.hasBacklog == false)
    }
}

@Suite struct RowEncodingTests {
    @Test(arguments: [
        (0.0, "1970-01-01 00:00:00.000000+00"),
        (1_795_786_496.123456, "2026-11-27 13:34:56.123456+00"),
        (951_782_400.5, "2000-02-29 00:00:00.500000+00"),
        (-1.25, "1969-12-31 23:59:58.750000+00"),
    ])
    func formatsTimestampsInUTCAtMicroseconds(seconds: Double, expected: String) {
        #expect(PostgresTimestamp.text(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test func dayNumbersMatchTheFormattedDate() {
        for seconds in stride(from: -200_000.0, to: 2_000_000_000, by: 86_399.7 * 97) {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(PostgresTimestamp.text(date).hasPrefix(PostgresTimestamp.dateText(day: PostgresTimestamp.day(date))))
        }
    }
}
