import CLibPQ
import Foundation
import FrontlineCore

/// A value bound to a statement parameter. Values always travel apart from the SQL text.
public protocol PostgresBindable {
    var postgresParameter: PostgresParameter { get }
}

public enum PostgresParameter: Sendable {
    case null
    case text(String)
    case binary([UInt8])
}

extension String: PostgresBindable { public var postgresParameter: PostgresParameter { .text(self) } }
extension Substring: PostgresBindable { public var postgresParameter: PostgresParameter { .text(String(self)) } }
extension Int: PostgresBindable { public var postgresParameter: PostgresParameter { .text(String(self)) } }
extension Int32: PostgresBindable { public var postgresParameter: PostgresParameter { .text(String(self)) } }
extension Int64: PostgresBindable { public var postgresParameter: PostgresParameter { .text(String(self)) } }
extension Double: PostgresBindable { public var postgresParameter: PostgresParameter { .text(String(self)) } }
extension Bool: PostgresBindable { public var postgresParameter: PostgresParameter { .text(self ? "t" : "f") } }
extension Date: PostgresBindable {
    public var postgresParameter: PostgresParameter { .text(Timestamp.format(self)) }
}
extension Array: PostgresBindable where Element == UInt8 {
    /// bytea, sent in binary.
    public var postgresParameter: PostgresParameter { .binary(self) }
}
extension Optional: PostgresBindable where Wrapped: PostgresBindable {
    public var postgresParameter: PostgresParameter {
        switch self {
        case .none: .null
        case .some(let value): value.postgresParameter
        }
    }
}

/// A text[] parameter, for `= ANY($1)`.
public struct PostgresTextArray: PostgresBindable, Sendable {
    public var values: [String]
    public init(_ values: [String]) { self.values = values }
    public var postgresParameter: PostgresParameter {
        let quoted = values.map { value in
            "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return .text("{" + quoted.joined(separator: ",") + "}")
    }
}

/// One row of a result, values in PostgreSQL's text format.
public struct PostgresRow: Sendable {
    public let columns: [String]
    public let values: [String?]

    public subscript(_ index: Int) -> String? { values[index] }

    public subscript(_ name: String) -> String? {
        guard let index = columns.firstIndex(of: name) else { return nil }
        return values[index]
    }

    public func string(_ name: String) throws -> String {
        guard let value = self[name] else { throw missing(name) }
        return value
    }

    public func int64(_ name: String) throws -> Int64 {
        guard let text = self[name], let value = Int64(text) else { throw missing(name) }
        return value
    }

    public func int(_ name: String) throws -> Int {
        Int(try int64(name))
    }

    public func optionalInt64(_ name: String) -> Int64? { self[name].flatMap(Int64.init) }

    public func double(_ name: String) throws -> Double {
        guard let text = self[name], let value = Double(text) else { throw missing(name) }
        return value
    }

    public func bool(_ name: String) throws -> Bool {
        guard let text = self[name] else { throw missing(name) }
        return text == "t"
    }

    /// A timestamptz column; the session runs in UTC with ISO dates.
    public func date(_ name: String) throws -> Date {
        guard let text = self[name], let date = PostgresRow.parseTimestamp(text) else { throw missing(name) }
        return date
    }

    public func optionalDate(_ name: String) -> Date? { self[name].flatMap(PostgresRow.parseTimestamp) }

    /// A bytea column (PostgreSQL's hex output, `\x…`).
    public func bytes(_ name: String) -> [UInt8]? {
        guard let text = self[name], text.hasPrefix("\\x") else { return nil }
        func nibble(_ c: UInt8) -> UInt8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            default: c &- UInt8(ascii: "A") &+ 10
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count / 2)
        var high: UInt8?
        for c in text.utf8.dropFirst(2) {
            if let h = high {
                bytes.append(h << 4 | nibble(c))
                high = nil
            } else {
                high = nibble(c)
            }
        }
        return bytes
    }

    /// A text[] column in PostgreSQL's text form: `{a,"b c"}`.
    public func textArray(_ name: String) -> [String]? {
        guard let text = self[name], text.hasPrefix("{"), text.hasSuffix("}") else { return nil }
        guard text.count > 2 else { return [] }
        var items: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in text.dropFirst().dropLast() {
            if escaped {
                current.append(character)
                escaped = false
                continue
            }
            switch character {
            case "\\": escaped = true
            case "\"": quoted.toggle()
            case "," where !quoted:
                items.append(current)
                current = ""
            default: current.append(character)
            }
        }
        items.append(current)
        return items
    }

    static func parseTimestamp(_ text: String) -> Date? {
        // "2026-11-21 10:00:00.123456+00"
        var iso = text.replacingOccurrences(of: " ", with: "T")
        if iso.hasSuffix("+00") { iso = String(iso.dropLast(3)) + "Z" }
        if let dot = iso.firstIndex(of: "."), let zone = iso.lastIndex(of: "Z") {
            let fraction = iso[iso.index(after: dot)..<zone]
            iso = String(iso[...dot]) + String(fraction.prefix(3)).padding(toLength: 3, withPad: "0", startingAt: 0) + "Z"
        }
        return Timestamp.parse(iso)
    }

    private func missing(_ name: String) -> PostgresError {
        PostgresError(code: .unexpectedResult, serverMessage: "column \(name) is missing or of another type")
    }
}

/// A libpq connection. Not thread-safe: it lives on one thread of a `Database` pool.
public final class PostgresConnection {
    private var connection: OpaquePointer?
    private let conninfo: String
    /// Statements prepared on this connection, by their text: parsed and planned once, not per
    /// call (parsing and planning were a large share of the server's CPU under load).
    private var prepared: [String: String] = [:]
    private var preparedCount = 0
    static let preparedLimit = 512
    /// Between `begin` and `commit`/`rollback`.
    private var transactionOpen = false
    /// BEGIN not sent yet: it goes with the transaction's first statement, in one round trip.
    private var beginPending = false
    /// Statements whose answer nobody waits for (`executeDeferred`), sent with the next one.
    private var deferred: [Statement] = []

    private struct Statement {
        let sql: String
        let parameters: [PostgresParameter]
    }

    /// Opens a connection; the session runs in UTC.
    public init(url: String) throws(PostgresError) {
        conninfo = url
        connection = PQconnectdb(Self.withoutGSSEncryptionProbe(url))
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            let message = connection.map { String(cString: PQerrorMessage($0)) }
            PQfinish(connection)
            self.connection = nil
            throw PostgresError(code: Self.refusesCertificate(message ?? "") ? .certificateRejected : .connectionFailed, serverMessage: message)
        }
        // Timestamps travel in UTC; server notices ("already exists, skipping") are not for stderr.
        try executeScript("SET TIME ZONE 'UTC'; SET client_min_messages TO warning")
    }

    deinit {
        PQfinish(connection)
    }

    /// libpq has no error codes for connecting, only text; these are its messages for a
    /// certificate it will not trust and a root certificate it cannot read.
    static func refusesCertificate(_ message: String) -> Bool {
        ["certificate verify failed", "does not match host name", "root certificate file", "could not read root certificate"]
            .contains { message.contains($0) }
    }

    /// libpq built with GSSAPI first tries GSS encryption on every connect, which initialises
    /// Kerberos: a process exiting while a pool thread connects can trip its mutex assertions,
    /// and no deployment of ours uses it. A URL that names `gssencmode` keeps its own choice.
    static func withoutGSSEncryptionProbe(_ url: String) -> String {
        guard !url.contains("gssencmode") else { return url }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            return url + (url.contains("?") ? "&" : "?") + "gssencmode=disable"
        }
        return url + " gssencmode=disable"
    }

    public var isHealthy: Bool {
        guard let connection else { return false }
        return PQstatus(connection) == CONNECTION_OK
    }

    /// Runs one statement with its parameters bound apart from the text; returns its rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresBindable] = []) throws(PostgresError) -> [PostgresRow] {
        let result = try send(Statement(sql: sql, parameters: parameters.map(\.postgresParameter)))
        defer { PQclear(result) }
        return Self.rows(of: result)
    }

    /// Like `query`, for statements whose rows do not matter; returns the affected row count.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [any PostgresBindable] = []) throws(PostgresError) -> Int {
        let result = try send(Statement(sql: sql, parameters: parameters.map(\.postgresParameter)))
        defer { PQclear(result) }
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    /// In a transaction, a statement whose answer only the commit needs (an outbox row, a
    /// savepoint): it travels with the next statement, or with the COMMIT, in one round trip
    /// (libpq's pipeline mode), and its error is thrown there; the transaction fails either way.
    /// Not for a statement whose failure the caller would catch and handle. Outside a
    /// transaction it runs at once.
    public func executeDeferred(_ sql: String, _ parameters: [any PostgresBindable] = []) throws(PostgresError) {
        let statement = Statement(sql: sql, parameters: parameters.map(\.postgresParameter))
        guard transactionOpen else {
            PQclear(try send(statement))
            return
        }
        // Prepared now: preparing is a round trip of its own, which a pipeline cannot hold.
        _ = try preparedName(statement)
        deferred.append(statement)
    }

    /// Runs a script of several statements with no parameters (migrations only).
    public func executeScript(_ sql: String) throws(PostgresError) {
        guard let connection else { throw PostgresError(code: .connectionLost) }
        if beginPending || !deferred.isEmpty { PQclear(try pipeline(deferred.removeAllReturning())) }
        let result = PQexec(connection, sql)
        defer { PQclear(result) }
        try check(result)
    }

    /// Starts a transaction. BEGIN is sent with the first statement, not on its own.
    public func begin() throws(PostgresError) {
        if transactionOpen { rollback() }
        transactionOpen = true
        beginPending = true
    }

    public func commit() throws(PostgresError) {
        defer { transactionOpen = false }
        if beginPending && deferred.isEmpty {
            // Nothing was asked of the server: nothing to commit.
            beginPending = false
            return
        }
        let commit = Statement(sql: "COMMIT", parameters: [])
        do {
            // With the BEGIN, when nothing went before: the whole transaction in one round trip.
            let pending = beginPending || !deferred.isEmpty
            PQclear(pending ? try pipeline(deferred.removeAllReturning() + [commit]) : try run(commit.sql, []))
        } catch where error.code == .connectionLost {
            throw PostgresError(code: .commitOutcomeUnknown, serverMessage: error.serverMessage)
        } catch {
            // A deferred statement failed, so the COMMIT was skipped and the transaction waits
            // aborted; nothing of it is kept.
            if let result = try? run("ROLLBACK", []) { PQclear(result) }
            throw error
        }
    }

    public func rollback() {
        defer { transactionOpen = false }
        deferred = []
        if beginPending {
            beginPending = false
            return
        }
        if let result = try? run("ROLLBACK", []) { PQclear(result) }
    }

    // MARK: LISTEN/NOTIFY

    /// The socket, to wait on for notifications.
    public var socket: Int32 { connection.map { PQsocket($0) } ?? -1 }

    /// Reads what the server sent and returns the channels notified since the last call.
    public func drainNotifications() throws(PostgresError) -> [String] {
        guard let connection else { throw PostgresError(code: .connectionLost) }
        if PQconsumeInput(connection) == 0 {
            throw PostgresError(code: .connectionLost, serverMessage: String(cString: PQerrorMessage(connection)))
        }
        var channels: [String] = []
        while let notification = PQnotifies(connection) {
            channels.append(String(cString: notification.pointee.relname))
            PQfreemem(notification)
        }
        return channels
    }

    // MARK: Private

    /// Sends `statement`, with the BEGIN and the deferred statements waiting before it, and
    /// returns its result (the caller clears it).
    private func send(_ statement: Statement) throws(PostgresError) -> OpaquePointer? {
        if beginPending || !deferred.isEmpty {
            return try pipeline(deferred.removeAllReturning() + [statement])
        }
        return try run(statement.sql, statement.parameters)
    }

    /// Sends the pending BEGIN and `statements` in one round trip and reads every answer; returns
    /// the last statement's result. The first error is thrown once all answers are read (the
    /// server skips what follows an error up to the sync point).
    private func pipeline(_ statements: [Statement]) throws(PostgresError) -> OpaquePointer? {
        guard let connection else { throw PostgresError(code: .connectionLost) }
        var names: [String?] = []
        for statement in statements { names.append(try preparedName(statement)) }
        guard PQenterPipelineMode(connection) == 1 else { throw lost(connection) }
        var sent = 0
        if beginPending {
            guard PQsendQueryParams(connection, "BEGIN", 0, nil, nil, nil, nil, 0) == 1 else { throw lost(connection) }
            beginPending = false
            sent += 1
        }
        for (statement, name) in zip(statements, names) {
            let (buffers, lengths, formats) = Self.bind(statement.parameters)
            let accepted = withPointers(to: buffers) { pointers in
                if let name {
                    PQsendQueryPrepared(connection, name, Int32(statement.parameters.count), pointers, lengths, formats, 0)
                } else {
                    PQsendQueryParams(connection, statement.sql, Int32(statement.parameters.count), nil, pointers, lengths, formats, 0)
                }
            }
            guard accepted == 1 else { throw lost(connection) }
        }
        sent += statements.count
        guard PQpipelineSync(connection) == 1 else { throw lost(connection) }

        var failure: PostgresError?
        var last: OpaquePointer?
        for index in 0..<sent {
            // Each statement's answer is one result and then NULL.
            guard let result = PQgetResult(connection) else { throw lost(connection) }
            while let extra = PQgetResult(connection) { PQclear(extra) }
            let status = PQresultStatus(result)
            if status != PGRES_PIPELINE_ABORTED, failure == nil {
                do {
                    try check(result)
                } catch {
                    failure = error
                    if error.sqlState == "0A000", index >= sent - statements.count {
                        // A prepared plan the schema changed under: prepared again next time.
                        prepared[statements[index - (sent - statements.count)].sql] = nil
                    }
                }
            }
            if index == sent - 1 && failure == nil {
                last = result
            } else {
                PQclear(result)
            }
        }
        guard let sync = PQgetResult(connection) else { PQclear(last); throw lost(connection) }
        let synced = PQresultStatus(sync) == PGRES_PIPELINE_SYNC
        PQclear(sync)
        guard synced, PQexitPipelineMode(connection) == 1 else { PQclear(last); throw lost(connection) }
        if let failure { throw failure }
        return last
    }

    /// A pipeline that broke off leaves the connection in a state no later call could trust,
    /// so it is closed: the pool opens a new one.
    private func lost(_ connection: OpaquePointer) -> PostgresError {
        let error = PostgresError(code: .connectionLost, serverMessage: String(cString: PQerrorMessage(connection)))
        PQfinish(connection)
        self.connection = nil
        return error
    }

    private func run(_ sql: String, _ parameters: [PostgresParameter]) throws(PostgresError) -> OpaquePointer? {
        guard let connection else { throw PostgresError(code: .connectionLost) }
        let (buffers, lengths, formats) = Self.bind(parameters)
        let name = try preparedName(Statement(sql: sql, parameters: parameters))
        let result = withPointers(to: buffers) { pointers in
            if let name {
                PQexecPrepared(connection, name, Int32(parameters.count), pointers, lengths, formats, 0)
            } else {
                PQexecParams(connection, sql, Int32(parameters.count), nil, pointers, lengths, formats, 0)
            }
        }
        do {
            try check(result)
        } catch where error.sqlState == "0A000" && name != nil {
            // "cached plan must not change result type": the schema changed under the statement.
            PQclear(result)
            if let name { _ = try? executeScript("DEALLOCATE \(name)") }
            prepared[sql] = nil
            return try run(sql, parameters)
        } catch {
            PQclear(result)
            throw error
        }
        return result
    }

    /// Parameters as libpq takes them: text as C strings, bytea in binary.
    private static func bind(_ parameters: [PostgresParameter]) -> (buffers: [[CChar]?], lengths: [Int32], formats: [Int32]) {
        var buffers: [[CChar]?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        for parameter in parameters {
            switch parameter {
            case .null:
                buffers.append(nil)
                lengths.append(0)
                formats.append(0)
            case .text(let text):
                // libpq reads parameters as C strings: an embedded NUL (mail and LLM output can
                // carry one) would cut the value short without a word. PostgreSQL text cannot
                // hold NUL at all, so it is dropped here, for every value of every caller.
                var bytes = Array(text.utf8CString)
                if bytes.dropLast().contains(0) { bytes = bytes.dropLast().filter { $0 != 0 } + [0] }
                buffers.append(bytes)
                lengths.append(0)
                formats.append(0)
            case .binary(let bytes):
                buffers.append(bytes.map { CChar(bitPattern: $0) })
                lengths.append(Int32(bytes.count))
                formats.append(1)
            }
        }
        return (buffers, lengths, formats)
    }

    /// The name of `sql` prepared on this connection, preparing it on first use; nil for
    /// statements that are not worth it (transaction control, DDL) or once the cache is full.
    private func preparedName(_ statement: Statement) throws(PostgresError) -> String? {
        let sql = statement.sql
        if let name = prepared[sql] { return name }
        let keyword = sql.drop { $0.isWhitespace }.prefix(6).uppercased()
        guard ["SELECT", "INSERT", "UPDATE", "DELETE"].contains(keyword), prepared.count < Self.preparedLimit, let connection else {
            return nil
        }
        preparedCount += 1
        let name = "frontline_\(preparedCount)"
        let result = PQprepare(connection, name, sql, Int32(statement.parameters.count), nil)
        defer { PQclear(result) }
        try check(result)
        prepared[sql] = name
        return name
    }

    private func check(_ result: OpaquePointer?) throws(PostgresError) {
        let status = result.map(PQresultStatus) ?? PGRES_FATAL_ERROR
        switch status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return
        default:
            guard let connection, PQstatus(connection) == CONNECTION_OK else {
                let message = connection.map { String(cString: PQerrorMessage($0)) }
                throw PostgresError(code: .connectionLost, serverMessage: message)
            }
            throw PostgresError(
                code: .queryFailed,
                sqlState: Self.field(result, Diagnostic.sqlState),
                constraint: Self.field(result, Diagnostic.constraintName),
                serverMessage: Self.field(result, Diagnostic.primaryMessage)
            )
        }
    }

    /// libpq's PG_DIAG_* codes are character-literal macros, which Swift does not import.
    private enum Diagnostic {
        static let sqlState = Int32(UInt8(ascii: "C"))
        static let primaryMessage = Int32(UInt8(ascii: "M"))
        static let constraintName = Int32(UInt8(ascii: "n"))
    }

    private static func field(_ result: OpaquePointer?, _ code: Int32) -> String? {
        guard let result, let value = PQresultErrorField(result, code) else { return nil }
        return String(cString: value)
    }

    private static func rows(of result: OpaquePointer?) -> [PostgresRow] {
        guard let result else { return [] }
        let rowCount = PQntuples(result)
        let columnCount = PQnfields(result)
        let columns = (0..<columnCount).map { String(cString: PQfname(result, $0)) }
        var rows: [PostgresRow] = []
        rows.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(Int(columnCount))
            for column in 0..<columnCount {
                if PQgetisnull(result, row, column) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, row, column)))
                }
            }
            rows.append(PostgresRow(columns: columns, values: values))
        }
        return rows
    }

    /// Binds every parameter into one buffer and hands libpq a pointer into it for each.
    private func withPointers<R>(to buffers: [[CChar]?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        var storage: [CChar] = []
        var offsets: [Int?] = []
        for buffer in buffers {
            guard let buffer else {
                offsets.append(nil)
                continue
            }
            offsets.append(storage.count)
            storage.append(contentsOf: buffer)
        }
        return storage.withUnsafeBufferPointer { base in
            body(offsets.map { offset in offset.map { base.baseAddress! + $0 } })
        }
    }
}

extension Array {
    /// The elements, leaving the array empty.
    fileprivate mutating func removeAllReturning() -> [Element] {
        defer { removeAll() }
        return self
    }
}
