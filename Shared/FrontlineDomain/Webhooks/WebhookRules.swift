import Foundation

/// How a failing delivery is retried and when an endpoint is given up on.
///
/// A delivery is tried again after 30 s, then twice as long each time up to an hour, each wait
/// cut by up to a fifth at random so that deliveries failing together do not retry together. A
/// delivery that fails a day or more after its first attempt is given up (`failed`). An endpoint that
/// has failed every attempt for a day (any success starts the day again) is disabled: nothing
/// more is recorded or sent to it until it is registered again.
public struct WebhookRetryPolicy: Sendable, Equatable {
    public var firstRetry: TimeInterval
    public var longestWait: TimeInterval
    /// The share of a wait that jitter may take off.
    public var jitterShare: Double
    /// A delivery failing this long after its first attempt is given up.
    public var giveUpAfter: TimeInterval
    /// An endpoint failing continuously this long is disabled.
    public var disableAfter: TimeInterval

    public init(
        firstRetry: TimeInterval = 30, longestWait: TimeInterval = 3600, jitterShare: Double = 0.2, giveUpAfter: TimeInterval = 86400,
        disableAfter: TimeInterval = 86400
    ) {
        self.firstRetry = firstRetry
        self.longestWait = longestWait
        self.jitterShare = jitterShare
        self.giveUpAfter = giveUpAfter
        self.disableAfter = disableAfter
    }

    public static let standard = WebhookRetryPolicy()

    /// The wait after the `failedAttempts`th failure (1 for the first), `jitter` in 0...1 taking
    /// up to `jitterShare` of it off.
    public func wait(afterFailedAttempts failedAttempts: Int, jitter: Double) -> TimeInterval {
        let doublings = Double(max(0, failedAttempts - 1))
        let full = min(longestWait, firstRetry * pow(2, min(doublings, 62)))
        return full * (1 - jitterShare * min(1, max(0, jitter)))
    }

    /// What follows a failed attempt of a delivery.
    public enum AfterFailure: Sendable, Equatable {
        case retry(at: Date)
        case giveUp
    }

    /// The next attempt of a delivery that failed its `failedAttempts`th time at `now`, first
    /// tried at `firstAttempt`; or giving up once it has been failing for `giveUpAfter`. (The
    /// same day as `disableAfter`: an endpoint that fails everything is disabled by the same
    /// attempt that gives its oldest delivery up.)
    public func afterFailure(failedAttempts: Int, firstAttempt: Date, now: Date, jitter: Double) -> AfterFailure {
        guard now.timeIntervalSince(firstAttempt) < giveUpAfter else { return .giveUp }
        return .retry(at: now.addingTimeInterval(wait(afterFailedAttempts: failedAttempts, jitter: jitter)))
    }

    /// Whether an endpoint failing without a success since `failingSince` is disabled at `now`.
    public func disables(failingSince: Date, now: Date) -> Bool {
        now.timeIntervalSince(failingSince) >= disableAfter
    }
}

/// Where an endpoint stands, as `webhook list` and the API show it.
public enum WebhookEndpointState: Sendable, Equatable {
    case active
    /// Every attempt since this time failed.
    case failing(since: Date)
    /// Given up after a day of failures: it gets nothing until registered again.
    case disabled(at: Date)

    public init(failingSince: Date?, disabledAt: Date?) {
        if let disabledAt {
            self = .disabled(at: disabledAt)
        } else if let failingSince {
            self = .failing(since: failingSince)
        } else {
            self = .active
        }
    }

    public var name: Name {
        switch self {
        case .active: .active
        case .failing: .failing
        case .disabled: .disabled
        }
    }

    public enum Name: String, Sendable, Codable, CaseIterable {
        case active, failing, disabled
    }
}

/// Where one delivery stands.
public enum WebhookDeliveryStatus: String, Sendable, Codable, CaseIterable {
    /// Waiting for its (next) attempt.
    case pending
    /// The endpoint answered 2xx.
    case delivered
    /// Still failing a day after its first attempt: given up.
    case failed
    /// Its endpoint was disabled before it got through.
    case abandoned
}

/// What a webhook endpoint must be to be registered.
public struct WebhookRegistration: Sendable, Equatable {
    public static let maxURLLength = 2048
    public static let maxNameLength = 100

    public var url: String
    public var events: [WebhookEventName]
    public var name: String?

    public init(url: String, events: [WebhookEventName], name: String?) {
        self.url = url
        self.events = events
        self.name = name
    }

    /// Reads event names as given (a list, or comma-separated text); unknown names are problems.
    public static func events(_ names: [String]) -> (events: [WebhookEventName], problems: [String]) {
        var events: [WebhookEventName] = []
        var problems: [String] = []
        for raw in names.flatMap({ $0.split(separator: ",") }) {
            let text = raw.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { continue }
            if let event = WebhookEventName(rawValue: text) {
                if !events.contains(event) { events.append(event) }
            } else {
                problems.append(
                    "unknown event \(String(text.prefix(60)).debugDescription): the events are \(WebhookEventName.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
        }
        return (events.sorted(), problems)
    }

    /// Why this registration cannot be made, one line each; empty when it can.
    public var problems: [String] {
        var problems: [String] = []
        if url.count > Self.maxURLLength {
            problems.append("the URL is longer than \(Self.maxURLLength) characters")
        } else if let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "https" || scheme == "http", let host = components.host, !host.isEmpty
        {
            if components.user != nil || components.password != nil {
                problems.append("the URL carries a user or password: the endpoint authenticates us by the signature instead")
            }
            if components.fragment != nil { problems.append("the URL has a #fragment, which is never sent") }
        } else {
            problems.append("the URL must be an absolute http:// or https:// URL with a host")
        }
        if url.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " }) {
            problems.append("the URL contains spaces or control characters")
        }
        if events.isEmpty { problems.append("name at least one event: \(WebhookEventName.allCases.map(\.rawValue).joined(separator: ", "))") }
        if let name {
            if name.count > Self.maxNameLength { problems.append("the name is longer than \(Self.maxNameLength) characters") }
            if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                problems.append("the name contains control characters")
            }
        }
        return problems
    }
}
