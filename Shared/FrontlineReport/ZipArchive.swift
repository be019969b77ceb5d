import Foundation

/// A zip archive written in memory, its files stored as they are (no compression): downloads
/// such as a requester's data export, readable by every unzip tool. Without zip64, so at most
/// 65,535 files and 4 GiB in all; `add` refuses more.
public struct ZipArchive: Sendable {
    public struct TooLarge: Error, CustomStringConvertible {
        public var description: String { "the archive would pass the zip format's limits (65,535 files, 4 GiB)" }
    }

    private var body: [UInt8] = []
    private var directory: [UInt8] = []
    private var count = 0
    private let dosTime: UInt16
    private let dosDate: UInt16

    /// `modified`: the time every file carries (zip stores local time without a zone; UTC here).
    public init(modified: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: modified)
        // DOS dates start in 1980.
        let year = max(0, (parts.year ?? 1980) - 1980)
        dosDate = UInt16(truncatingIfNeeded: year << 9 | (parts.month ?? 1) << 5 | (parts.day ?? 1))
        dosTime = UInt16(truncatingIfNeeded: (parts.hour ?? 0) << 11 | (parts.minute ?? 0) << 5 | (parts.second ?? 0) / 2)
    }

    /// Adds a file at `path` (forward slashes, UTF-8).
    public mutating func add(_ path: String, _ contents: [UInt8]) throws {
        let name = Array(path.utf8)
        let offset = body.count
        guard count < 0xFFFF, name.count <= 0xFFFF, contents.count < 0xFFFF_FFFF,
            offset + 30 + name.count + contents.count < 0xFFFF_FFFF
        else { throw TooLarge() }
        let checksum = CRC32.checksum(contents)
        // Flag bit 11: the name is UTF-8.
        let common: [UInt8] =
            Self.le16(20) + Self.le16(0x0800) + Self.le16(0) + Self.le16(dosTime) + Self.le16(dosDate) + Self.le32(checksum)
            + Self.le32(UInt32(contents.count)) + Self.le32(UInt32(contents.count)) + Self.le16(UInt16(name.count))
        body += Self.le32(0x0403_4B50) + common + Self.le16(0) + name + contents
        // Made by Unix (3), version 2.0; a plain file readable by all (0100644).
        directory += Self.le32(0x0201_4B50) + Self.le16(3 << 8 | 20) + common + Self.le16(0) + Self.le16(0) + Self.le16(0)
            + Self.le16(0) + Self.le32(0o100644 << 16) + Self.le32(UInt32(offset)) + name
        count += 1
    }

    public mutating func add(_ path: String, text: String) throws { try add(path, Array(text.utf8)) }

    /// The archive's bytes: the files, their central directory and its end record.
    public func bytes() throws -> [UInt8] {
        guard body.count + directory.count < 0xFFFF_FFFF else { throw TooLarge() }
        let end =
            Self.le32(0x0605_4B50) + Self.le16(0) + Self.le16(0) + Self.le16(UInt16(count)) + Self.le16(UInt16(count))
            + Self.le32(UInt32(directory.count)) + Self.le32(UInt32(body.count)) + Self.le16(0)
        return body + directory + end
    }

    static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
    static func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
}

/// CRC-32 as zip (and gzip, PNG) use it: polynomial 0xEDB88320, reflected.
public enum CRC32 {
    static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
