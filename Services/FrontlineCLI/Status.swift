import ArgumentParser
import Foundation
import FrontlineRuntime

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show each stream and consumer group: length, lag, pending entries, open dead letters."
    )

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() async throws {
        let context = CLIContext.make()
        let rows = try await context.admin.status()
        let mailboxes = try await context.unitOfWork.read { try $0.reports.mailboxHealth() }
        if json {
            try printJSON(rows)
            return
        }
        printTable(
            ["STREAM", "LENGTH", "GROUP", "CONSUMERS", "LAG", "PENDING", "DEAD LETTERS"],
            rows.map {
                [
                    $0.stream, String($0.length), $0.group ?? "-", String($0.consumers), $0.lag.map(String.init) ?? "?",
                    String($0.pending), String($0.deadLetters),
                ]
            }
        )
        guard !mailboxes.isEmpty else { return }
        print("")
        let now = context.clock.now()
        printTable(
            ["MAILBOX", "LAST SUCCESSFUL POLL", "FAILURES IN A ROW", "STATE"],
            mailboxes.map { health in
                let state = health.isStale(at: now)
                    ? "STALE: not read for over \(MailboxPolls.staleAfter.components.seconds / 60) minutes" + (health.lastError.map { " (\($0))" } ?? "")
                    : "ok"
                return [health.mailbox, health.lastSuccess.map { Self.ago($0, now: now) } ?? "never", String(health.consecutiveFailures), state]
            }
        )
    }

    static func ago(_ date: Date, now: Date) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date).rounded()))
        switch seconds {
        case ..<120: return "\(seconds) s ago"
        case ..<7200: return "\(seconds / 60) min ago"
        default: return "\(seconds / 3600) h ago"
        }
    }
}
