import Foundation
import FrontlineCore
import FrontlineDomain

extension StoreTransaction {
    /// The HTTP API's bearer tokens.
    public var apiTokens: ApiTokenRepository { ApiTokenRepository(connection: connection) }
}

/// A token as listed and as a request is authenticated by: never the token itself.
public struct ApiTokenRecord: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var role: APIRole
    /// The technician the token acts as, nil when it acts as nobody (it cannot answer customers).
    public var technicianID: Int64?
    public var technicianName: String?
    public var technicianEmail: String?
    public var createdAt: Date
    public var revokedAt: Date?
}

/// A token name that is already taken.
public struct ApiTokenNameTaken: Error, CustomStringConvertible {
    public var name: String
    public var description: String { "there is already a token named \(name)" }
}

/// The `api_tokens` table: created by `frontline token create`, read on every API request.
public struct ApiTokenRepository {
    let connection: PostgresConnection

    private static let select = """
        SELECT k.id, k.name, k.role, k.technician_id, k.created_at, k.revoked_at, x.name AS technician_name, x.email AS technician_email
        FROM api_tokens k LEFT JOIN technicians x ON x.id = k.technician_id
        """

    /// Stores a new token by its hash; throws `ApiTokenNameTaken` when the name is in use.
    @discardableResult
    public func create(name: String, role: APIRole, tokenHash: String, technicianID: Int64?) throws -> Int64 {
        do {
            return try connection.query(
                "INSERT INTO api_tokens (name, role, token_hash, technician_id) VALUES ($1, $2, $3, $4) RETURNING id",
                [name, role.rawValue, tokenHash, technicianID]
            ).first!.int64("id")
        } catch let error as PostgresError where error.isUniqueViolation {
            throw ApiTokenNameTaken(name: name)
        }
    }

    /// Every token, revoked ones too, by name.
    public func list() throws -> [ApiTokenRecord] {
        try connection.query(Self.select + " ORDER BY k.name").map(Self.record)
    }

    /// The unrevoked token with this hash, nil when there is none.
    public func active(tokenHash: String) throws -> ApiTokenRecord? {
        try connection.query(Self.select + " WHERE k.token_hash = $1 AND k.revoked_at IS NULL", [tokenHash]).first.map(Self.record)
    }

    /// Revokes the token `name`; false when there is no unrevoked token of that name.
    public func revoke(name: String) throws -> Bool {
        try connection.execute("UPDATE api_tokens SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL", [name]) == 1
    }

    private static func record(_ row: PostgresRow) throws -> ApiTokenRecord {
        ApiTokenRecord(
            id: try row.int64("id"), name: try row.string("name"), role: try row.value("role", as: APIRole.self),
            technicianID: row.optionalInt64("technician_id"), technicianName: row["technician_name"], technicianEmail: row["technician_email"],
            createdAt: try row.date("created_at"), revokedAt: row.optionalDate("revoked_at")
        )
    }
}
