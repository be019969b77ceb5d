import Foundation
import FrontlineCore
import Logging

/// One JSON object per line on stdout: `ts`, `level`, `service`, `msg`, then the metadata
/// (`ticket_id`, `event_id`, …) with secrets redacted.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?
    private let service: String
    private let sink: LogSink

    public init(service: String, level: Logger.Level, sink: LogSink = .standardOutput) {
        self.service = service
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        if let trace = FrontlineTracing.currentIDs() { (merged["trace_id"], merged["span_id"]) = (.string(trace.traceID), .string(trace.spanID)) }
        sink.write(Self.line(service: service, level: event.level, message: "\(event.message)", metadata: merged))
    }

    /// The JSON line, without the trailing newline.
    public static func line(service: String, level: Logger.Level, message: String, metadata: Logger.Metadata, date: Date = Date())
        -> String
    {
        var object: [String: Any] = [
            "ts": Timestamp.format(date),
            "level": level.rawValue,
            "service": service,
            "msg": Redaction.redact(message),
        ]
        for (key, value) in metadata where object[key] == nil {
            object[key] = Redaction.isSecretKey(key) ? Redaction.mask : jsonValue(value)
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return #"{"level":"error","msg":"unloggable message"}"# }
        return String(decoding: data, as: UTF8.self)
    }

    private static func jsonValue(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): Redaction.redact(text)
        case .stringConvertible(let convertible):
            if let number = convertible as? any BinaryInteger { Int64(number) } else { Redaction.redact("\(convertible)") }
        case .array(let values): values.map(jsonValue)
        case .dictionary(let dictionary):
            Dictionary(uniqueKeysWithValues: dictionary.map { key, value in
                (key, Redaction.isSecretKey(key) ? Redaction.mask : jsonValue(value))
            })
        }
    }
}

/// Where log lines go; whole lines are written under a lock so they never interleave.
public final class LogSink: @unchecked Sendable {
    private let lock = NSLock()
    private let write: (String) -> Void

    public init(_ write: @escaping (String) -> Void) { self.write = write }

    public static let standardOutput = LogSink { line in
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    func write(_ line: String) {
        lock.withLock { write(line) }
    }
}
