import FrontlineCore

/// A failure talking to PostgreSQL. Like postgres-nio's errors, its `description` never holds
/// data (no query text, parameters, credentials or server detail): those stay in
/// `serverMessage`, which only `debugDescription` shows.
public struct PostgresError: Error, CustomStringConvertible, CustomDebugStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Sendable {
            case connectionFailed, connectionLost, certificateRejected, queryFailed, commitOutcomeUnknown, unexpectedResult
        }
        let base: Base
        public var description: String { base.rawValue }

        /// Could not open a connection (server down, bad credentials, bad URI).
        public static let connectionFailed = Code(base: .connectionFailed)
        /// TLS was asked for (`sslmode=verify-ca` or `verify-full`) and the server's certificate
        /// was refused, or the root certificate file cannot be read: a setting to fix, so it
        /// is not retried as an outage would be.
        public static let certificateRejected = Code(base: .certificateRejected)
        /// The connection broke while a statement ran; nothing of the transaction is kept.
        public static let connectionLost = Code(base: .connectionLost)
        /// The server rejected a statement; `sqlState` says why.
        public static let queryFailed = Code(base: .queryFailed)
        /// The connection broke during COMMIT: the transaction may or may not be kept.
        public static let commitOutcomeUnknown = Code(base: .commitOutcomeUnknown)
        /// A result did not have the shape the caller expected.
        public static let unexpectedResult = Code(base: .unexpectedResult)
    }

    public var code: Code
    /// The five-character SQLSTATE, when the server sent one.
    public var sqlState: String?
    /// The constraint a statement violated, when it was one (a name from our schema, no data).
    public var constraint: String?
    /// The server's or libpq's own message: may hold data, so never part of `description`.
    public var serverMessage: String?

    public init(code: Code, sqlState: String? = nil, constraint: String? = nil, serverMessage: String? = nil) {
        self.code = code
        self.sqlState = sqlState
        self.constraint = constraint
        self.serverMessage = serverMessage
    }

    public var isUniqueViolation: Bool { sqlState == "23505" }
    public var isSerializationFailure: Bool { sqlState == "40001" || sqlState == "40P01" }
    /// Worth another attempt on a fresh connection: nothing of the work was kept.
    public var isConnectionProblem: Bool { code == .connectionFailed || code == .connectionLost }

    public var description: String {
        var text = "PostgreSQL \(code)"
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if let constraint { text += " on constraint \(constraint)" }
        return text
    }

    public var debugDescription: String {
        guard let serverMessage else { return description }
        return "\(description): \(serverMessage)"
    }
}

extension PostgresError: TransientFailure {
    /// The server or the way to it had a problem that passes (unreachable, starting, stopping,
    /// overloaded, a conflict a retry resolves): the same work can succeed later. A constraint,
    /// a value the server cannot take, a syntax error: the input's own, the same every time.
    public var isTransient: Bool {
        if isConnectionProblem || code == .commitOutcomeUnknown || isSerializationFailure { return true }
        guard let state = sqlState else { return false }
        return state.hasPrefix("08")  // connection exception
            || ["57P01", "57P02", "57P03", "53000", "53100", "53200", "53300", "55P03", "58000", "58030"].contains(state)
    }
}
