import CHiredis
import Foundation
import FrontlineCore

/// A RESP2 reply, copied out of hiredis's reply object (which is freed at once).
public enum RedisReply: Sendable, Equatable {
    case status(String)
    case error(String)
    case integer(Int64)
    case bulk([UInt8])
    case null
    case array([RedisReply])

    public var string: String? {
        switch self {
        case .status(let text): text
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .integer(let value): String(value)
        default: nil
        }
    }

    public var integer: Int64? {
        switch self {
        case .integer(let value): value
        case .bulk, .status: string.flatMap { Int64($0) }
        default: nil
        }
    }

    public var array: [RedisReply]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    public var isNull: Bool { self == .null }
}

public struct RedisError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Sendable { case connectionFailed, connectionLost, certificateRejected, commandFailed, unexpectedReply }
        let base: Base
        public var description: String { base.rawValue }
        public static let connectionFailed = Code(base: .connectionFailed)
        public static let connectionLost = Code(base: .connectionLost)
        /// TLS could not be set up as configured: the server's certificate was refused (another
        /// CA, another host) or the URL's certificate files are unusable. A setting to fix, so
        /// it is not retried as an outage would be.
        public static let certificateRejected = Code(base: .certificateRejected)
        /// Redis answered with an error reply (its first word, e.g. NOGROUP, is `message`'s start).
        public static let commandFailed = Code(base: .commandFailed)
        public static let unexpectedReply = Code(base: .unexpectedReply)
    }

    public var code: Code
    /// Redis's or hiredis's own text; never holds command arguments.
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var isConnectionProblem: Bool { code == .connectionFailed || code == .connectionLost }
    public var description: String { "Redis \(code): \(message)" }
}

/// A hiredis connection. Not thread-safe: it lives on one dedicated thread.
public final class RedisConnection {
    private var context: UnsafeMutablePointer<redisContext>?

    public init(url: RedisURL, timeout: Duration = .seconds(5), commandTimeout: Duration = .seconds(30)) throws(RedisError) {
        var connectTimeout = Self.timeval(timeout)
        let opened: UnsafeMutablePointer<redisContext>?
        if let tls = url.tls {
            opened = redisConnectFd(try RedisTLSTunnel.open(url: url, tls: tls, timeout: timeout))
        } else {
            opened = redisConnectWithTimeout(url.host, Int32(url.port), connectTimeout)
        }
        guard let context = opened, context.pointee.err == 0 else {
            let message = context.map { Self.errorText($0) } ?? "out of memory"
            if let context = context { redisFree(context) }
            throw RedisError(code: .connectionFailed, message: "\(url): \(message)")
        }
        self.context = context
        connectTimeout = Self.timeval(commandTimeout)
        redisSetTimeout(context, connectTimeout)
        if let password = url.password {
            let reply = try command(["AUTH", password])
            if case .error = reply { throw RedisError(code: .connectionFailed, message: "\(url): authentication failed") }
        }
        if url.database != 0 {
            try command(["SELECT", String(url.database)]).expectOK()
        }
    }

    deinit {
        if let context { redisFree(context) }
    }

    public var isHealthy: Bool { context.map { $0.pointee.err == 0 } ?? false }

    /// One command, arguments sent binary-safe through redisCommandArgv. An error reply is
    /// returned as `.error`, not thrown: some callers expect one (BUSYGROUP).
    @discardableResult
    public func command(_ arguments: [String]) throws(RedisError) -> RedisReply {
        try command(bytes: arguments.map { Array($0.utf8) })
    }

    @discardableResult
    public func command(bytes arguments: [[UInt8]]) throws(RedisError) -> RedisReply {
        guard let context else { throw RedisError(code: .connectionLost, message: "not connected") }
        let raw = Self.withArgv(arguments) { argc, argv, lengths in
            redisCommandArgv(context, argc, argv, lengths)
        }
        return try takeReply(raw)
    }

    /// Several commands in one round trip; replies in order.
    public func pipeline(_ commands: [[String]]) throws(RedisError) -> [RedisReply] {
        guard let context else { throw RedisError(code: .connectionLost, message: "not connected") }
        for arguments in commands {
            let status = Self.withArgv(arguments.map { Array($0.utf8) }) { argc, argv, lengths in
                redisAppendCommandArgv(context, argc, argv, lengths)
            }
            if status != REDIS_OK { throw RedisError(code: .connectionLost, message: Self.errorText(context)) }
        }
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            var raw: UnsafeMutableRawPointer?
            if redisGetReply(context, &raw) != REDIS_OK {
                if let raw { freeReplyObject(raw) }
                throw RedisError(code: .connectionLost, message: Self.errorText(context))
            }
            replies.append(try takeReply(raw))
        }
        return replies
    }

    // MARK: Private

    private func takeReply(_ raw: UnsafeMutableRawPointer?) throws(RedisError) -> RedisReply {
        guard let raw else {
            let message = context.map { Self.errorText($0) } ?? "not connected"
            throw RedisError(code: .connectionLost, message: message)
        }
        defer { freeReplyObject(raw) }
        return Self.convert(raw.assumingMemoryBound(to: redisReply.self))
    }

    private static func convert(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let value = reply.pointee
        switch value.type {
        case REDIS_REPLY_STATUS:
            return .status(String(decoding: bytes(value), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: bytes(value), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(value.integer))
        case REDIS_REPLY_STRING:
            return .bulk(bytes(value))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(Int(value.elements))
            for index in 0..<Int(value.elements) {
                if let element = value.element[index] { elements.append(convert(element)) } else { elements.append(.null) }
            }
            return .array(elements)
        default:
            return .null
        }
    }

    private static func bytes(_ reply: redisReply) -> [UInt8] {
        guard let pointer = reply.str, reply.len > 0 else { return [] }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: Int(reply.len)) {
            Array(UnsafeBufferPointer(start: $0, count: Int(reply.len)))
        }
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    private static func timeval(_ duration: Duration) -> Glibc.timeval {
        let micro = duration.milliseconds * 1000
        return Glibc.timeval(tv_sec: Int(micro / 1_000_000), tv_usec: Int(micro % 1_000_000))
    }

    private static func withArgv<R>(
        _ arguments: [[UInt8]],
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R
    ) -> R {
        var storage: [UInt8] = []
        var offsets: [Int] = []
        var lengths: [Int] = []
        for argument in arguments {
            offsets.append(storage.count)
            lengths.append(argument.count)
            storage.append(contentsOf: argument)
        }
        storage.append(0)  // a valid base address even when every argument is empty
        return storage.withUnsafeBufferPointer { base in
            base.baseAddress!.withMemoryRebound(to: CChar.self, capacity: storage.count) { chars in
                var argv: [UnsafePointer<CChar>?] = offsets.map { UnsafePointer(chars + $0) }
                return argv.withUnsafeMutableBufferPointer { argvPointer in
                    lengths.withUnsafeBufferPointer { lengthPointer in
                        body(Int32(arguments.count), argvPointer.baseAddress!, lengthPointer.baseAddress!)
                    }
                }
            }
        }
    }
}

extension RedisReply {
    /// Throws unless the reply is a status (OK) reply.
    public func expectOK() throws(RedisError) {
        if case .error(let message) = self { throw RedisError(code: .commandFailed, message: message) }
    }

    /// Turns an error reply into a thrown error.
    public func throwingError() throws(RedisError) -> RedisReply {
        if case .error(let message) = self { throw RedisError(code: .commandFailed, message: message) }
        return self
    }
}
