/// Who took an action: a person through a door, or a Frontline service. Every action a person
/// takes is audited under this name.
public struct Actor: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// As written to the audit trail: `cli:<user>`, `api:<token name>`, `service:<name>`.
    public var name: String

    public init(name: String) { self.name = name }

    public static func cli(_ user: String) -> Actor { Actor(name: "cli:\(user)") }
    public static func service(_ name: String) -> Actor { Actor(name: "service:\(name)") }

    public var description: String { name }
}
