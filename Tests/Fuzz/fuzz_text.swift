// libFuzzer target: HTMLText.readable and ReplyTrimmer.trim on arbitrary text (run.sh compiles
// this beside the two files). Slow inputs count too: run.sh gives each input a time limit, so a
// quadratic case shows up as a timeout.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMailText(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let readable = HTMLText.readable(text)
    // Every markup or reference it replaces is at least as long as its replacement.
    precondition(readable.utf8.count <= text.utf8.count, "output longer than input")
    if !text.utf8.contains(0) { precondition(!readable.utf8.contains(0), "a NUL appeared") }
    precondition(!readable.contains("\n\n\n"), "more than one blank line in a row")
    let trimmed = ReplyTrimmer.trim(readable)
    precondition(trimmed.count <= ReplyTrimmer.classificationTextLimit)
    let plain = ReplyTrimmer.trim(text)
    precondition(plain.count <= ReplyTrimmer.classificationTextLimit)
    if !text.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) { precondition(plain.isEmpty) }
    return 0
}
