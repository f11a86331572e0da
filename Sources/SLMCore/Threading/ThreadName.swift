import Foundation

/// Naming the core's own threads so profiles and `top -H` tell them apart.
enum ThreadName {
    /// Names the calling thread for the system too. On Linux, a `Thread.name` set before the
    /// thread starts stays Foundation's own, and the thread shows its creator's name.
    static func setCurrent(_ name: String) {
        Thread.current.name = name
    }
}
