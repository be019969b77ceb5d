import Foundation
import FrontlineMail
import Testing

@Suite struct ReplyAddressTests {
    let secret = ReplySecret(UUID().uuidString + UUID().uuidString)!
    var addresses: ReplyAddresses { ReplyAddresses(secret: secret, ownAddress: "Helpdesk@Desk.Example")! }
    let reply = ReplyToken(ticket: 123, technician: 7)

    @Test("a minted address subaddresses ours and reads back as its ticket and technician, whatever the case")
    func roundTrip() throws {
        let address = try #require(addresses.address(for: reply))
        let token = addresses.token(for: reply)
        #expect(address == "helpdesk+\(token)@desk.example")
        #expect(token.hasPrefix("t123-7-"))
        #expect(token.count == "t123-7-".count + 24)
        #expect(token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }, "only characters safe in a dot-atom local part")
        #expect(EmailAddress(address) != nil)
        #expect(addresses.verify(address) == reply)
        #expect(addresses.verify(address.uppercased()) == reply, "some servers change the case")
        #expect(addresses.verify("<\(address)>") == reply)
    }

    @Test("a changed ticket id, technician id or MAC is refused")
    func tampered() throws {
        let address = try #require(addresses.address(for: reply))
        let mac = String(addresses.token(for: reply).dropFirst("t123-7-".count))
        #expect(addresses.verify(address.replacingOccurrences(of: "+t123-", with: "+t124-")) == nil)
        #expect(addresses.verify(address.replacingOccurrences(of: "-7-", with: "-8-")) == nil)
        let flipped = String(mac.dropLast()) + (mac.last == "0" ? "1" : "0")
        #expect(addresses.verify("helpdesk+t123-7-\(flipped)@desk.example") == nil)
        #expect(addresses.verify("helpdesk+t123-7-\(mac.prefix(12))@desk.example") == nil, "a shortened MAC")
        #expect(addresses.verify("helpdesk+t123-7@desk.example") == nil)
        #expect(addresses.verify("helpdesk+t0123-7-\(mac)@desk.example") == nil, "the same ids spelled otherwise")
        #expect(addresses.verify("helpdesk+t123-7-\(mac)-1@desk.example") == nil)
    }

    @Test("a token minted with another secret is refused")
    func otherSecret() throws {
        let other = ReplyAddresses(secret: ReplySecret(UUID().uuidString + UUID().uuidString)!, ownAddress: "helpdesk@desk.example")!
        let forged = try #require(other.address(for: reply))
        #expect(addresses.verify(forged) == nil)
    }

    @Test("a valid token on another local part or domain is refused")
    func otherMailbox() throws {
        let token = addresses.token(for: reply)
        #expect(addresses.verify("helpdesk+\(token)@desk.example") == reply)
        #expect(addresses.verify("someone+\(token)@desk.example") == nil)
        #expect(addresses.verify("helpdesk+\(token)@evil.example") == nil)
        #expect(addresses.verify("helpdesk.x+\(token)@desk.example") == nil)
        #expect(addresses.verify("\(token)@desk.example") == nil)
    }

    @Test("the token is found in To, Cc, Delivered-To or X-Original-To; a message without one has none")
    func foundAmongRecipients() throws {
        let address = try #require(addresses.address(for: reply))
        func email(_ headers: String) throws -> ParsedEmail {
            let raw = "From: Jonas <jonas@desk.example>\r\n\(headers)Subject: Re: printer\r\nMessage-ID: <a@b.example>\r\n\r\nDone.\r\n"
            return try MIMEParser.parse(Array(raw.utf8)).get()
        }
        #expect(addresses.find(in: try email("To: Helpdesk <\(address)>\r\n")) == reply)
        #expect(addresses.find(in: try email("To: someone@else.example\r\nCc: \(address.uppercased())\r\n")) == reply)
        #expect(addresses.find(in: try email("To: helpdesk@desk.example\r\nDelivered-To: \(address)\r\n")) == reply)
        #expect(addresses.find(in: try email("To: helpdesk@desk.example\r\nX-Original-To: <\(address)>\r\n")) == reply)
        #expect(addresses.find(in: try email("To: helpdesk@desk.example\r\n")) == nil)
        #expect(addresses.find(in: try email("To: helpdesk+t123-7-000000000000000000000000@desk.example\r\n")) == nil)
    }

    @Test("our address and every subaddress of it are ours; other mailboxes are not")
    func ours() throws {
        #expect(addresses.isOurs("helpdesk@desk.example"))
        #expect(addresses.isOurs("HELPDESK+anything@desk.example"))
        #expect(!addresses.isOurs("helpdesk2@desk.example"))
        #expect(!addresses.isOurs("helpdesk@other.example"))
    }
}
