import FrontlineCore

/// One entry read from a stream: its id and its fields.
public struct StreamEntry: Sendable, Equatable {
    public var id: String
    public var fields: [String: String]

    public init(id: String, fields: [String: String]) {
        self.id = id
        self.fields = fields
    }

    /// The field that carries the event envelope.
    public static let envelopeField = "event"
    public var envelope: String? { fields[Self.envelopeField] }
}

/// A pending entry as XPENDING reports it.
public struct PendingEntry: Sendable, Equatable {
    public var id: String
    public var consumer: String
    public var idleMilliseconds: Int64
    public var deliveries: Int64
}

public struct StreamGroupInfo: Sendable, Equatable {
    public var name: String
    public var consumers: Int64
    public var pending: Int64
    public var lastDeliveredID: String
    /// Entries not yet delivered to the group; nil when Redis cannot tell.
    public var lag: Int64?
}

/// The stream commands Frontline uses, over RESP2.
extension RedisConnection {
    /// Creates the group (and the stream) if missing. New groups start at the stream's
    /// beginning so that nothing published before the first consumer started is missed.
    public func ensureGroup(stream: String, group: String) throws(RedisError) {
        let reply = try command(["XGROUP", "CREATE", stream, group, "0", "MKSTREAM"])
        if case .error(let message) = reply, !message.hasPrefix("BUSYGROUP") {
            throw RedisError(code: .commandFailed, message: message)
        }
    }

    @discardableResult
    public func xadd(stream: String, fields: [(String, String)]) throws(RedisError) -> String {
        let reply = try command(["XADD", stream, "*"] + fields.flatMap { [$0.0, $0.1] }).throwingError()
        guard let id = reply.string else { throw RedisError(code: .unexpectedReply, message: "XADD returned no id") }
        return id
    }

    /// XREADGROUP on several streams; `id` is ">" for new entries, "0" for own pending ones.
    public func readGroup(
        group: String, consumer: String, streams: [String], id: String, count: Int, blockMilliseconds: Int?
    ) throws(RedisError) -> [(stream: String, entries: [StreamEntry])] {
        var arguments = ["XREADGROUP", "GROUP", group, consumer, "COUNT", String(count)]
        if let blockMilliseconds { arguments += ["BLOCK", String(blockMilliseconds)] }
        arguments.append("STREAMS")
        arguments += streams
        arguments += Array(repeating: id, count: streams.count)
        let reply = try command(arguments).throwingError()
        guard let streamReplies = reply.array else { return [] }  // nil reply: timed out
        return try streamReplies.map { streamReply throws(RedisError) in
            guard let pair = streamReply.array, pair.count == 2, let name = pair[0].string, let entries = pair[1].array else {
                throw RedisError(code: .unexpectedReply, message: "XREADGROUP reply is not [stream, entries]")
            }
            return (name, try Self.entries(entries))
        }
    }

    /// Claims entries idle for at least `minIdleMilliseconds`, starting at `start`; returns the
    /// cursor for the next call ("0-0" when the scan is complete) and the claimed entries.
    public func autoClaim(
        stream: String, group: String, consumer: String, minIdleMilliseconds: Int64, start: String, count: Int
    ) throws(RedisError) -> (next: String, entries: [StreamEntry]) {
        let reply = try command([
            "XAUTOCLAIM", stream, group, consumer, String(minIdleMilliseconds), start, "COUNT", String(count),
        ]).throwingError()
        guard let parts = reply.array, parts.count >= 2, let next = parts[0].string, let entries = parts[1].array else {
            throw RedisError(code: .unexpectedReply, message: "XAUTOCLAIM reply is not [cursor, entries, ...]")
        }
        return (next, try Self.entries(entries))
    }

    /// Renews this consumer's claim on entries it is handling: XCLAIM … JUSTID resets their idle
    /// time without counting a delivery, so that peers' XAUTOCLAIM leaves them alone. Only
    /// entries still owned by `consumer` are touched (checked and claimed atomically in a
    /// script): one a peer took over stays the peer's. Returns the ids still ours.
    public func renewClaims(stream: String, group: String, consumer: String, ids: [String]) throws(RedisError) -> [String] {
        guard !ids.isEmpty else { return [] }
        let reply = try command(["EVAL", Self.renewClaimsScript, "1", stream, group, consumer] + ids).throwingError()
        return (reply.array ?? []).compactMap(\.string)
    }

    private static let renewClaimsScript = """
        local kept = {}
        for i = 3, #ARGV do
          local entry = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)[1]
          if entry and entry[2] == ARGV[2] then
            redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
            kept[#kept + 1] = ARGV[i]
          end
        end
        return kept
        """

    /// The pending entries of a group between two ids (inclusive), optionally of one consumer.
    public func pending(stream: String, group: String, from: String = "-", to: String = "+", count: Int, consumer: String? = nil)
        throws(RedisError) -> [PendingEntry]
    {
        var arguments = ["XPENDING", stream, group, from, to, String(count)]
        if let consumer { arguments.append(consumer) }
        let reply = try command(arguments).throwingError()
        return (reply.array ?? []).compactMap { item in
            guard let fields = item.array, fields.count == 4, let id = fields[0].string, let consumer = fields[1].string,
                let idle = fields[2].integer, let deliveries = fields[3].integer
            else { return nil }
            return PendingEntry(id: id, consumer: consumer, idleMilliseconds: idle, deliveries: deliveries)
        }
    }

    /// The number of entries pending in a group.
    public func pendingCount(stream: String, group: String) throws(RedisError) -> Int64 {
        let reply = try command(["XPENDING", stream, group]).throwingError()
        return reply.array?.first?.integer ?? 0
    }

    @discardableResult
    public func ack(stream: String, group: String, ids: [String]) throws(RedisError) -> Int64 {
        guard !ids.isEmpty else { return 0 }
        return try command(["XACK", stream, group] + ids).throwingError().integer ?? 0
    }

    public func length(stream: String) throws(RedisError) -> Int64 {
        try command(["XLEN", stream]).throwingError().integer ?? 0
    }

    /// The entries between two ids (inclusive).
    public func range(stream: String, from: String, to: String, count: Int) throws(RedisError) -> [StreamEntry] {
        let reply = try command(["XRANGE", stream, from, to, "COUNT", String(count)]).throwingError()
        return try Self.entries(reply.array ?? [])
    }

    public func groups(stream: String) throws(RedisError) -> [StreamGroupInfo] {
        let reply = try command(["XINFO", "GROUPS", stream])
        if case .error(let message) = reply {
            if message.contains("no such key") { return [] }
            throw RedisError(code: .commandFailed, message: message)
        }
        return (reply.array ?? []).compactMap { group in
            guard let flat = group.array else { return nil }
            var fields: [String: RedisReply] = [:]
            for index in stride(from: 0, to: flat.count - 1, by: 2) {
                if let key = flat[index].string { fields[key] = flat[index + 1] }
            }
            guard let name = fields["name"]?.string else { return nil }
            return StreamGroupInfo(
                name: name,
                consumers: fields["consumers"]?.integer ?? 0,
                pending: fields["pending"]?.integer ?? 0,
                lastDeliveredID: fields["last-delivered-id"]?.string ?? "0-0",
                lag: fields["lag"]?.integer
            )
        }
    }

    /// Removes entries older than `minID` (exact, not approximate).
    @discardableResult
    public func trim(stream: String, minID: String) throws(RedisError) -> Int64 {
        try command(["XTRIM", stream, "MINID", minID]).throwingError().integer ?? 0
    }

    /// The oldest entry any group still needs: its oldest pending entry, or the first one after
    /// its last delivered; never later than the retention cutoff. Nil when the stream has no
    /// group yet (nobody has read it, so nothing may go).
    public func safeTrimPoint(stream: String, notAfterMilliseconds: Int64) throws -> String? {
        let groups = try groups(stream: stream)
        guard !groups.isEmpty else { return nil }
        var candidate = "\(max(0, notAfterMilliseconds))-0"
        for group in groups {
            let summary = try command(["XPENDING", stream, group.name]).throwingError().array ?? []
            let needed: String
            if let count = summary.first?.integer, count > 0, summary.count > 1, let oldest = summary[1].string {
                needed = oldest
            } else {
                needed = Self.nextID(after: group.lastDeliveredID)
            }
            if streamID(needed, isBefore: candidate) { candidate = needed }
        }
        return candidate
    }

    private static func nextID(after id: String) -> String {
        let pieces = id.split(separator: "-")
        guard pieces.count == 2, let ms = UInt64(pieces[0]), let seq = UInt64(pieces[1]) else { return "0-0" }
        return "\(ms)-\(seq + 1)"
    }

    private static func entries(_ replies: [RedisReply]) throws(RedisError) -> [StreamEntry] {
        var entries: [StreamEntry] = []
        entries.reserveCapacity(replies.count)
        for reply in replies { entries.append(try entry(reply)) }
        return entries
    }

    /// Parses [id, [field, value, ...]]; a deleted entry (nil fields) comes back with none.
    private static func entry(_ reply: RedisReply) throws(RedisError) -> StreamEntry {
        guard let pair = reply.array, pair.count == 2, let id = pair[0].string else {
            throw RedisError(code: .unexpectedReply, message: "stream entry is not [id, fields]")
        }
        var fields: [String: String] = [:]
        if let flat = pair[1].array {
            for index in stride(from: 0, to: flat.count - 1, by: 2) {
                if let key = flat[index].string, let value = flat[index + 1].string { fields[key] = value }
            }
        }
        return StreamEntry(id: id, fields: fields)
    }
}

/// Compares stream ids ("ms-seq").
public func streamID(_ lhs: String, isBefore rhs: String) -> Bool {
    func parts(_ id: String) -> (UInt64, UInt64) {
        let pieces = id.split(separator: "-")
        return (UInt64(pieces.first ?? "0") ?? 0, UInt64(pieces.count > 1 ? pieces[1] : "0") ?? 0)
    }
    return parts(lhs) < parts(rhs)
}
