import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineRuntime
import FrontlineStore
import FrontlineTesting
import FrontlineUseCases
import Testing

extension Integration {
    /// The requester's context from a real OpenLDAP server, through the classifier, assigner,
    /// notifier and escalation processes.
    @Suite struct Directory {
        static let base = DirectoryServer.baseDN

        /// Alice (Finance, managed by Bob), Carol (in the VIP group), Bob (the manager).
        static let ldif = """
            dn: \(base)
            objectClass: dcObject
            objectClass: organization
            o: Frontline test
            dc: frontline

            dn: ou=people,\(base)
            objectClass: organizationalUnit
            ou: people

            dn: ou=groups,\(base)
            objectClass: organizationalUnit
            ou: groups

            dn: uid=bob,ou=people,\(base)
            objectClass: inetOrgPerson
            uid: bob
            cn: Bob Boss
            sn: Boss
            displayName: Bob Boss
            mail: bob.boss@corp.test
            title: Head of Finance
            departmentNumber: Finance

            dn: uid=alice,ou=people,\(base)
            objectClass: inetOrgPerson
            uid: alice
            cn: Alice Adams
            sn: Adams
            displayName: Alice Adams
            mail: alice.adams@corp.test
            title: Accountant
            departmentNumber: Finance
            telephoneNumber: +44 20 7946 0001
            manager: uid=bob,ou=people,\(base)
            employeeNumber: 4711

            dn: uid=carol,ou=people,\(base)
            objectClass: inetOrgPerson
            uid: carol
            cn: Carol Chief
            sn: Chief
            displayName: Carol Chief
            mail: carol.chief@corp.test
            title: Chief Executive
            departmentNumber: Board

            dn: cn=VIP,ou=groups,\(base)
            objectClass: groupOfNames
            cn: VIP
            member: uid=carol,ou=people,\(base)

            """

        static func request(from address: String, name: String, _ tag: String) -> String {
            """
            From: "\(name)" <\(address)>
            To: helpdesk@helpdesk.example
            Subject: Access to the finance shared folder
            Date: Tue, 01 Dec 2026 09:00:00 +0000
            Message-ID: <directory-\(tag)-\(UUID().uuidString)@corp.test>
            MIME-Version: 1.0
            Content-Type: text/plain; charset=utf-8

            I need access to the finance shared folder for the month-end close.

            """
        }

        static func ticket(_ outcome: IngestOutcome) -> Int64? {
            if case .newTicket(let id) = outcome { return id }
            return nil
        }

        @Test("directory users' tickets carry their attributes and manager to the technician, a VIP's is raised, a stranger is marked, slapd away delays nothing")
        func requesterContext() async throws {
            let ldap = try DirectoryServer(ldif: Self.ldif)
            try await ldap.start()
            let scratch = try await Scratch()
            try await scratch.seedSample()
            try await Notifier.everyoneAlwaysAvailable(scratch)
            let (smtpURL, sent) = try SentMail.shared()
            let sender = "desk-\(scratch.streams.prefix)@helpdesk.test"
            let environment = Notifier.environment(
                scratch, smtp: smtpURL, sender: sender,
                ldap.environment(vipGroup: "vip").merging(
                    [
                        "FRONTLINE_SLA_TICK_SECONDS": "0.5", "FRONTLINE_RESTRICTED_CATEGORIES": "Security, Access Management",
                        "FRONTLINE_ESCALATION_DIGEST_MINUTES": "0",
                    ]
                ) { $1 }
            )
            let services = try ["classifier", "assigner", "notifier", "escalation"].map { try ChildProcess($0, environment: environment) }
            func cleanUp() async {
                for service in services { await service.stop() }
                await ldap.remove()
                await scratch.close()
            }

            func assignmentText(_ ticket: Int64) async throws -> String? {
                var text: String?
                _ = try await eventually(timeout: .seconds(60), every: .milliseconds(200)) {
                    text = sent.messages(from: sender).first { $0.kind == "assignment" && $0.ticket == ticket }?.email.text
                    return text != nil
                }
                return text
            }

            let alice = try #require(Self.ticket(try await scratch.ingest(Self.request(from: "alice.adams@corp.test", name: "Alice Adams", "alice"))))
            let carol = try #require(Self.ticket(try await scratch.ingest(Self.request(from: "Carol.Chief@corp.test", name: "Carol Chief", "carol"))))
            let stranger = try #require(Self.ticket(try await scratch.ingest(Self.request(from: "someone@elsewhere.test", name: "Some One", "x"))))

            let aliceMail = try await assignmentText(alice)
            #expect(aliceMail != nil, "no assignment email for Alice's ticket: \(services.map { $0.stdout.suffix(800) })")
            if let aliceMail {
                #expect(aliceMail.contains("Name:        Alice Adams"))
                #expect(aliceMail.contains("Department:  Finance"))
                #expect(aliceMail.contains("Title:       Accountant"))
                #expect(aliceMail.contains("Phone:       +44 20 7946 0001"))
                #expect(aliceMail.contains("Manager:     Bob Boss <bob.boss@corp.test>"))
                #expect(!aliceMail.contains("not in the directory"))
                #expect(!aliceMail.contains("4711"), "an attribute we do not read is not shown")
            }
            let strangerMail = try await assignmentText(stranger)
            #expect(strangerMail?.contains("The sender is not in the directory") == true)
            #expect(strangerMail?.contains("From the directory") == false)

            // Mail from outside the directory to a restricted category goes to a person, with the mark.
            var escalation: String?
            _ = try await eventually(timeout: .seconds(60), every: .milliseconds(200)) {
                escalation = sent.messages(from: sender).compactMap { $0.kind == "escalation" && $0.ticket == stranger ? $0.email.text : nil }
                    .first { $0.contains("outside_directory") }
                return escalation != nil
            }
            #expect(escalation?.contains("Reason:    outside_directory: a sender the directory does not know, in the restricted category Access Management") == true)
            #expect(escalation?.contains("The sender is not in the directory") == true)
            let outsideForAlice = try await scratch.scalar("SELECT count(*) FROM escalations WHERE ticket_id = $1 AND cause = 'outside_directory'", [alice])
            #expect(outsideForAlice == 0, "a directory user's ticket is not escalated for it")

            // `frontline ticket show` has it too.
            let show = try ChildProcess("frontline", arguments: ["ticket", "show", String(alice), "--json"], environment: scratch.environment())
            #expect(await show.waitForExit(timeout: .seconds(30)) == 0)
            let shown = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any]
            let directory = shown?["directory"] as? [String: Any]
            #expect(directory?["manager_name"] as? String == "Bob Boss")
            #expect(directory?["department"] as? String == "Finance")
            #expect(directory?["in_directory"] as? Bool == true)

            // Same words, same catalog priority: only the directory group makes Carol's one step higher.
            let priorities = try await scratch.unitOfWork.read { transaction in
                (try transaction.tickets.overview(of: alice)?.classification?.priority, try transaction.tickets.overview(of: carol)?.classification?.priority)
            }
            #expect(priorities.0 == Priority.medium.rawValue)
            #expect(priorities.1 == Priority.high.rawValue)
            #expect(
                try await scratch.scalar(
                    "SELECT count(*) FROM audit_log WHERE ticket_id = $1 AND action = 'priority_raised' AND details->>'reason' LIKE '%directory group vip%'",
                    [carol]
                ) == 1
            )
            // Only the listed attributes are stored, with the time they were read.
            let stored = try await scratch.unitOfWork.read { try $0.requesterProfiles.profile(of: alice) }
            #expect(stored?.entry?.managerName == "Bob Boss")
            #expect(stored?.entry?.groups == [])
            let strangerMarked = try await scratch.scalar(
                "SELECT count(*) FROM requester_profiles WHERE NOT in_directory AND ticket_id = $1", [stranger]
            )
            #expect(strangerMarked == 1)

            // The directory goes away: the next ticket is still classified, assigned and told.
            await ldap.stop()
            let late = try #require(Self.ticket(try await scratch.ingest(Self.request(from: "alice.adams@corp.test", name: "Alice Adams", "late"))))
            let lateMail = try await assignmentText(late)
            #expect(lateMail != nil, "the ticket waited for the directory")
            #expect(lateMail?.contains("From the directory") == false)
            let metricsPort = try await services[0].httpPort()
            let (_, metrics) = try await httpGet("http://127.0.0.1:\(metricsPort)/metrics")
            #expect(metrics.contains(#"frontline_directory_lookups_total{directory="ldap",outcome="failed"} 1"#), "\(metrics.split(separator: "\n").filter { $0.contains("directory") })")
            #expect(!metrics.contains(ldap.password), "no secret in the metrics")

            // Back again: the retry tick reads the requester it missed.
            try await ldap.start()
            let retried = try await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
                try await scratch.unitOfWork.read { try $0.requesterProfiles.profile(of: late) }?.entry?.displayName == "Alice Adams"
            }
            #expect(retried, "the lookup was not retried: \(services[3].stdout.suffix(800))")

            // Erasure removes the requester's profiles.
            let erased = try await scratch.unitOfWork.transaction { try $0.requesterProfiles.erase(email: "ALICE.adams@corp.test") }
            #expect(erased == 2)
            await cleanUp()
        }

        @Test("GET /tickets/{id} shows what the directory said, in the document's shape; a stranger is marked")
        func apiResource() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            let token = try await API.token(scratch, "reader", as: nil, role: .agent)
            let known = try #require(Self.ticket(try await scratch.ingest(Self.request(from: "alice.adams@corp.test", name: "Alice Adams", "api"))))
            let stranger = try #require(Self.ticket(try await scratch.ingest(Self.request(from: "someone@elsewhere.test", name: "Some One", "api"))))
            let readAt = Date(timeIntervalSince1970: 1_796_000_000)
            try await scratch.unitOfWork.transaction { transaction in
                let entry = DirectoryEntry(
                    displayName: "Alice Adams", department: "Finance", title: "Accountant", managerName: "Bob Boss", managerEmail: "bob.boss@corp.test",
                    groups: ["Finance"], devices: [DirectoryDevice(name: "FIN-LT-042", operatingSystem: "Windows", isCompliant: false, lastSignIn: readAt)]
                )
                try transaction.requesterProfiles.store(RequesterProfile(email: "alice.adams@corp.test", entry: entry, readAt: readAt), ticket: known)
                try transaction.requesterProfiles.store(RequesterProfile(email: "someone@elsewhere.test", entry: nil, readAt: readAt), ticket: stranger)
            }
            try await API.withClient(scratch) { client in
                let shown = try await API.call(client, .get, "/api/v1/tickets/\(known)", token: token)
                #expect(shown.status == .ok, "\(shown.text)")
                let detail = try JSONSerialization.jsonObject(with: Data(shown.text.utf8)) as? [String: Any]
                let directory = try #require(detail?["directory"] as? [String: Any])
                #expect(directory["in_directory"] as? Bool == true)
                #expect(directory["manager_email"] as? String == "bob.boss@corp.test")
                #expect((directory["read_at"] as? String).flatMap(Timestamp.parse) == readAt)
                let device = (directory["devices"] as? [[String: Any]])?.first
                #expect(device?["is_compliant"] as? Bool == false && device?["operating_system"] as? String == "Windows")

                let unknown = try await API.call(client, .get, "/api/v1/tickets/\(stranger)", token: token)
                let unknownDirectory = (try JSONSerialization.jsonObject(with: Data(unknown.text.utf8)) as? [String: Any])?["directory"] as? [String: Any]
                #expect(unknownDirectory?["in_directory"] as? Bool == false)
                #expect(unknownDirectory?["display_name"] == nil)
            }
        }
    }
}
