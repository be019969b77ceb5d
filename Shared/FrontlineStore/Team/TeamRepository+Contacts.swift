import Foundation
import FrontlineCore
import FrontlineDomain

extension TeamRepository {
    /// A technician's name and address, for mail to them; nil when there is no such technician.
    public func contact(ofTechnician id: Int64) throws -> TicketFacts.Person? {
        try connection.query("SELECT name, email FROM technicians WHERE id = $1", [id]).first.map {
            TicketFacts.Person(id: id, name: try $0.string("name"), email: try $0.string("email"))
        }
    }
}

extension TeamRepository {
    /// The technician's name and address when they are on the team and active; nil otherwise
    /// (a reply address outlives the person's place on the team, and must stop working with it).
    public func activeContact(ofTechnician id: Int64) throws -> TicketFacts.Person? {
        try connection.query("SELECT name, email FROM technicians WHERE id = $1 AND active", [id]).first.map {
            TicketFacts.Person(id: id, name: try $0.string("name"), email: try $0.string("email"))
        }
    }
}
