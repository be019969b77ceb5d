import ArgumentParser
import Foundation
import FrontlineMail
import FrontlineRuntime

/// Addresses our mail bounced from: no automatic mail goes to them until the mark expires or a
/// person lifts it.
struct AddressCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "address",
        abstract: "Show or clear the addresses that bounce (they get no automatic mail for 30 days).",
        subcommands: [List.self, Clear.self], defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the addresses marked as failing, and until when.")

        @Flag(help: "Also list marks that have expired.") var all = false

        func run() async throws {
            let all = self.all
            let rows = try await CLIContext.make().database.withConnection { connection in
                try connection.query(
                    """
                    SELECT address, to_char(since, 'YYYY-MM-DD HH24:MI') AS since, to_char(expires_at, 'YYYY-MM-DD HH24:MI') AS until,
                        expires_at <= now() AS expired, coalesce(notification_message_id, '-') AS bounced
                    FROM failing_addresses WHERE $1 OR expires_at > now() ORDER BY since DESC
                    """,
                    [all]
                )
            }
            guard !rows.isEmpty else {
                print(all ? "no address has ever bounced" : "no address is marked as failing")
                return
            }
            print("address\tsince (UTC)\tuntil (UTC)\tbounce of")
            for row in rows {
                let until = (row["until"] ?? "") + (row["expired"] == "t" ? " (expired)" : "")
                print([row["address"] ?? "", row["since"] ?? "", until, row["bounced"] ?? ""].joined(separator: "\t"))
            }
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lift the mark: automatic mail goes to the address again.")

        @Argument(help: "The email address.") var address: String

        func run() async throws {
            guard let address = EmailAddress(address)?.description else {
                throw CLIError(description: "\"\(address)\" is not an email address")
            }
            let actor = CLIContext.actor
            let cleared = try await CLIContext.make().database.transaction { connection in
                let removed = try connection.execute("DELETE FROM failing_addresses WHERE address = $1", [address])
                if removed > 0 {
                    try connection.execute(
                        "INSERT INTO audit_log (actor, action, details) VALUES ($1, 'failing address cleared', json_build_object('address', $2::text))",
                        [actor, address]
                    )
                }
                return removed > 0
            }
            print(cleared ? "\(address) cleared: it gets automatic mail again" : "\(address) was not marked as failing")
        }
    }
}
