/// Whether a message came to us or was sent by us (`messages.direction`, checked by the database).
public enum MessageDirection: String, Sendable, Codable, CaseIterable {
    case inbound, outbound
}
