import Foundation

/// The header block of a raw message, found without parsing it: what is kept of mail too large
/// to load or store whole.
public enum MessageHeaders {
    /// Headers longer than this are cut: a header block is a few kilobytes in real mail.
    public static let limit = 256 << 10

    /// The bytes up to and including the blank line that ends the headers (or the first
    /// `limit` bytes when there is none that early).
    public static func block(of raw: some Collection<UInt8>) -> [UInt8] {
        var previous: [UInt8] = []
        var output: [UInt8] = []
        output.reserveCapacity(min(raw.count, 16 << 10))
        for byte in raw.prefix(limit) {
            output.append(byte)
            if byte == UInt8(ascii: "\n") {
                // "\n\n" or "\r\n\r\n": the line just ended was empty.
                if previous == [UInt8(ascii: "\n")] || previous == [UInt8(ascii: "\n"), UInt8(ascii: "\r")] { return output }
                previous = [UInt8(ascii: "\n")]
            } else if byte == UInt8(ascii: "\r"), previous == [UInt8(ascii: "\n")] {
                previous.append(byte)
            } else {
                previous = []
            }
        }
        return output
    }

    /// The header block of a file, reading no more of it than needed.
    public static func block(ofFile url: URL) throws -> [UInt8] {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        return block(of: [UInt8](try handle.read(upToCount: limit) ?? Data()))
    }
}
