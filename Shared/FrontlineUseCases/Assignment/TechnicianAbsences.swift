import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineStore

/// There is no technician with this id.
public struct NoSuchTechnician: Error, Equatable, CustomStringConvertible {
    public var technician: Int64
    public init(technician: Int64) { self.technician = technician }
    public var description: String { "there is no technician \(technician)" }
}

/// A person records that a technician will be away. From its start the assigner gives them no
/// ticket and moves their open ones to others (`ReassignFromAbsentTechnicians`), as for an
/// absence from the seed: both live in the same table.
public struct RecordAbsence: Sendable {
    public init() {}

    /// The absence cannot be recorded as given; nothing changed.
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public var problems: [String]
        public var description: String { problems.joined(separator: "; ") }
    }

    /// Longest reason kept, in Unicode scalars (what PostgreSQL counts).
    public static let reasonLimit = 500
    /// Times outside these years are typing mistakes, and some cannot be stored.
    static let earliest = Date(timeIntervalSince1970: 946_684_800)  // 2000-01-01
    static let latest = Date(timeIntervalSince1970: 7_258_118_400)  // 2200-01-01

    /// What is wrong with an absence from `start` to `end`, one line each; empty when it can be recorded.
    public static func problems(from start: Date, to end: Date, reason: String?) -> [String] {
        var problems: [String] = []
        if end <= start { problems.append("ends_at must be after starts_at") }
        if start < earliest || end > latest { problems.append("an absence must lie between the years 2000 and 2200") }
        if let reason, reason.unicodeScalars.count > reasonLimit { problems.append("the reason is longer than \(reasonLimit) characters") }
        return problems
    }

    @discardableResult
    public func run(
        technician: Int64, from start: Date, to end: Date, reason: String?, by actor: Actor, in unitOfWork: some UnitOfWork
    ) async throws -> TechnicianAbsence {
        let problems = Self.problems(from: start, to: end, reason: reason)
        guard problems.isEmpty else { throw Invalid(problems: problems) }
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        return try await unitOfWork.transaction { transaction in
            guard let person = try transaction.team.technician(id: technician) else { throw NoSuchTechnician(technician: technician) }
            let absence = try transaction.team.addAbsence(of: technician, from: start, to: end, reason: reason)
            var details: [String: JSONValue] = [
                "technician": .string(person.email), "absence": .number(Double(absence.id)),
                "starts_at": .string(Timestamp.format(start)), "ends_at": .string(Timestamp.format(end)),
            ]
            if let reason { details["reason"] = .string(reason) }
            try transaction.audit.record("absence recorded", by: actor, details: .object(details))
            return absence
        }
    }
}

/// A person removes a technician's absence (planned by mistake, or over early); from then on
/// the assigner counts them as at work again.
public struct CancelAbsence: Sendable {
    public init() {}

    /// The technician has no absence with this id.
    public struct NoSuchAbsence: Error, Equatable, CustomStringConvertible {
        public var absence: Int64
        public var description: String { "technician has no absence \(absence)" }
    }

    @discardableResult
    public func run(technician: Int64, absence: Int64, by actor: Actor, in unitOfWork: some UnitOfWork) async throws -> TechnicianAbsence {
        try await unitOfWork.transaction { transaction in
            guard let person = try transaction.team.technician(id: technician) else { throw NoSuchTechnician(technician: technician) }
            guard let removed = try transaction.team.removeAbsence(absence, of: technician) else { throw NoSuchAbsence(absence: absence) }
            try transaction.audit.record(
                "absence removed", by: actor,
                details: .object([
                    "technician": .string(person.email), "absence": .number(Double(absence)),
                    "starts_at": .string(Timestamp.format(removed.startsAt)), "ends_at": .string(Timestamp.format(removed.endsAt)),
                ])
            )
            return removed
        }
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}
