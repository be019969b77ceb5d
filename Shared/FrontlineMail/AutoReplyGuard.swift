/// Decides whether a message may ever get an automatic reply: mail written by machines
/// (auto-replies, lists, bounces, our own notifications) never does, which breaks mail loops.
public struct AutoReplyGuard: Sendable {
    /// The X-Loop value our own outgoing mail carries.
    public var ownLoopValue: String

    public init(ownLoopValue: String) { self.ownLoopValue = ownLoopValue.lowercased() }

    /// The reasons no automatic reply may go to this message; empty when one may.
    public func reasons(for email: ParsedEmail) -> [String] {
        var reasons: [String] = []
        if let value = email.header("Auto-Submitted")?.lowercased(), !value.hasPrefix("no") {
            reasons.append("Auto-Submitted: \(value)")
        }
        if let value = email.header("Precedence")?.lowercased(), ["bulk", "junk", "list", "auto_reply"].contains(value) {
            reasons.append("Precedence: \(value)")
        }
        if email.header("List-Id") != nil { reasons.append("List-Id present") }
        if email.header("List-Unsubscribe") != nil { reasons.append("List-Unsubscribe present") }
        if email.header("X-Auto-Response-Suppress") != nil { reasons.append("X-Auto-Response-Suppress present") }
        if email.headers.contains(where: { $0.name.caseInsensitiveCompare("X-Loop") == .orderedSame && $0.value.lowercased().contains(ownLoopValue) }) {
            reasons.append("our own X-Loop")
        }
        if let returnPath = email.header("Return-Path")?.trimmingCharacters(in: .whitespaces), returnPath == "<>" {
            reasons.append("null Return-Path")
        }
        if let sender = email.fromAddress, Self.isSystemSender(sender) {
            reasons.append("sent by \(sender)")
        }
        if email.isDeliveryReport { reasons.append("delivery status report") }
        return reasons
    }

    /// mailer-daemon@, postmaster@ and the like.
    public static func isSystemSender(_ address: String) -> Bool {
        let local = address.split(separator: "@").first.map { $0.lowercased() } ?? ""
        return ["mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"].contains(local)
    }

    /// A bounce: a delivery report, or a message from the mail system about delivery.
    public static func isBounce(_ email: ParsedEmail) -> Bool {
        // A mail system may write its From without a domain (`MAILER-DAEMON`), which the strict
        // parser refuses as an address; it is still a bounce.
        email.isDeliveryReport || ((email.fromAddress ?? email.invalidFromAddress).map(isSystemSender) ?? false)
    }

    /// The addresses a delivery report says failed (Final-Recipient with Action: failed).
    public static func failedRecipients(_ email: ParsedEmail) -> [String] {
        guard let status = email.deliveryStatus else { return [] }
        var failed: [String] = []
        for block in status.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n") {
            var recipient: String?
            var action: String?
            for line in block.split(separator: "\n") {
                let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2 else { continue }
                switch parts[0].lowercased() {
                case "final-recipient", "original-recipient" where recipient == nil:
                    recipient = parts[1].split(separator: ";").last.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                case "action": action = parts[1].lowercased()
                default: break
                }
            }
            if let recipient, action == nil || action == "failed" { failed.append(recipient) }
        }
        return failed
    }
}
