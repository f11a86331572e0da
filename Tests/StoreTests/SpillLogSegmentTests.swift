import Foundation
import SwitchyardTypes
import Testing
@testable import Store

/// The metrics writer's insurance copy lives in a segment of its own and is removed once written;
/// records other appends put in the log meanwhile must survive that removal.
@Suite struct SpillLogSegmentTests {
    @Test func removingASegmentOfItsOwnKeepsEveryOtherAppend() throws {
        let log = try SpillLog(folder: try temporaryFolder())
        let before = (0..<4).map { sampleRecord(index: $0) }
        let insured = (4..<9).map { sampleRecord(index: $0) }
        let after = (9..<12).map { sampleRecord(index: $0) }
        try log.append(before, sync: false)
        let insurance = try log.appendSegment(insured)
        try log.append(after, sync: false)
        #expect(try log.read(insurance).records == insured)

        try log.remove(insurance)
        log.seal()
        let left = try log.sealedSegments().flatMap { try log.read($0).records }
        #expect(left == before + after)
        #expect(log.hasBacklog)
    }

    @Test func theBacklogIsReportedFromAppendToRemoval() throws {
        let log = try SpillLog(folder: try temporaryFolder())
        #expect(!log.hasBacklog)
        let segment = try log.appendSegment([sampleRecord(index: 1)])
        #expect(log.hasBacklog)
        try log.remove(segment)
        #expect(!log.hasBacklog)
        try log.append([sampleRecord(index: 2)], sync: false)
        #expect(log.hasBacklog, "data in the open segment counts")
    }
}
