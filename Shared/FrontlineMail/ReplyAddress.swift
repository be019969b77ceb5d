import Foundation

/// Whom a reply address was minted for: one technician on one ticket.
public struct ReplyToken: Sendable, Equatable, Hashable {
    public var ticket: Int64
    public var technician: Int64

    public init(ticket: Int64, technician: Int64) {
        self.ticket = ticket
        self.technician = technician
    }
}

/// Per-person, per-ticket reply addresses: our own address subaddressed with a token,
/// `<local>+t<ticket>-<technician>-<mac>@<domain>`. Mail servers (Dovecot, Postfix, Microsoft
/// 365, Gmail) deliver it to our own mailbox; the MAC (HMAC-SHA256 with the reply secret) lets
/// only Frontline mint one, so a reply through it is that technician's on that ticket. Anyone
/// can write a From header; nobody outside can compute a token.
public struct ReplyAddresses: Sendable {
    /// Hex characters of the MAC kept in the token: 96 bits, far beyond guessing by mail.
    public static let macLength = 24

    public let secret: ReplySecret
    /// Our own address, lower-cased.
    public let own: EmailAddress

    /// Nil when `ownAddress` is not an address.
    public init?(secret: ReplySecret, ownAddress: String) {
        guard let own = EmailAddress(ownAddress) else { return nil }
        self.secret = secret
        self.own = own
    }

    /// The token for `technician` on `ticket`: only letters, digits and hyphens, safe in a
    /// dot-atom local part and unchanged by servers that lower-case addresses.
    public func token(for reply: ReplyToken) -> String {
        "t\(reply.ticket)-\(reply.technician)-\(secret.signature(of: Self.signed(reply), length: Self.macLength))"
    }

    /// The reply address for `technician` on `ticket`; nil when our local part is too long to
    /// carry a token (the address would not be valid).
    public func address(for reply: ReplyToken) -> String? {
        EmailAddress("\(own.localPart)+\(token(for: reply))@\(own.domain)")?.value
    }

    /// The token `address` carries, when it is one of our reply addresses and its MAC is ours.
    public func verify(_ address: String) -> ReplyToken? {
        guard let parsed = EmailAddress(Self.bare(address)), parsed.domain == own.domain else { return nil }
        let prefix = own.localPart + "+"
        guard parsed.localPart.hasPrefix(prefix) else { return nil }
        return verify(token: String(parsed.localPart.dropFirst(prefix.count)))
    }

    /// The token's ids when its MAC is ours (compared in constant time).
    public func verify(token text: String) -> ReplyToken? {
        let token = text.lowercased()
        guard token.hasPrefix("t") else { return nil }
        let parts = token.dropFirst().split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, let ticket = Self.id(parts[0]), let technician = Self.id(parts[1]) else { return nil }
        let mac = String(parts[2])
        guard mac.count == Self.macLength, mac.allSatisfy(\.isHexDigit) else { return nil }
        let reply = ReplyToken(ticket: ticket, technician: technician)
        return secret.verifies(mac, for: Self.signed(reply)) ? reply : nil
    }

    /// The first valid token among the message's recipients: To, Cc, then the addresses the
    /// receiving server recorded (Delivered-To, X-Original-To), which name the reply address
    /// even when the sender's client put it in Bcc.
    public func find(in email: ParsedEmail) -> ReplyToken? {
        let delivered = email.headers
            .filter { $0.name.caseInsensitiveCompare("Delivered-To") == .orderedSame || $0.name.caseInsensitiveCompare("X-Original-To") == .orderedSame }
            .flatMap { $0.value.split(separator: ",").map(String.init) }
        return find(among: email.toAddresses + email.ccAddresses + delivered)
    }

    public func find(among addresses: [String]) -> ReplyToken? {
        for address in addresses {
            if let token = verify(address) { return token }
        }
        return nil
    }

    /// Whether `address` is our own address or any subaddress of it (a reply address, valid
    /// or not): never a participant of a ticket.
    public func isOurs(_ address: String) -> Bool {
        guard let parsed = EmailAddress(Self.bare(address)), parsed.domain == own.domain else { return false }
        return parsed.localPart == own.localPart || parsed.localPart.hasPrefix(own.localPart + "+")
    }

    /// What the MAC covers: both ids, with a purpose so that no other signed value of ours
    /// (a Message-ID's key) can stand in for it.
    static func signed(_ reply: ReplyToken) -> String { "reply-address:\(reply.ticket):\(reply.technician)" }

    /// A positive id written in plain decimal digits (no sign, no leading zero).
    static func id(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.count <= 18, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber), text.first != "0" else { return nil }
        return Int64(text)
    }

    /// A header's address without angle brackets or surrounding spaces.
    static func bare(_ text: String) -> String {
        var value = text.trimmingCharacters(in: .whitespaces)
        if value.hasPrefix("<"), value.hasSuffix(">") { value = String(value.dropFirst().dropLast()) }
        return value
    }
}
