// TEMPORARY stub until the strict parser lands (h-text); replaced at merge.
import Foundation
public struct EmailAddress: Hashable, Sendable, CustomStringConvertible {
    public let localPart: String
    public let domain: String
    public init?(_ text: String) {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !t.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" || $0 == " " || $0 == "\"" || $0 == "<" || $0 == ">" }) else { return nil }
        let parts = t.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, t.utf8.count <= 254 else { return nil }
        localPart = String(parts[0]); domain = String(parts[1])
    }
    public var description: String { "\(localPart)@\(domain)" }
}
extension ParsedEmail {
    public var invalidFromAddress: String? { nil }
    public var toAddresses: [String] { [] }
    public var ccAddresses: [String] { [] }
}
