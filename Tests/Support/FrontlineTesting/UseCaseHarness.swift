import Foundation
import FrontlineMail
import FrontlineRuntime
import FrontlineUseCases

// Given / when / then on a scratch deployment, in-process: a use case runs in the test's own
// process against the real PostgreSQL, with the clock the test holds, and the test reads what
// it changed through the same repositories the services use.
//
//     let scratch = try await Scratch()
//     let outcome = try await scratch.ingest(mail("Printer offline"))        // given / when
//     #expect(try await scratch.published(TicketReceived.self).count == 1)   // then

extension Scratch {
    /// Plain transactions on this deployment's database, publishing to its streams.
    public var unitOfWork: DatabaseUnitOfWork { DatabaseUnitOfWork(database: database, streams: streams) }

    /// The events of one type the use cases put in the outbox, oldest first.
    public func published<P: EventPayload>(_ type: P.Type) async throws -> [P] {
        try await publishedEvents(type).map(\.payload)
    }

    /// The events of one type the use cases put in the outbox, with their tickets, oldest first.
    public func publishedEvents<P: EventPayload>(_ type: P.Type) async throws -> [(ticketID: Int64?, payload: P)] {
        let stream = streams.stream(for: P.type)
        return try await unitOfWork.read { try $0.outbox.envelopes(on: stream) }.map { envelope in
            (envelope.ticketID, try envelope.payload(as: P.self))
        }
    }

    /// The ticket as people see it (`frontline ticket show`), nil when there is none.
    public func ticket(_ id: Int64) async throws -> TicketOverview? {
        try await unitOfWork.read { try $0.tickets.overview(of: id) }
    }

    /// Hands one message to the intake use case, as a door of channel `channel` would.
    public func ingest(
        _ raw: [UInt8], channel: String = "test", clock: any WallClock = SystemWallClock(),
        settings: IngestMessage.Settings = .testing
    ) async throws -> IngestOutcome {
        try await IngestMessage(settings: settings, clock: clock, logger: TestServers.logger)
            .run(InboundMessage(.mime(raw), from: MessageOrigin(channel: channel)), in: unitOfWork)
    }

    /// The same, for a message written as text with `\n` line ends.
    public func ingest(
        _ text: String, channel: String = "test", clock: any WallClock = SystemWallClock(),
        settings: IngestMessage.Settings = .testing
    ) async throws -> IngestOutcome {
        try await ingest(Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8), channel: channel, clock: clock, settings: settings)
    }
}

extension IngestMessage.Settings {
    /// The intake as a test deployment runs it: our address is helpdesk@helpdesk.example.
    public static var testing: IngestMessage.Settings {
        IngestMessage.Settings(
            autoReplyGuard: AutoReplyGuard(ownLoopValue: "helpdesk@helpdesk.example"), ownAddresses: ["helpdesk@helpdesk.example"]
        )
    }
}

extension IngestMessage.Settings {
    /// The test deployment's intake that also reads technicians' reply addresses, minted with
    /// the test secret on helpdesk@helpdesk.example.
    public static var testingWithReplyAddresses: IngestMessage.Settings {
        var settings = IngestMessage.Settings.testing
        settings.replyAddresses = ReplyAddresses(secret: testReplySecret, ownAddress: "helpdesk@helpdesk.example")
        return settings
    }
}

extension Scratch {
    /// Every group that reads `type`'s stream has had all `count` entries delivered and
    /// acknowledged (a handler that writes nothing leaves no other trace).
    public func drained(_ type: EventType, count: Int64, groups: Set<String>) async throws -> Bool {
        let stream = streams.stream(for: type)
        let (length, infos) = try await redis.run { connection in
            (try connection.length(stream: stream), try connection.groups(stream: stream))
        }
        guard length == count, groups.isSubset(of: Set(infos.map(\.name))) else { return false }
        return infos.allSatisfy { $0.lag == 0 && $0.pending == 0 }
    }
}
