import ArgumentParser
import Foundation
import FrontlineRuntime
import FrontlineUseCases

/// `frontline doctor`: whether this deployment is set up right, before it takes traffic.
struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every setting and every server a deployment needs (read-only; no mail sent); exit 1 when anything is wrong.",
        discussion: """
            Reads the settings of every service with the services' own rules, then connects to PostgreSQL (schema \
            version, catalog), Redis (PING, consumer groups), each IMAP mailbox (login, EXAMINE), the SMTP server \
            (EHLO, STARTTLS, AUTH) and each LLM vendor (its models list). Prints CHECK, RESULT, DETAIL and FIX; \
            never a password, key or token.
            """
    )

    @Flag(help: "Print the lines as a JSON object.")
    var json = false

    @Flag(help: "Run before the services first start (an init container): consumer groups not created yet are not a problem.")
    var beforeStart = false

    @Option(help: "Only what this service reads and talks to (\(DeploymentSettings.services.joined(separator: ", "))); an init container names its own.")
    var service: String?

    @Option(help: "Seconds each check may take before it is a problem line.")
    var timeout: Double = 5

    func validate() throws {
        guard (0.1...120).contains(timeout) else { throw ValidationError("--timeout must be from 0.1 to 120 seconds") }
        if let service, !DeploymentSettings.services.contains(service) {
            throw ValidationError("--service must be one of \(DeploymentSettings.services.joined(separator: ", "))")
        }
    }

    struct Report: Encodable {
        var healthy: Bool
        var checks: [DeploymentFinding]
    }

    func run() async throws {
        let doctor = DeploymentDoctor(
            environment: Environment(), service: service, timeout: .milliseconds(Int64(timeout * 1000)), beforeStart: beforeStart
        )
        let findings = await doctor.examine()
        let healthy = !findings.contains { $0.result == .problem }
        if json {
            try printJSON(Report(healthy: healthy, checks: findings))
        } else {
            printTable(["CHECK", "RESULT", "DETAIL", "FIX"], findings.map { [$0.check, $0.result.rawValue, $0.detail, $0.fix] })
            let problems = findings.filter { $0.result == .problem }.count
            print(healthy ? "\nall fine" : "\n\(problems) problem\(problems == 1 ? "" : "s")")
        }
        if !healthy { throw ExitCode.failure }
    }
}
