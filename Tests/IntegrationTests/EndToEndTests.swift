import Foundation
import FrontlineTesting
import FrontlineRuntime
import Testing

extension Integration {
    @Suite struct EndToEnd {
        /// `count` distinct emails made from the sample mailbox's requests: each with a Message-ID
        /// and a sender of its own, so that every one is a new ticket from a new customer.
        static func sampleRequests(count: Int) throws -> [[UInt8]] {
            let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("deploy/sample/mailbox")
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix("-new_ticket.eml") }.sorted()
            #expect(files.count > 100)
            return try (0..<count).map { number in
                var text = try String(contentsOf: folder.appendingPathComponent(files[number % files.count]), encoding: .utf8)
                text = text.replacingOccurrences(of: "Message-ID: <sample-", with: "Message-ID: <e2e-\(number)-")
                text = text.replacingOccurrences(of: #"<([a-z.]+)@"#, with: "<$1+e2e\(number)@", options: .regularExpression)
                return Array(text.utf8)
            }
        }

        @Test("300 emails over IMAP through the six services: each one ticket, classified, assigned or escalated, with exactly the expected emails")
        func threeHundredEmails() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            try await Notifier.setPhase(scratch, 3)
            try await Notifier.everyoneAlwaysAvailable(scratch, maxOpenTickets: 80)
            let mailbox = try MailIngest.TestMailbox()
            try await mailbox.create()
            defer { Task { try? await mailbox.delete() } }
            let emails = try Self.sampleRequests(count: 300)
            try await mailbox.append(emails)

            let (smtpURL, sent) = try SentMail.shared()
            let sender = "desk-\(scratch.streams.prefix)@helpdesk.test"
            let environment = Notifier.environment(scratch, smtp: smtpURL, sender: sender, [
                "FRONTLINE_IMAP_URL": mailbox.url, "FRONTLINE_IMAP_ALLOW_PLAINTEXT": "1", "FRONTLINE_IMAP_POLL_SECONDS": "0.5",
                "FRONTLINE_NOTIFY_RATE_LIMIT": "100", "FRONTLINE_ESCALATION_DIGEST_MINUTES": "0",
            ])
            let services = try ["mail-ingest", "classifier", "assigner", "escalation", "notifier", "supplier-reminder"]
                .map { try ChildProcess($0, environment: environment) }
            defer { Task { for service in services { await service.stop() } } }

            let started = ContinuousClock.now
            var quietSince: ContinuousClock.Instant?
            var lastSent: Int64 = -1
            let settled = try await eventually(timeout: .seconds(240), every: .milliseconds(500)) {
                let tickets = try await scratch.scalar("SELECT count(*) FROM tickets")
                let decided = try await scratch.scalar(
                    "SELECT count(*) FROM tickets t WHERE EXISTS (SELECT 1 FROM assignments a WHERE a.ticket_id = t.id)"
                )
                let pending = try await scratch.scalar("SELECT count(*) FROM notifications WHERE status = 'pending'")
                let sentCount = try await scratch.scalar("SELECT count(*) FROM notifications WHERE status = 'sent'")
                guard tickets == 300, decided == 300, pending == 0 else { return false }
                // Nothing new for three seconds: escalations and their emails have landed.
                if sentCount != lastSent { lastSent = sentCount; quietSince = ContinuousClock.now; return false }
                return ContinuousClock.now - (quietSince ?? ContinuousClock.now) > .seconds(3)
            }
            #expect(settled, "not settled: \(services.map { $0.stdout.suffix(600) })")
            print("end to end: 300 emails settled in \(ContinuousClock.now - started)")

            #expect(try await scratch.scalar("SELECT count(*) FROM messages WHERE direction = 'inbound'") == 300)
            #expect(try await scratch.scalar("SELECT count(*) FROM ticket_classifications") == 300, "every ticket classified")
            #expect(
                try await scratch.scalar(
                    """
                    SELECT count(*) FROM tickets t
                    WHERE t.assignee_id IS NOT NULL OR EXISTS (SELECT 1 FROM escalations e WHERE e.ticket_id = t.id)
                    """
                ) == 300, "every ticket assigned or escalated"
            )

            // The emails the stored facts call for, each once.
            let expectedOthers = try await scratch.database.withConnection { connection in
                try connection.query(
                    """
                    SELECT 'confirmation|' || lower(t.requester_email) || '|' || t.id AS line FROM tickets t
                        WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id AND m.auto_reply_forbidden)
                    UNION ALL SELECT 'status_assigned|' || lower(t.requester_email) || '|' || t.id FROM tickets t
                        WHERE t.assignee_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id AND m.auto_reply_forbidden)
                    UNION ALL SELECT 'assignment|' || x.email || '|' || t.id FROM tickets t JOIN technicians x ON x.id = t.assignee_id
                    UNION ALL SELECT 'escalation|manager@helpdesk.test|' || e.ticket_id FROM escalations e WHERE e.level <> $1
                    UNION ALL SELECT 'supplier_request|' || r.address || '|' || r.ticket_id FROM supplier_requests r
                    UNION ALL SELECT 'status_waiting_supplier|' || lower(t.requester_email) || '|' || t.id
                        FROM supplier_requests r JOIN tickets t ON t.id = r.ticket_id
                    """,
                    [EscalationLevel.technician]
                ).compactMap { $0["line"] }
            }
            // A technician-level escalation goes to the ticket's technician, or to the team lead
            // (the manager here) while nobody has it yet: the escalation may be told before the
            // assignment is made. Either is right; each is expected once.
            let forTechnicians = try await scratch.database.withConnection { connection in
                try connection.query(
                    """
                    SELECT e.ticket_id, x.email FROM escalations e JOIN tickets t ON t.id = e.ticket_id
                    LEFT JOIN technicians x ON x.id = t.assignee_id WHERE e.level = $1
                    """,
                    [EscalationLevel.technician]
                ).map { (ticket: try $0.int64("ticket_id"), technician: $0["email"]) }
            }
            let technicianLines = forTechnicians.map { "escalation|technician or team lead|\($0.ticket)" }
            let expected = (expectedOthers + technicianLines).sorted()
            // The manager's own escalations of a ticket first; a further one to the manager, or one
            // to the ticket's technician, stands for a technician-level escalation.
            var unmatched = Dictionary(expectedOthers.map { ($0, 1) }, uniquingKeysWith: +)
            let received = sent.messages(from: sender).map { message -> String in
                let line = "\(message.kind ?? "?")|\(message.envelopeRecipient ?? "?")|\(message.ticket ?? -1)"
                if let count = unmatched[line], count > 0 {
                    unmatched[line] = count - 1
                    return line
                }
                guard message.kind == NotificationKind.escalation.rawValue, let ticket = message.ticket,
                    let technician = forTechnicians.first(where: { $0.ticket == ticket }),
                    [technician.technician, "manager@helpdesk.test"].contains(message.envelopeRecipient)
                else { return line }
                return "escalation|technician or team lead|\(ticket)"
            }.sorted()
            #expect(received.count == expected.count)
            #expect(received == expected, "missing: \(Set(expected).subtracting(received).sorted().prefix(10)) unexpected: \(Set(received).subtracting(expected).sorted().prefix(10))")
            let messageIDs = sent.messages(from: sender).compactMap(\.email.messageID)
            #expect(Set(messageIDs).count == received.count, "no email twice (a ticket may have several escalations, each its own)")
        }
    }
}
