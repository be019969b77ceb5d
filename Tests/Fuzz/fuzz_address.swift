// libFuzzer target: EmailAddress.init? on arbitrary bytes (run.sh compiles this beside
// Shared/FrontlineMail/EmailAddress.swift). A failed invariant traps, which libFuzzer reports
// as a crash with the input that caused it.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEmailAddress(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let address = EmailAddress(text) else { return 0 }
    let value = address.value
    // Nothing that could end or split an SMTP command line or a header, nothing quoted.
    for byte in value.utf8 {
        precondition(byte > 0x20 && byte < 0x7F, "control, space or non-ASCII byte \(byte) in \(value.debugDescription)")
        precondition(byte != UInt8(ascii: "\""), "quote in \(value.debugDescription)")
        precondition(byte != UInt8(ascii: "<") && byte != UInt8(ascii: ">"), "angle bracket in \(value.debugDescription)")
    }
    precondition(value.utf8.count <= EmailAddress.maxLength, "too long: \(value.utf8.count)")
    precondition(address.localPart.utf8.count <= EmailAddress.maxLocalPartLength)
    precondition(value == address.localPart + "@" + address.domain)
    precondition(value.utf8.filter { $0 == UInt8(ascii: "@") }.count == 1, "not exactly one @ in \(value.debugDescription)")
    precondition(value == value.lowercased(), "not lower-cased: \(value.debugDescription)")
    // Normalised: parsing the value again gives the same address.
    guard let again = EmailAddress(value) else { preconditionFailure("value does not parse again: \(value.debugDescription)") }
    precondition(again == address && again.value == value, "re-parse changed \(value.debugDescription) to \(again.value.debugDescription)")
    return 0
}
