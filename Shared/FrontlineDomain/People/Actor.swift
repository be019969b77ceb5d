/// Who took an action: a person through a door, a customer, or a Frontline service (the AI or
/// a rule). Every action a person takes is audited under this name.
public struct Actor: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// As written to the audit trail: `cli:<user>`, `email:<address>`, `api:<token name>`,
    /// `customer:<address>`, `service:<name>`.
    public var name: String

    public init(name: String) { self.name = name }

    public static func cli(_ user: String) -> Actor { Actor(name: "cli:\(user)") }
    /// A technician acting through their reply address.
    public static func email(_ address: String) -> Actor { Actor(name: "email:\(address.lowercased())") }
    public static func api(_ token: String) -> Actor { Actor(name: "api:\(token)") }
    public static func customer(_ address: String) -> Actor { Actor(name: "customer:\(address.lowercased())") }
    public static func service(_ name: String) -> Actor { Actor(name: "service:\(name)") }

    public var description: String { name }
}

/// A person working a ticket: the actor the audit trail names and, when they are a technician
/// of the team, who they are (a public answer goes out in their name).
public struct TicketWorker: Sendable, Equatable {
    public var actor: Actor
    public var technicianID: Int64?
    public var name: String
    public var email: String?

    public init(actor: Actor, technicianID: Int64?, name: String, email: String?) {
        self.actor = actor
        self.technicianID = technicianID
        self.name = name
        self.email = email
    }
}
