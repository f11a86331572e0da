#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The peak resident memory of this process, for checking a model's memory budget.
public enum PeakMemory {
    /// The high-water mark of this process's resident memory, in bytes.
    ///
    /// On Linux this is `VmHWM` from `/proc/self/status`: `getrusage`'s `ru_maxrss` carries over
    /// the high-water mark of the process that spawned this one (it survives `execve`), so a small
    /// process started by a large one would report the parent's peak.
    public static func residentBytes() -> Int {
        #if os(Linux)
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let bytes = highWaterMark(procStatus: status) {
            return bytes
        }
        #endif
        var usage = rusage()
        #if canImport(Darwin)
        getrusage(RUSAGE_SELF, &usage)
        return Int(usage.ru_maxrss)
        #else
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) * 1024
        #endif
    }

    /// The `VmHWM` line of a Linux `/proc/PID/status` text (`VmHWM:\t  161264 kB`), in bytes.
    public static func highWaterMark(procStatus status: String) -> Int? {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        let fields = line.dropFirst("VmHWM:".count).split(whereSeparator: \.isWhitespace)
        guard fields.count == 2, fields[1] == "kB", let kib = Int(fields[0]) else { return nil }
        return kib * 1024
    }
}
