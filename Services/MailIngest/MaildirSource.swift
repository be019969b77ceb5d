import Foundation
import FrontlineMail
import FrontlineRuntime
import FrontlineUseCases

/// Messages an MTA delivered into a Maildir: each file in new/ is read, then moved to cur/
/// once the message is stored. A crash in between reads it again; dedupe makes that harmless.
struct MaildirSource: IntakeSource {
    let maildir: Maildir
    let maxMessageBytes: Int

    var channel: String { maildir.key }

    func waiting() async throws -> [URL] {
        try maildir.prepare()
        return try maildir.waiting()
    }

    func read(_ file: URL) async throws -> InboundMessage {
        let size = (try? file.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0
        let origin = MessageOrigin(channel: channel)
        // Mail over the limit is never loaded whole: its headers are read instead.
        if size > maxMessageBytes {
            return InboundMessage(.headersOnly(try MessageHeaders.block(ofFile: file), size: size), from: origin)
        }
        return InboundMessage(.mime([UInt8](try Data(contentsOf: file))), from: origin)
    }

    func acknowledge(_ file: URL, in transaction: StoreTransaction) throws {}

    func acknowledged(_ file: URL) async throws {
        try maildir.markTaken(file)
    }
}
