/// A bounds-checked little-endian reader over the mapped bytes of a GGUF file.
struct GGUFByteCursor {
    let base: UnsafeRawPointer
    let count: Int
    private(set) var offset: Int

    init(base: UnsafeRawPointer, count: Int, offset: Int = 0) {
        self.base = base
        self.count = count
        self.offset = offset
    }

    /// Bytes not yet read.
    var remaining: Int { count - offset }

    /// Reads one little-endian integer, or throws naming `context` when the file ends first.
    mutating func read<T: FixedWidthInteger>(_: T.Type, _ context: @autoclosure () -> String) throws(GGUFError) -> T {
        let size = MemoryLayout<T>.size
        guard size <= remaining else { throw .truncated(context: context(), offset: offset) }
        let value = base.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(littleEndian: value)
    }

    /// Reads a `Float` stored as little-endian IEEE binary32.
    mutating func readFloat(_ context: @autoclosure () -> String) throws(GGUFError) -> Float {
        Float(bitPattern: try read(UInt32.self, context()))
    }

    /// Reads a `Double` stored as little-endian IEEE binary64.
    mutating func readDouble(_ context: @autoclosure () -> String) throws(GGUFError) -> Double {
        Double(bitPattern: try read(UInt64.self, context()))
    }

    /// Reads a GGUF string: a `UInt64` byte length, then that many UTF-8 bytes.
    mutating func readString(_ context: @autoclosure () -> String) throws(GGUFError) -> String {
        let length = try read(UInt64.self, context())
        guard length <= UInt64(remaining) else { throw .absurdStringLength(context: context(), length: length) }
        let bytes = UnsafeRawBufferPointer(start: base + offset, count: Int(length))
        guard let string = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8(context: context()) }
        offset += Int(length)
        return string
    }

    /// Checks that `count` items of at least `minimumSize` bytes each can fit in what is left.
    func checkCount(_ count: UInt64, minimumSize: Int, _ context: @autoclosure () -> String) throws(GGUFError) {
        let (needed, overflow) = count.multipliedReportingOverflow(by: UInt64(minimumSize))
        guard !overflow, needed <= UInt64(remaining) else { throw .absurdCount(context: context(), count: count) }
    }
}
