import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore
import FrontlineStreams
import Logging
import Prometheus
import ServiceLifecycle

/// What a service's wiring gets: its configuration, logger and the shared clients.
public struct ServiceContext: Sendable {
    public let name: String
    public let configuration: FrontlineConfiguration
    public let environment: Environment
    public let logger: Logger
    public let database: Database
    public let streams: StreamNames
    /// The one source of "now" for this process's policies and use cases.
    public let clock: any WallClock
    /// The consumer groups made through this context: the lag sampler reports on them.
    public let consumerGroups = ConsumerGroups()

    /// Plain transactions on the database, for clocks and other work no event causes.
    public var unitOfWork: DatabaseUnitOfWork { DatabaseUnitOfWork(database: database, streams: streams) }

    /// A member of `group` handling the event types `routes` registers.
    public func consumer(group: String, routes: EventRoutes) -> StreamConsumer {
        consumer(group: group, consuming: routes.types, handler: routes)
    }

    /// A member of `group` consuming `types`, with the process's consumer settings.
    public func consumer(group: String, consuming types: [EventType], handler: any EventHandler) -> StreamConsumer {
        let settings = configuration.consumer
        var consumerConfiguration = StreamConsumer.Configuration(
            group: group, streams: types.map(streams.stream(for:)), consumerName: settings.name,
            deadLetterStream: streams.deadLetters
        )
        consumerConfiguration.batchSize = settings.batchSize
        consumerConfiguration.concurrency = settings.concurrency
        consumerConfiguration.visibilityTimeout = settings.visibilityTimeout
        consumerConfiguration.maxDeliveries = settings.maxDeliveries
        consumerConfiguration.outagePatience = settings.outagePatience
        consumerConfiguration.commitGroup = settings.commitGroup
        consumerConfiguration.outboxStreams = streams
        consumerGroups.add(group: group, streams: consumerConfiguration.streams)
        return StreamConsumer(
            configuration: consumerConfiguration, handler: handler, database: database,
            redisURL: configuration.redisURL, logger: logger
        )
    }

    /// The relay that publishes this deployment's outbox. Every service runs one and one of them
    /// leads (an advisory lock), so the outbox drains while any service is up.
    public func outboxRelay() -> OutboxRelay {
        var relay = OutboxRelay.Configuration(databaseURL: configuration.databaseURL, redisURL: configuration.redisURL, streams: streams)
        relay.singleLeader = configuration.outboxRelayLeader
        return OutboxRelay(configuration: relay, logger: logger)
    }
}

/// The start-up every Frontline executable shares: configuration (one line naming a bad
/// value, then exit 78), JSON logging, metrics, a schema check, the operations endpoints, and
/// a ServiceGroup that shuts down gracefully on SIGTERM and SIGINT.
public enum ServiceMain {
    /// EX_CONFIG from sysexits.h: a configuration error.
    public static let configurationExitCode: Int32 = 78

    public static func run(
        name: String, defaultHTTPPort: Int, environment: Environment = Environment(),
        services makeServices: @Sendable (ServiceContext) async throws -> [any Service]
    ) async -> Never {
        let configuration: FrontlineConfiguration
        do {
            configuration = try FrontlineConfiguration(environment: environment, defaultHTTPPort: defaultHTTPPort)
        } catch {
            exitWithConfigurationError(service: name, error)
        }
        let registry = Observability.bootstrap(service: name, level: configuration.logLevel)
        let tracing = tracingOrExit(service: name, environment: environment)
        let logger = Logger(label: name)
        let database = Database(
            configuration: .init(url: configuration.databaseURL, poolSize: configuration.databasePoolSize), logger: logger
        )
        let context = ServiceContext(
            name: name, configuration: configuration, environment: environment, logger: logger, database: database,
            streams: StreamNames(prefix: configuration.streamPrefix),
            clock: environment.wallClock()
        )
        do {
            try await requireCurrentSchema(database)
            let readinessRedis = RedisClient(url: configuration.redisURL, logger: logger)
            try await refuseUntrustedRedis(readinessRedis, url: configuration.redisURL)
            let own = try await makeServices(context)
            let backbone = BackboneSampler(groups: context.consumerGroups, redis: readinessRedis)
            let sampling = try MetricsSampling(environment: environment)
            let operations = OperationsServer.make(
                host: configuration.httpHost, port: configuration.httpPort, registry: registry,
                readiness: { await readiness(database: database, redis: readinessRedis) }, logger: logger
            )
            // Started first, stopped last: the pool outlives everything that uses it, and the
            // probes answer while the workers drain.
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: (tracing + [DatabaseService(database), operations] + own + [
                        PeriodicService(name: "metrics sampler", every: sampling.interval, logger: logger) { try await backbone.sample() },
                    ]).map {
                        .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
                    },
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger
                )
            )
            logger.info(
                "started",
                metadata: [
                    "http_host": "\(configuration.httpHost)", "http_port": "\(configuration.httpPort)",
                    "consumer": "\(configuration.consumer.name)",
                ]
            )
            try await group.run()
            logger.info("stopped")
            exit(0)
        } catch let error as ConfigurationError {
            exitWithConfigurationError(service: name, error)
        } catch let error as PostgresError where error.code == .certificateRejected {
            // Waiting would not help: the settings (or the server's certificate) must change.
            exitWithConfigurationError(
                service: name,
                ConfigurationError(variable: "FRONTLINE_DATABASE_URL", problem: "leads to a server whose certificate is refused: \(error.serverMessage ?? "")")
            )
        } catch let error as RedisError where error.code == .certificateRejected {
            exitWithConfigurationError(
                service: name, ConfigurationError(variable: "FRONTLINE_REDIS_URL", problem: "leads to a server whose certificate is refused: \(error.message)")
            )
        } catch {
            logger.critical("stopped on error", metadata: ["error": "\(error)"])
            exit(1)
        }
    }

    public static func exitWithConfigurationError(service: String, _ error: any Error) -> Never {
        FileHandle.standardError.write(Data("\(service): \(error)\n".utf8))
        exit(configurationExitCode)
    }

    static func requireCurrentSchema(_ database: Database) async throws {
        let status = try await Migrator().status(database)
        guard status.canRun else {
            throw SchemaNotCurrent(current: status.current, expected: status.latest, newerContract: status.newerContract)
        }
    }

    /// One try at start when Redis is reached over TLS: a refused certificate stops the service
    /// now, with one line; an outage is left to each consumer to wait out.
    static func refuseUntrustedRedis(_ redis: RedisClient, url: RedisURL) async throws {
        guard url.tls != nil else { return }
        do {
            try await redis.run(retrying: false) { try $0.command(["PING"]).throwingError() }
        } catch let error as RedisError where error.code == .certificateRejected {
            throw error
        } catch {}
    }

    static func readiness(database: Database, redis: RedisClient) async -> [String: Bool] {
        async let postgres = (try? await database.withConnection(retrying: false) { try $0.query("SELECT 1") }) != nil
        async let redisReady = (try? await redis.run(retrying: false) { try $0.command(["PING"]).throwingError() }) != nil
        return ["postgres": await postgres, "redis": await redisReady]
    }
}

public struct SchemaNotCurrent: Error, CustomStringConvertible {
    public var current: Int?
    public var expected: Int
    public var newerContract: [Int] = []
    public var description: String {
        if !newerContract.isEmpty {
            return "database schema is at version \(current.map(String.init) ?? "none"), and its contract steps "
                + "\(newerContract.map(String.init).joined(separator: ", ")) removed what this build (version \(expected)) uses: deploy the newer release"
        }
        return "database schema is at version \(current.map(String.init) ?? "none"), this build needs \(expected): run `frontline migrate`"
    }
}

extension Environment {
    /// The clock every service and the CLI read: the system's, unless `FRONTLINE_CLOCK_FILE`
    /// names a file holding the time (a drill moves time for all of them at once).
    public func wallClock() -> any WallClock {
        FileWallClock(file: string("FRONTLINE_CLOCK_FILE"))
    }
}
