/// Who wrote a message on a ticket, as far as Frontline knows the sender. Stored as its raw
/// value (`messages.sender_role`, checked by the database).
public enum SenderRole: String, Sendable, Codable, CaseIterable {
    case customer, supplier, technician, system
}
