import Foundation
import FrontlineDomain
import Testing

@Suite struct TicketEventTests {
    @Test("a ticket.received published before the chat door still reads, as a message the classifier takes; a chat message's says the door answers it")
    func answeredByItsDoorIsReadWithItsDefault() throws {
        let older = #"{"message_id": 7, "kind": "reply", "sender_role": "customer", "auto_reply_forbidden": false}"#
        let read = try JSONDecoder().decode(TicketReceived.self, from: Data(older.utf8))
        #expect(read.messageID == 7 && read.kind == .reply && !read.answeredByItsDoor)

        let chat = TicketReceived(messageID: 8, kind: .newTicket, senderRole: .customer, autoReplyForbidden: false, answeredByItsDoor: true)
        let again = try JSONDecoder().decode(TicketReceived.self, from: try JSONEncoder().encode(chat))
        #expect(again.answeredByItsDoor && again.messageID == 8)
    }
}
