import Foundation
import FrontlineTesting
import FrontlineRuntime
import Testing

extension Integration {
    @Suite struct AssignmentAndEscalation {
        @Test("through the streams: classified, assigned to a skilled technician with reasons, not escalated for a priority its SLA watches")
        func throughTheStreams() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            let environment = scratch.environment(["FRONTLINE_SLA_TICK_SECONDS": "0.2"])
            let services = try ["classifier", "assigner", "escalation"].map { try ChildProcess($0, environment: environment) }
            defer { Task { for service in services { await service.stop() } } }
            let ticket = try await Classifier.receive(scratch, subject: "Laptop", body: "My laptop does not start, the screen stays black.")
            let assigned = try await eventually(timeout: .seconds(30)) {
                try await scratch.scalar("SELECT count(*) FROM event_outbox WHERE envelope LIKE '%ticket.assigned%' OR envelope LIKE '%ticket.assignment_failed%'") == 1
            }
            #expect(assigned, "\(services[1].stdout.suffix(1500))")
            let row = try await scratch.database.withConnection { connection in
                try connection.query(
                    """
                    SELECT t.status, t.assignee_id, t.first_response_due IS NOT NULL AS due, a.decision::text AS decision, x.skills::text AS skills
                    FROM tickets t JOIN assignments a ON a.ticket_id = t.id LEFT JOIN technicians x ON x.id = t.assignee_id
                    WHERE t.id = $1
                    """,
                    [ticket]
                ).first
            }
            let decision = try #require(row?["decision"])
            #expect(decision.contains("candidates"))
            // The sample team follows the sun: at any hour some technicians are off shift, and the decision says so.
            #expect(decision.contains("\"droppedBecause\": \"not working now\""), "the dropped candidates say why")
            // Assigned or queued, the ticket is open: the assignee is apart from the status.
            #expect(row?["status"] == "open")
            if row?["assignee_id"] != nil {
                #expect(row?["skills"]?.contains("Hardware Support") == true, "the chosen technician has the skill")
            } else {
                // Nobody skilled on shift now: the ticket is queued, which is no alarm.
                #expect(decision.contains("not working now") || decision.contains("absent") || decision.contains("at capacity"))
            }
            #expect(row?["due"] == "t")
            // Laptop Failure is Desktop/User Down in the catalog: its short SLA watches it; it is not
            // escalated on arrival (only Critical is). Checked once the escalation service has seen it.
            #expect(try await eventually(timeout: .seconds(10)) {
                try await scratch.drained(.ticketClassified, count: 1, groups: ["escalation"])
            })
            #expect(try await scratch.scalar("SELECT count(*) FROM escalations WHERE ticket_id = $1 AND cause = 'high_priority'", [ticket]) == 0)
            #expect(try await scratch.scalar("SELECT count(*) FROM escalations WHERE ticket_id = $1 AND cause = 'assignment_failed'", [ticket]) == 0, "queued is not escalated")
        }

        @Test("with the clock under test control, an SLA breach escalates within one tick, once across a restart")
        func slaBreachOnce() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            let clockFile = FileManager.default.temporaryDirectory.appendingPathComponent("clock-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: clockFile) }
            // A ticket opened on a Wednesday morning in Berlin, first response due in 1 business hour.
            let ticket = try await scratch.database.transaction { connection in
                let id = try connection.query(
                    "INSERT INTO tickets (subject, status, created_at) VALUES ('VPN', 'open', '2026-11-18T08:00:00Z') RETURNING id"
                ).first!.int64("id")
                try connection.execute(
                    """
                    INSERT INTO ticket_classifications (ticket_id, language, category, request_type, priority, first_response_hours,
                        resolution_hours, confidence) VALUES ($1, 'en', 'Network & Connectivity', 'VPN Issue', 'High', 1, 8, 0.9)
                    """,
                    [id]
                )
                return id
            }
            try "2026-11-18T08:30:00Z".write(to: clockFile, atomically: true, encoding: .utf8)
            let environment = scratch.environment(["FRONTLINE_SLA_TICK_SECONDS": "0.2", "FRONTLINE_CLOCK_FILE": clockFile.path])
            var escalation = try ChildProcess("escalation", environment: environment)
            func count(_ cause: String) async throws -> Int64 {
                try await scratch.scalar("SELECT count(*) FROM escalations WHERE ticket_id = $1 AND cause = $2", [ticket, cause])
            }
            try await Task.sleep(for: .seconds(1))
            #expect(try await count("sla_first_response_warning") == 0, "30 minutes of 60: on track")

            try "2026-11-18T08:50:00Z".write(to: clockFile, atomically: true, encoding: .utf8)
            #expect(try await eventually(timeout: .seconds(2)) { try await count("sla_first_response_warning") == 1 }, "warning at 80 %")
            #expect(try await count("sla_first_response_breach") == 0)

            try "2026-11-18T09:00:01Z".write(to: clockFile, atomically: true, encoding: .utf8)
            #expect(try await eventually(timeout: .seconds(2)) { try await count("sla_first_response_breach") == 1 }, "breach within a tick")

            await escalation.stop()
            escalation = try ChildProcess("escalation", environment: environment)
            try await Task.sleep(for: .seconds(2))  // ten ticks after the restart
            #expect(try await count("sla_first_response_breach") == 1)
            #expect(try await count("sla_first_response_warning") == 1)
            #expect(try await scratch.scalar("SELECT count(*) FROM event_outbox WHERE envelope LIKE '%sla_first_response_breach%'") == 1)
            #expect(try await count("sla_resolution_breach") == 0, "8 business hours are not used up")
            await escalation.stop()
        }

        @Test("when a technician's absence begins, their open tickets go to someone else")
        func reassignOnAbsence() async throws {
            let scratch = try await Scratch()
            defer { Task { await scratch.close() } }
            try await scratch.seedSample()
            // Two technicians who work around the clock with the same skill; the first goes on leave now.
            let ticket = try await scratch.database.transaction { connection in
                try connection.execute("UPDATE technicians SET active = false")
                let always = #"{"timeZone":"UTC","hours":{"1":{"start":0,"end":1440},"2":{"start":0,"end":1440},"3":{"start":0,"end":1440},"4":{"start":0,"end":1440},"5":{"start":0,"end":1440},"6":{"start":0,"end":1440},"7":{"start":0,"end":1440}},"holidays":[]}"#
                let away = try connection.query(
                    "INSERT INTO technicians (email, name, schedule, skills) VALUES ('away@x', 'Away', $1::jsonb, '{\"Network & Connectivity\": 4}') RETURNING id", [always]
                ).first!.int64("id")
                let cover = try connection.query(
                    "INSERT INTO technicians (email, name, schedule, skills) VALUES ('cover@x', 'Cover', $1::jsonb, '{\"Network & Connectivity\": 2}') RETURNING id", [always]
                ).first!.int64("id")
                let id = try connection.query(
                    "INSERT INTO tickets (subject, status, assignee_id, first_response_due) VALUES ('VPN', 'open', $1, now() + interval '4 hours') RETURNING id", [away]
                ).first!.int64("id")
                try connection.execute(
                    """
                    INSERT INTO ticket_classifications (ticket_id, language, category, request_type, priority, first_response_hours,
                        resolution_hours, confidence) VALUES ($1, 'en', 'Network & Connectivity', 'VPN Issue', 'High', 2, 8, 0.9)
                    """,
                    [id]
                )
                try connection.execute(
                    "INSERT INTO technician_absences (technician_id, starts_at, ends_at) VALUES ($1, now() - interval '1 minute', now() + interval '5 days')", [away]
                )
                return (id, cover)
            }
            let assigner = try ChildProcess("assigner", environment: scratch.environment(["FRONTLINE_ABSENCE_TICK_SECONDS": "0.2"]))
            defer { Task { await assigner.stop() } }
            let moved = try await eventually(timeout: .seconds(20)) {
                try await scratch.scalar("SELECT count(*) FROM tickets WHERE id = $1 AND assignee_id = $2", [ticket.0, ticket.1]) == 1
            }
            #expect(moved, "\(assigner.stdout.suffix(1500))")
            try await Task.sleep(for: .seconds(1))
            #expect(try await scratch.scalar("SELECT count(*) FROM assignments WHERE ticket_id = $1", [ticket.0]) == 1, "moved once")
            let reason = try await scratch.database.withConnection { try $0.query("SELECT decision->>'reason' AS r FROM assignments WHERE ticket_id = $1", [ticket.0]).first?["r"] }
            #expect(reason?.contains("reassigned, the technician is away") == true)
            #expect(try await scratch.scalar("SELECT count(*) FROM tickets WHERE id = $1 AND status = 'open'", [ticket.0]) == 1, "still open")
        }
    }
}
