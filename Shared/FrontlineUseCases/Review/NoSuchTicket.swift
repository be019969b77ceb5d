/// A person named a ticket that does not exist: nothing was changed.
public struct NoSuchTicket: Error, Equatable, CustomStringConvertible {
    public var ticket: Int64
    public init(ticket: Int64) { self.ticket = ticket }
    public var description: String { "there is no ticket \(ticket)" }
}
