import Foundation
import FrontlineReport
import FrontlineUseCases
import Testing

@Suite struct ZipArchiveTests {
    @Test("CRC-32 gives the standard check value")
    func checkValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
    }

    @Test("an archive starts with a local header and ends with a directory that counts its files and points at them")
    func layout() throws {
        var archive = ZipArchive(modified: Date(timeIntervalSince1970: 1_796_122_800))
        try archive.add("a.json", text: "[]\n")
        try archive.add("mail/message-1.eml", Array("Subject: x\r\n\r\nhi\r\n".utf8))
        let bytes = try archive.bytes()
        func le32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * $1) } }
        func le16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        #expect(le32(0) == 0x0403_4B50)
        let end = bytes.count - 22
        #expect(le32(end) == 0x0605_4B50)
        #expect(le16(end + 10) == 2)
        let directory = Int(le32(end + 16))
        #expect(le32(directory) == 0x0201_4B50)
        // The first entry's stored size and checksum are those of its contents.
        #expect(le32(directory + 16) == CRC32.checksum(Array("[]\n".utf8)) && le32(directory + 24) == 3)
    }

    @Test("a requester is named by a plain address, compared in lower case")
    func requesterAddress() throws {
        #expect(try RequesterAddress(" Alice@Example.COM ").value == "alice@example.com")
        #expect(throws: RequesterAddress.Invalid.self) { try RequesterAddress("Alice <alice@example.com>") }
        #expect(throws: RequesterAddress.Invalid.self) { try RequesterAddress("not-an-address") }
    }
}
