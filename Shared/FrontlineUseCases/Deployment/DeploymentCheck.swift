import Foundation
import FrontlineAI
import FrontlineCore
import FrontlineMail
import FrontlineNotify
import FrontlineStore

/// One line of `frontline doctor`: what was checked, how it went, and what to do about it.
/// No line ever holds a password, key or token.
public struct DeploymentFinding: Sendable, Codable, Equatable {
    public enum Result: String, Sendable, Codable {
        case ok, problem, skipped
    }

    public var check: String
    public var result: Result
    public var detail: String
    /// Empty when there is nothing to do.
    public var fix: String

    public init(check: String, result: Result, detail: String, fix: String = "") {
        self.check = check
        self.result = result
        self.detail = detail
        self.fix = fix
    }

    public static func ok(_ check: String, _ detail: String) -> Self { .init(check: check, result: .ok, detail: detail) }
    public static func problem(_ check: String, _ detail: String, fix: String) -> Self {
        .init(check: check, result: .problem, detail: detail, fix: fix)
    }
    public static func skipped(_ check: String, _ detail: String, fix: String = "") -> Self {
        .init(check: check, result: .skipped, detail: detail, fix: fix)
    }
}

/// One thing a deployment needs (a server reachable, a schema current, a mailbox readable).
/// A connector or directory added later is one more type of this, listed in `DeploymentDoctor.checks`.
public protocol DeploymentCheck: Sendable {
    /// Names the check in the line written when it does not finish in time.
    var name: String { get }
    /// What to do when the check did not finish in time (the server does not answer).
    var fixWhenSilent: String { get }
    /// Its lines; it never throws: a failure is a `problem` line.
    func run() async -> [DeploymentFinding]
}

/// `frontline doctor`: reads every setting every service reads, with the services' own
/// initialisers, then talks to each server the settings name, each check with a time limit.
public struct DeploymentDoctor: Sendable {
    public var settings: DeploymentSettings
    /// How long one check may take before it is a problem line.
    public var timeout: Duration
    /// Before the services first start (an init container): consumer groups that do not exist
    /// yet are not a problem, since the services create them.
    public var beforeStart: Bool

    private let scrubber: SecretScrubber

    /// - Parameter service: only what this service reads and talks to (an init container's own service); everything when nil.
    public init(environment: Environment, service: String? = nil, timeout: Duration = .seconds(5), beforeStart: Bool = false) {
        settings = DeploymentSettings(environment: environment, service: service)
        scrubber = SecretScrubber(environment: environment)
        self.timeout = timeout
        self.beforeStart = beforeStart
    }

    /// The checks these settings call for, in the order they are printed.
    public var checks: [any DeploymentCheck] {
        var checks: [any DeploymentCheck] = []
        let limit = timeout
        if let shared = settings.shared {
            checks.append(PostgresCheck(databaseURL: shared.databaseURL, timeout: limit, needsCatalog: settings.wants("classifier")))
            checks.append(RedisCheck(url: shared.redisURL, timeout: limit))
            let groups = ConsumerGroupsCheck.expected.filter { settings.wants($0.service) }
            if !groups.isEmpty {
                checks.append(
                    ConsumerGroupsCheck(
                        url: shared.redisURL, streams: StreamNames(prefix: shared.streamPrefix), groups: groups, timeout: limit,
                        beforeStart: beforeStart
                    )
                )
            }
        }
        if let mailIngest = settings.mailIngest {
            for mailbox in mailIngest.imapMailboxes {
                checks.append(MailboxCheck(mailbox: mailbox, credentials: mailIngest.imapCredentials, timeout: limit))
            }
            if let maildir = mailIngest.maildir { checks.append(MaildirCheck(maildir: maildir)) }
        }
        if let smtp = settings.smtp {
            checks.append(SMTPCheck(server: smtp, timeout: limit))
        }
        if let directory = settings.directory, directory.source != nil {
            checks.append(DirectoryCheck(settings: directory))
        }
        if let connector = settings.connector {
            checks.append(HelpdeskConnectorCheck(settings: connector))
        }
        if let slack = settings.slack {
            checks.append(SlackCheck(settings: slack))
        }
        // Read by the classifier or the notifier only, so nil for the others.
        if let providers = settings.providers {
            for (name, call) in providers.freeCalls(timeout: limit) {
                checks.append(LLMProviderCheck(provider: name, call: call))
            }
        }
        return checks
    }

    /// Every line: the settings first, then each check's (run at once, each within the time limit).
    public func examine() async -> [DeploymentFinding] {
        let checks = checks
        let limit = timeout
        let results = await withTaskGroup(of: (Int, [DeploymentFinding]).self) { group in
            for (index, check) in checks.enumerated() {
                group.addTask {
                    let silent = [DeploymentFinding.problem(check.name, "no answer within \(limit.inSeconds) s", fix: check.fixWhenSilent)]
                    return (index, await withDeadline(limit + .seconds(1), orElse: silent) { await check.run() })
                }
            }
            var results: [Int: [DeploymentFinding]] = [:]
            for await (index, findings) in group { results[index] = findings }
            return results
        }
        return (settings.findings + checks.indices.flatMap { results[$0] ?? [] }).map { scrubber.scrub($0) }
    }
}

extension Duration {
    /// Whole and fractional seconds, for people.
    var inSeconds: String {
        let value = Double(components.seconds) + Double(components.attoseconds) / 1e18
        return value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}

/// Runs `work`; when it has not finished after `limit`, answers `fallback` and leaves it behind
/// (a blocking C call cannot be interrupted; the process ends soon after).
func withDeadline<T: Sendable>(_ limit: Duration, orElse fallback: T, _ work: @escaping @Sendable () async -> T) async -> T {
    await withCheckedContinuation { continuation in
        let answer = FirstAnswer(continuation)
        let worker = Task { answer.give(await work()) }
        Task {
            try? await Task.sleep(for: limit)
            worker.cancel()
            answer.give(fallback)
        }
    }
}

/// Resumes its continuation once, with whichever answer comes first.
private final class FirstAnswer<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, Never>?

    init(_ continuation: CheckedContinuation<T, Never>) { self.continuation = continuation }

    func give(_ value: T) {
        lock.lock()
        let waiting = continuation
        continuation = nil
        lock.unlock()
        waiting?.resume(returning: value)
    }
}

/// Runs blocking work (libpq, hiredis, libcurl) on a thread of its own, never on Swift's pool.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.start()
    }
}
