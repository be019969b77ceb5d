import CGMimeShim
import Crypto
import Foundation

/// An email as Frontline reads it: decoded headers, UTF-8 bodies, attachments.
public struct ParsedEmail: Sendable {
    public struct Attachment: Sendable {
        public var filename: String?
        public var contentType: String
        public var contentID: String?
        /// Nil when the attachment was larger than the cap (its size is still known).
        public var data: [UInt8]?
        public var size: Int
        public var isInline: Bool
    }

    public var messageID: String?
    public var subject: String
    /// The sender's address as `EmailAddress.value` (lower-cased, ASCII domain); nil when there
    /// is no From address or it fails the strict parser (see `invalidFromAddress`).
    public var fromAddress: String?
    public var fromName: String?
    /// The From address that failed `EmailAddress`, as written (NUL, CR and LF removed), so
    /// the message can be stored and flagged rather than dropped; nil when From is valid or
    /// absent. When GMime found no mailbox at all it is the From header's text.
    public var invalidFromAddress: String?
    /// The first Reply-To address as `EmailAddress.value`, when it passes the strict parser.
    public var replyToAddress: String?
    /// The To and Cc lists for display, as the message wrote them (names included).
    public var to: String?
    public var cc: String?
    /// The valid addresses of the To and Cc lists (group members included), as
    /// `EmailAddress.value`, in order, without repeats. Addresses that fail the strict parser
    /// are left out.
    public var toAddresses: [String]
    public var ccAddresses: [String]
    public var date: Date?
    public var inReplyTo: String?
    /// Message-IDs from References, oldest first.
    public var references: [String]
    public var headers: [(name: String, value: String)]
    public var text: String?
    public var html: String?
    public var attachments: [Attachment]
    public var isDeliveryReport: Bool
    public var deliveryStatus: String?
    /// The Message-ID of the message a delivery report refers to, when it includes it.
    public var originalMessageID: String?
    public var warnings: Set<MIMEParser.Warning>

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// The readable body: the text part, or the HTML part made readable.
    public var bodyText: String {
        if let text, text.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) { return text }
        if let html { return HTMLText.readable(html) }
        return ""
    }

    /// The same email with NUL characters removed from every string (PostgreSQL text cannot
    /// hold them). Attachment data stays as it is: it is stored as bytes.
    public func withoutNULs() -> ParsedEmail {
        func clean(_ text: String?) -> String? { text.map(clean) }
        // By scalar: a NUL followed by a combining mark is one Character, which a
        // Character-level replacement would not see as "\0".
        func clean(_ text: String) -> String {
            text.utf8.contains(0) ? String(String.UnicodeScalarView(text.unicodeScalars.filter { $0 != "\0" })) : text
        }
        var copy = self
        copy.messageID = clean(messageID)
        copy.subject = clean(subject)
        copy.fromAddress = clean(fromAddress)
        copy.fromName = clean(fromName)
        copy.invalidFromAddress = clean(invalidFromAddress)
        copy.replyToAddress = clean(replyToAddress)
        copy.to = clean(to)
        copy.cc = clean(cc)
        copy.toAddresses = toAddresses.map(clean)
        copy.ccAddresses = ccAddresses.map(clean)
        copy.inReplyTo = clean(inReplyTo)
        copy.references = references.map(clean)
        copy.headers = headers.map { (clean($0.name), clean($0.value)) }
        copy.text = clean(text)
        copy.html = clean(html)
        copy.attachments = attachments.map { attachment in
            var attachment = attachment
            attachment.filename = clean(attachment.filename)
            attachment.contentType = clean(attachment.contentType)
            attachment.contentID = clean(attachment.contentID)
            return attachment
        }
        copy.deliveryStatus = clean(deliveryStatus)
        copy.originalMessageID = clean(originalMessageID)
        return copy
    }

    /// Every Message-ID this message refers to, nearest first.
    public var referencedIDs: [String] {
        var ids: [String] = []
        if let inReplyTo { ids.append(inReplyTo) }
        for id in references.reversed() where !ids.contains(id) { ids.append(id) }
        return ids
    }
}

/// Why a message could not be read well enough to become a ticket. It is stored raw with
/// this reason, never dropped.
public struct QuarantineReason: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// RFC 5322/MIME parsing through GMime: RFC 2047 encoded words, RFC 2231 parameters, bodies in
/// any charset converted to UTF-8.
public enum MIMEParser {
    /// GMime's parser warnings, by its own codes.
    public enum Warning: UInt32, Sendable, Hashable, CaseIterable {
        case duplicatedHeader = 1, duplicatedParameter, unencoded8BitHeader, invalidContentType,
            invalidRFC2047HeaderValue, malformedMultipart, truncatedMessage, malformedMessage,
            invalidHeaderName, conflictingHeader, conflictingParameter, multipartWithoutBoundary,
            invalidParameter, invalidAddressList, nestingOverflow, partWithoutContent, partWithoutHeadersOrContent

        /// Some of the input may have been skipped: the message cannot be trusted as read.
        var losesContent: Bool {
            switch self {
            case .invalidHeaderName, .multipartWithoutBoundary, .nestingOverflow, .partWithoutHeadersOrContent,
                .malformedMultipart:
                true
            default: false
            }
        }

        var explanation: String {
            switch self {
            case .invalidHeaderName: "an invalid header name (parts of the message may be skipped)"
            case .multipartWithoutBoundary: "a multipart without its boundary parameter"
            case .nestingOverflow: "MIME parts nested too deep"
            case .partWithoutHeadersOrContent: "a MIME part without headers or content"
            case .malformedMultipart: "a multipart whose parts cannot be found (broken boundary)"
            default: "\(self)"
            }
        }
    }

    /// Parses raw message bytes; attachments larger than `attachmentCap` keep their size only.
    public static func parse(_ raw: [UInt8], attachmentCap: Int = 10 << 20) -> Result<ParsedEmail, QuarantineReason> {
        guard !raw.isEmpty else { return .failure(QuarantineReason("empty message")) }
        let message = raw.withUnsafeBufferPointer { fl_parse_message($0.baseAddress, $0.count, attachmentCap) }!
        defer { fl_free_message(message) }
        let value = message.pointee
        let warnings = Set(Warning.allCases.filter { value.warnings & (1 << $0.rawValue) != 0 })
        guard value.parsed == 1 else { return .failure(QuarantineReason("not a message: no headers could be read")) }
        if let fatal = warnings.filter(\.losesContent).sorted(by: { $0.rawValue < $1.rawValue }).first {
            return .failure(QuarantineReason("malformed MIME: \(fatal.explanation)"))
        }

        var headers: [(name: String, value: String)] = []
        for index in 0..<value.header_count {
            let header = value.headers[index]
            headers.append((string(header.name) ?? "", string(header.value) ?? ""))
        }
        var attachments: [ParsedEmail.Attachment] = []
        for index in 0..<value.attachment_count {
            let attachment = value.attachments[index]
            attachments.append(
                ParsedEmail.Attachment(
                    filename: string(attachment.filename),
                    contentType: string(attachment.content_type) ?? "application/octet-stream",
                    contentID: string(attachment.content_id),
                    data: attachment.data.map { Array(UnsafeBufferPointer(start: $0, count: attachment.size)) }
                        ?? (attachment.over_cap == 1 ? nil : []),
                    size: attachment.size,
                    isInline: attachment.is_inline == 1
                )
            )
        }
        let from = string(value.from_address)
        let fromAddress = from.flatMap(EmailAddress.init)
        // A From header whose address fails: what it said is kept for the flag.
        let rawFrom = from ?? headers.first { $0.name.caseInsensitiveCompare("From") == .orderedSame }?.value
        let invalidFrom = fromAddress == nil ? rawFrom.map(withoutLineBreaks).flatMap { $0.isEmpty ? nil : $0 } : nil
        let email = ParsedEmail(
            messageID: string(value.message_id).flatMap { $0.isEmpty ? nil : $0 },
            subject: string(value.subject) ?? "",
            fromAddress: fromAddress?.value,
            fromName: string(value.from_name),
            invalidFromAddress: invalidFrom,
            replyToAddress: string(value.reply_to_address).flatMap(EmailAddress.init)?.value,
            to: string(value.to),
            cc: string(value.cc),
            toAddresses: validAddresses(string(value.to_addresses)),
            ccAddresses: validAddresses(string(value.cc_addresses)),
            date: value.has_date == 1 ? Date(timeIntervalSince1970: TimeInterval(value.date)) : nil,
            inReplyTo: string(value.in_reply_to)?.split(separator: " ").first.map(String.init),
            references: string(value.references)?.split(separator: " ").map(String.init) ?? [],
            headers: headers,
            text: string(value.text),
            html: string(value.html),
            attachments: attachments,
            isDeliveryReport: value.is_delivery_report == 1,
            deliveryStatus: string(value.delivery_status),
            originalMessageID: string(value.original_message_id),
            warnings: warnings
        )
        if let type = string(value.mime_type)?.lowercased(), type.hasPrefix("multipart/"), value.part_count == 0 {
            return .failure(QuarantineReason("malformed MIME: a multipart whose parts cannot be found (broken boundary)"))
        }
        return .success(email)
    }

    /// SHA-256 as lower-case hex, for synthetic Message-IDs and content hashes.
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { byte in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }.joined()
    }

    /// The addresses of a shim address list ("\n"-separated) that pass `EmailAddress`, once each.
    private static func validAddresses(_ lines: String?) -> [String] {
        guard let lines else { return [] }
        var seen: Set<String> = []
        // Split by scalar: "\n" followed by a combining mark would be one Character.
        return lines.unicodeScalars.split(separator: "\n")
            .compactMap { EmailAddress(String(String.UnicodeScalarView($0)))?.value }
            .filter { seen.insert($0).inserted }
    }

    /// The text without NUL, CR and LF.
    private static func withoutLineBreaks(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0 != "\0" && $0 != "\r" && $0 != "\n" }))
    }

    /// Reads a C string as UTF-8, repairing invalid sequences rather than failing.
    private static func string(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)), as: UTF8.self)
    }
}
