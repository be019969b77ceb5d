import FrontlineMail
import Testing

/// Synthetic and quarantine Message-IDs are cut from this digest: a changed digest would make
/// a message already stored look new, so it must stay standard SHA-256 in lower-case hex.
@Suite struct DigestTests {
    @Test("SHA-256 gives the standard's test vectors as lower-case hex")
    func knownVectors() {
        #expect(MIMEParser.sha256Hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(MIMEParser.sha256Hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
