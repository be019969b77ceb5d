/// Why an address takes part in a ticket (`ticket_participants.role`): it wrote on the ticket
/// in one of the sender roles, or a participant wrote to it (To, Cc). Whoever takes part may
/// continue the ticket by email; anyone else starts a ticket of their own.
public enum ParticipantRole: String, Sendable, Codable, CaseIterable {
    case customer, supplier, technician, system
    /// Named in To or Cc by someone who took part.
    case copied

    public init(_ role: SenderRole) {
        switch role {
        case .customer: self = .customer
        case .supplier: self = .supplier
        case .technician: self = .technician
        case .system: self = .system
        }
    }
}
