import Foundation

/// What an email is for. The raw value names its templates (`confirmation.text`, …).
public enum NotificationKind: String, Sendable, CaseIterable, Codable {
    // To the customer.
    case confirmation
    case statusAssigned = "status_assigned"
    case statusWaitingSupplier = "status_waiting_supplier"
    case troubleshootingReply = "troubleshooting_reply"
    case resolved
    // To the people behind the desk.
    case assignment
    case escalation
    case summary
    case operationsAlert = "operations_alert"
    case report
    // To suppliers.
    case supplierRequest = "supplier_request"
    case supplierReminder = "supplier_reminder"

    public var recipientRole: RecipientRole {
        switch self {
        case .confirmation, .statusAssigned, .statusWaitingSupplier, .troubleshootingReply, .resolved: .customer
        case .assignment: .technician
        case .escalation: .manager
        case .summary, .operationsAlert, .report: .operations
        case .supplierRequest, .supplierReminder: .supplier
        }
    }

    /// Mail that answers someone's message, as opposed to mail we start (RFC 3834).
    public var isReply: Bool {
        switch self {
        case .confirmation, .troubleshootingReply, .resolved, .statusAssigned, .statusWaitingSupplier: true
        default: false
        }
    }
}

public enum RecipientRole: String, Sendable, Codable {
    case customer, technician, manager, operations, supplier

    /// How the writing sounds to this reader.
    public var tone: String {
        switch self {
        case .customer: "friendly"
        case .technician: "direct"
        case .manager, .operations, .supplier: "formal"
        }
    }

    /// Outside the organisation: rate-limited, never sent to while their address bounces.
    public var isExternal: Bool { self == .customer || self == .supplier }
}

/// What happens to a composed notification.
public enum Disposition: Sendable, Equatable {
    case send
    /// Kept as a draft for a person to review (shadow mode, low confidence).
    case hold(String)
    /// Not sent, for the reason given.
    case suppress(String)

    public var status: String {
        switch self {
        case .send: "pending"
        case .hold: "held"
        case .suppress: "suppressed"
        }
    }

    public var reason: String? {
        switch self {
        case .send: nil
        case .hold(let why), .suppress(let why): why
        }
    }
}

/// One email the policy asks for.
public struct PlannedNotification: Sendable, Equatable {
    public var kind: NotificationKind
    public var recipient: String
    public var recipientName: String?
    public var language: String
    /// With the ticket, kind and recipient, the notification's unique key.
    public var cause: String
    public var disposition: Disposition

    public var role: RecipientRole { kind.recipientRole }

    public init(kind: NotificationKind, recipient: String, recipientName: String? = nil, language: String, cause: String, disposition: Disposition) {
        self.kind = kind
        self.recipient = recipient.lowercased()
        self.recipientName = recipientName
        self.language = language
        self.cause = cause
        self.disposition = disposition
    }
}
