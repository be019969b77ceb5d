import Foundation
import FrontlineCore
import FrontlineDomain

extension StoreTransaction {
    /// What the directory said about each ticket's requester.
    public var requesterProfiles: RequesterProfileRepository { RequesterProfileRepository(connection: connection) }
}

/// The `requester_profiles` table: written by the directory lookup (classifier, retry tick),
/// read by notifications, `ticket show`, the API and the console.
public struct RequesterProfileRepository {
    let connection: PostgresConnection

    /// Stores (or replaces) the profile of `ticket`'s requester.
    public func store(_ profile: RequesterProfile, ticket: Int64) throws {
        let entry = profile.entry
        let devices = String(decoding: try Self.devicesEncoder.encode(entry?.devices ?? []), as: UTF8.self)
        try connection.executeDeferred(
            """
            INSERT INTO requester_profiles (ticket_id, email, in_directory, display_name, department, title, phone,
                manager_name, manager_email, groups, devices, read_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text[], $11::jsonb, $12)
            ON CONFLICT (ticket_id) DO UPDATE SET email = EXCLUDED.email, in_directory = EXCLUDED.in_directory,
                display_name = EXCLUDED.display_name, department = EXCLUDED.department, title = EXCLUDED.title,
                phone = EXCLUDED.phone, manager_name = EXCLUDED.manager_name, manager_email = EXCLUDED.manager_email,
                groups = EXCLUDED.groups, devices = EXCLUDED.devices, read_at = EXCLUDED.read_at
            """,
            [
                ticket, profile.email, entry != nil, entry?.displayName, entry?.department, entry?.title, entry?.phone,
                entry?.managerName, entry?.managerEmail, PostgresTextArray(entry?.groups ?? []), devices, profile.readAt,
            ]
        )
    }

    /// The stored profile of `ticket`'s requester; nil when none was read yet.
    public func profile(of ticket: Int64) throws -> RequesterProfile? {
        try connection.query(
            """
            SELECT email, in_directory, display_name, department, title, phone, manager_name, manager_email,
                groups, devices::text AS devices, read_at
            FROM requester_profiles WHERE ticket_id = $1
            """,
            [ticket]
        ).first.map(Self.profile(from:))
    }

    /// Every stored profile of the requester `email`, oldest ticket first (their data export).
    public func profiles(email: String) throws -> [RequesterProfile] {
        try connection.query(
            """
            SELECT email, in_directory, display_name, department, title, phone, manager_name, manager_email,
                groups, devices::text AS devices, read_at
            FROM requester_profiles WHERE lower(email) = lower($1) ORDER BY ticket_id
            """,
            [email]
        ).map(Self.profile(from:))
    }

    /// The address a ticket's requester wrote from (what the directory is asked about).
    public func requesterEmail(ofTicket ticket: Int64) throws -> String? {
        try connection.query("SELECT requester_email FROM tickets WHERE id = $1", [ticket]).first?["requester_email"]
    }

    /// Tickets still being worked whose requester has no profile, or one read before
    /// `staleBefore`: what the retry tick reads again, oldest ticket first. A `new` ticket is
    /// left to the classifier, which reads its requester before deciding.
    public func ticketsToLookUp(staleBefore: Date, limit: Int) throws -> [(ticket: Int64, email: String)] {
        try connection.query(
            """
            SELECT t.id, t.requester_email FROM tickets t
            LEFT JOIN requester_profiles p ON p.ticket_id = t.id
            WHERE t.requester_email IS NOT NULL AND t.status NOT IN ($1, $2, $5)
                AND (p.ticket_id IS NULL OR p.read_at < $3)
            ORDER BY t.id LIMIT $4
            """,
            [TicketStatus.solved, TicketStatus.closed, staleBefore, limit, TicketStatus.new]
        ).map { (try $0.int64("id"), try $0.string("requester_email")) }
    }

    /// Erasure: removes every stored profile of the requester `email` (any ticket), or only
    /// `ticket`'s when given. Answers how many were removed.
    public func erase(email: String, ticket: Int64? = nil) throws -> Int {
        try connection.execute(
            "DELETE FROM requester_profiles WHERE lower(email) = lower($1) AND ($2::bigint IS NULL OR ticket_id = $2)",
            [email, ticket]
        )
    }

    // Devices are kept as JSON with ISO 8601 times, the form the API shows them in.
    static let devicesEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()
    static let devicesDecoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    static func profile(from row: PostgresRow) throws -> RequesterProfile {
        var entry: DirectoryEntry?
        if try row.bool("in_directory") {
            let devices = try row["devices"].map { try Self.devicesDecoder.decode([DirectoryDevice].self, from: Data($0.utf8)) } ?? []
            entry = DirectoryEntry(
                displayName: row["display_name"], department: row["department"], title: row["title"], phone: row["phone"],
                managerName: row["manager_name"], managerEmail: row["manager_email"], groups: row.textArray("groups") ?? [],
                devices: devices
            )
        }
        return RequesterProfile(email: try row.string("email"), entry: entry, readAt: try row.date("read_at"))
    }
}
