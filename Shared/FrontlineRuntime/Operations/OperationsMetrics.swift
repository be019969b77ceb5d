import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore
import FrontlineStreams
import Hummingbird
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// How often the sampled gauges (consumer lag, backlogs, tickets) are read:
/// `FRONTLINE_METRICS_SAMPLE_SECONDS`, 15 by default. Each sample is one query or one XINFO per stream.
public struct MetricsSampling: Sendable {
    public var interval: Duration

    public init(environment: FrontlineCore.Environment) throws(ConfigurationError) {
        interval = try environment.seconds("FRONTLINE_METRICS_SAMPLE_SECONDS", default: .seconds(15), range: 0.1...3600)
    }
}

/// The consumer groups this process runs, and the streams each reads: what its lag sampler asks about.
public final class ConsumerGroups: Sendable {
    private let groups = Mutex<[String: Set<String>]>([:])

    public init() {}

    func add(group: String, streams: [String]) {
        groups.withLock { $0[group, default: []].formUnion(streams) }
    }

    /// Every (stream, group) pair, in a stable order.
    public var pairs: [(stream: String, group: String)] {
        groups.withLock { groups in
            groups.flatMap { group, streams in streams.map { (stream: $0, group: group) } }.sorted { ($0.group, $0.stream) < ($1.group, $1.stream) }
        }
    }
}

/// Every service's backbone gauges: its own consumer groups' lag and pending entries (XINFO
/// GROUPS). The deployment's dead letters and outbox are the desk's (`DeskSampler`): sampled by
/// every service they would be one query per service per interval for one figure.
public struct BackboneSampler: Sendable {
    let groups: ConsumerGroups
    let redis: RedisClient

    public init(groups: ConsumerGroups, redis: RedisClient) {
        self.groups = groups
        self.redis = redis
    }

    public func sample() async throws {
        let pairs = groups.pairs
        if !pairs.isEmpty {
            let found = try await redis.run { connection -> [((stream: String, group: String), StreamGroupInfo?)] in
                try pairs.map { pair in (pair, try connection.groups(stream: pair.stream).first { $0.name == pair.group }) }
            }
            for (pair, info) in found {
                let dimensions = [("stream", pair.stream), ("group", pair.group)]
                // Before the group exists (nothing consumed yet) it has nothing waiting.
                Gauge(label: "frontline_consumer_group_pending", dimensions: dimensions).record(info?.pending ?? 0)
                // Redis leaves the lag out when it cannot tell (after a trim past the group's
                // position); the gauge keeps its last value rather than claim 0.
                let lag: Int64? = info == nil ? 0 : info?.lag
                if let lag {
                    Gauge(label: "frontline_consumer_group_lag", dimensions: dimensions).record(lag)
                }
            }
        }
    }
}

/// The notifier's delivery backlog per channel: how many wait, and how long the oldest has.
public struct NotificationBacklogSampler: Sendable {
    let channels: [NotificationChannelKind]
    let unitOfWork: DatabaseUnitOfWork
    let clock: any WallClock

    public init(channels: [NotificationChannelKind], unitOfWork: DatabaseUnitOfWork, clock: any WallClock) {
        self.channels = channels
        self.unitOfWork = unitOfWork
        self.clock = clock
    }

    public func sample() async throws {
        let channels = self.channels
        let backlog = try await unitOfWork.read { try $0.operationsFigures.notificationBacklog(channels: channels) }
        let now = clock.now()
        for channel in backlog {
            let dimensions = [("channel", channel.channel.rawValue)]
            Gauge(label: "frontline_notifications_pending", dimensions: dimensions).record(channel.pending)
            let age = channel.oldestStoredAt.map { max(0, now.timeIntervalSince($0)) } ?? 0
            Gauge(label: "frontline_notification_oldest_pending_age_seconds", dimensions: dimensions).record(age)
        }
    }
}

/// The desk's tickets and automation, and the deployment's open dead letters and unpublished
/// outbox rows, sampled from the database by the escalation service alone.
/// The automation counters follow the database's counts: each sample adds what the count grew by.
public final class DeskSampler: Sendable {
    let unitOfWork: DatabaseUnitOfWork
    let clock: any WallClock
    private let seen = Mutex(CountsSeen())

    struct CountsSeen {
        var answeredByAI: [String: Int] = [:]
        var correctedByPeople: [String: Int] = [:]
    }

    public init(unitOfWork: DatabaseUnitOfWork, clock: any WallClock) {
        self.unitOfWork = unitOfWork
        self.clock = clock
    }

    public func sample() async throws {
        let now = clock.now()
        let (figures, backlog) = try await unitOfWork.read { transaction in
            (try transaction.operationsFigures.tickets(at: now), try transaction.operationsFigures.backlog())
        }
        Gauge(label: "frontline_dead_letters_open").record(backlog.deadLettersOpen)
        Gauge(label: "frontline_outbox_pending").record(backlog.outboxPending)
        Gauge(label: "frontline_tickets_open").record(figures.open)
        Gauge(label: "frontline_tickets_unassigned").record(figures.unassigned)
        Gauge(label: "frontline_tickets_sla_at_risk").record(figures.serviceLevelAtRisk)
        Gauge(label: "frontline_tickets_sla_breached").record(figures.serviceLevelBreached)
        Gauge(label: "frontline_ai_drafts_held").record(figures.draftsHeld)
        let (answered, corrected) = seen.withLock { seen in
            let growth = (
                CounterGrowth.since(seen.answeredByAI, now: figures.answeredByAI),
                CounterGrowth.since(seen.correctedByPeople, now: figures.correctedByPeople)
            )
            seen.answeredByAI.merge(figures.answeredByAI) { max($0, $1) }
            seen.correctedByPeople.merge(figures.correctedByPeople) { max($0, $1) }
            return growth
        }
        for (category, by) in answered {
            Counter(label: "frontline_ai_answers_sent_total", dimensions: [("category", category)]).increment(by: by)
        }
        for (category, by) in corrected {
            Counter(label: "frontline_ai_drafts_corrected_total", dimensions: [("category", category)]).increment(by: by)
        }
    }
}

/// How much a counter that follows a count in the database must grow: by what the count grew
/// since the last sample. A count that shrank (a ticket reopened and answered by a person) does
/// not take a counter back; it grows again only past its highest value.
public enum CounterGrowth {
    public static func since(_ before: [String: Int], now: [String: Int]) -> [String: Int] {
        var growth: [String: Int] = [:]
        for (key, value) in now where value > before[key] ?? 0 {
            growth[key] = value - (before[key] ?? 0)
        }
        return growth
    }
}

/// The HTTP series of a Hummingbird door: requests by method, route and status, and their
/// duration. Wraps the whole responder, so requests refused before any route (undeclared paths)
/// are counted too, under `route="unmatched"`.
public struct HTTPMetricsResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context: RequestContext {
    public typealias Context = Inner.Context
    let inner: Inner

    public init(_ inner: Inner) {
        self.inner = inner
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await inner.respond(to: request, context: context)
            record(request, context: context, status: response.status.code, since: started)
            return response
        } catch let error as any HTTPResponseError {
            record(request, context: context, status: error.status.code, since: started)
            throw error
        } catch {
            record(request, context: context, status: 500, since: started)
            throw error
        }
    }

    private func record(_ request: Request, context: Context, status: Int, since started: ContinuousClock.Instant) {
        let method = HTTPRouteLabel.method(request.method.rawValue)
        let route = HTTPRouteLabel.route(matched: context.endpointPath)
        Counter(label: "frontline_http_requests_total", dimensions: [("method", method), ("route", route), ("status", String(status))]).increment()
        let elapsed = (ContinuousClock.now - started).components
        Timer(label: "frontline_http_request_duration_seconds", dimensions: [("method", method), ("route", route)])
            .recordNanoseconds(elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000)
    }
}

/// Builds the router's responder wrapped in `HTTPMetricsResponder`.
public struct HTTPMetricsRouter<Inner: HTTPResponderBuilder>: HTTPResponderBuilder where Inner.Responder.Context: RequestContext {
    let inner: Inner

    public init(_ inner: Inner) {
        self.inner = inner
    }

    public func buildResponder() -> HTTPMetricsResponder<Inner.Responder> {
        HTTPMetricsResponder(inner.buildResponder())
    }
}

/// The labels of the HTTP series, of bounded cardinality: the route is the router's pattern
/// (`/api/v1/tickets/{id}`), never the path a client sent.
public enum HTTPRouteLabel {
    public static let unmatched = "unmatched"
    static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    /// `endpointPath` as Hummingbird recorded it: nil or its "NotFound" when no route matched.
    public static func route(matched endpointPath: String?) -> String {
        guard let endpointPath, !endpointPath.isEmpty, endpointPath != "NotFound" else { return unmatched }
        return endpointPath
    }

    /// A method a client made up is one label, not one each.
    public static func method(_ method: String) -> String {
        methods.contains(method) ? method : "other"
    }
}
