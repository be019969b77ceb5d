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
