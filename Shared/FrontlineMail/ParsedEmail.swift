import CGMimeShim
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
    public var fromAddress: String?
    public var fromName: String?
    public var replyToAddress: String?
    public var to: String?
    public var cc: String?
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

    /// The same email with NUL characters removed from its text (PostgreSQL text cannot hold them).
    public func withoutNULs() -> ParsedEmail {
        func clean(_ text: String?) -> String? { text.map(clean) }
        func clean(_ text: String) -> String { text.contains("\0") ? text.replacingOccurrences(of: "\0", with: "") : text }
        var copy = self
        copy.subject = clean(subject)
        copy.fromName = clean(fromName)
        copy.to = clean(to)
        copy.cc = clean(cc)
        copy.text = clean(text)
        copy.html = clean(html)
        copy.headers = headers.map { (clean($0.name), clean($0.value)) }
        copy.deliveryStatus = clean(deliveryStatus)
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
        let email = ParsedEmail(
            messageID: string(value.message_id).flatMap { $0.isEmpty ? nil : $0 },
            subject: string(value.subject) ?? "",
            fromAddress: string(value.from_address).map { $0.lowercased() },
            fromName: string(value.from_name),
            replyToAddress: string(value.reply_to_address).map { $0.lowercased() },
            to: string(value.to),
            cc: string(value.cc),
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

    /// SHA-256 as hex, for synthetic Message-IDs and content hashes.
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        var output = [CChar](repeating: 0, count: 65)
        bytes.withUnsafeBufferPointer { fl_sha256_hex($0.baseAddress, $0.count, &output) }
        return String(cString: output)
    }

    /// Reads a C string as UTF-8, repairing invalid sequences rather than failing.
    private static func string(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)), as: UTF8.self)
    }
}
