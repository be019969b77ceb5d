import Foundation
import FrontlineRuntime
import Testing

extension Integration {
    @Suite struct AssignmentAndEscalation {
        @Test("through the streams: classified, assigned to a skilled technician with reasons, escalated once for its priority")
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
                    SELECT t.status, t.first_response_due IS NOT NULL AS due, a.decision::text AS decision, x.skills::text AS skills
                    FROM tickets t JOIN assignments a ON a.ticket_id = t.id LEFT JOIN technicians x ON x.id = t.assignee_id
                    WHERE t.id = $1
                    """,
                    [ticket]
                ).first
            }
            let decision = try #require(row?["decision"])
            #expect(decision.contains("candidates"))
            #expect(decision.contains("no skill for Hardware Support / Laptop Failure"), "the dropped candidates say why")
            if row?["status"] == "assigned" {
                #expect(row?["skills"]?.contains("Hardware Support") == true, "the chosen technician has the skill")
            } else {
                // Outside everyone's hours before the due time: the failure is escalated instead.
                #expect(try await eventually(timeout: .seconds(10)) {
                    try await scratch.scalar("SELECT count(*) FROM escalations WHERE ticket_id = $1 AND cause = 'assignment_failed'", [ticket]) == 1
                })
            }
            #expect(row?["due"] == "t")
            // Laptop Failure is Desktop/User Down in the catalog: a high-priority escalation, once.
            #expect(try await eventually(timeout: .seconds(10)) {
                try await scratch.scalar("SELECT count(*) FROM escalations WHERE ticket_id = $1 AND cause = 'high_priority'", [ticket]) == 1
            })
            #expect(try await scratch.scalar("SELECT count(*) FROM event_outbox WHERE envelope LIKE '%\"cause\":\"high_priority\"%'") == 1)
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
                    "INSERT INTO tickets (subject, status, created_at) VALUES ('VPN', 'assigned', '2026-11-18T08:00:00Z') RETURNING id"
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
    }
}
