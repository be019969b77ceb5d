import Foundation
import FrontlineRuntime
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import Testing

/// A local stand-in for an OpenTelemetry collector's OTLP/HTTP receiver: `POST /v1/traces`
/// with the JSON encoding of ExportTraceServiceRequest (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`),
/// answered as a collector does (200, an empty ExportTraceServiceResponse). It keeps every span.
public final class OTLPReceiver: Sendable {
    public struct ReceivedSpan: Sendable, Equatable {
        public var service: String
        public var name: String
        public var traceID: String
        public var spanID: String
        /// Empty for a root span.
        public var parentSpanID: String
        public var attributes: [String: String]
        public var failed: Bool
    }

    public let spans = Mutex<[ReceivedSpan]>([])
    let boundPort = Mutex<Int>(0)
    public var port: Int { boundPort.withLock { $0 } }
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    public init() {}

    public static func serving(_ body: @Sendable (OTLPReceiver) async throws -> Void) async throws {
        let receiver = OTLPReceiver()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await receiver.run() }
            #expect(await eventually(timeout: .seconds(10)) { receiver.port != 0 }, "the OTLP receiver did not start")
            try await body(receiver)
            group.cancelAll()
        }
    }

    func run() async throws {
        let router = Router()
        router.post("v1/traces") { request, _ -> Response in
            guard request.headers[.contentType]?.hasPrefix("application/json") == true else {
                return Response(status: .unsupportedMediaType)
            }
            let body = try await request.body.collect(upTo: 16 << 20)
            guard let received = Self.decode(Data(body.readableBytesView)) else { return Response(status: .badRequest) }
            self.spans.withLock { $0.append(contentsOf: received) }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
        }
        var logger = Logger(label: "otlp-receiver")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in self.boundPort.withLock { $0 = channel.localAddress?.port ?? 0 } }, logger: logger
        )
        try await app.runService()
    }

    /// resourceSpans[].resource.attributes (service.name), scopeSpans[].spans[].
    static func decode(_ data: Data) -> [ReceivedSpan]? {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let resourceSpans = root["resourceSpans"] as? [[String: Any]]
        else { return nil }
        var spans: [ReceivedSpan] = []
        for resourceSpan in resourceSpans {
            let resource = attributes((resourceSpan["resource"] as? [String: Any])?["attributes"])
            for scope in resourceSpan["scopeSpans"] as? [[String: Any]] ?? [] {
                for span in scope["spans"] as? [[String: Any]] ?? [] {
                    let status = span["status"] as? [String: Any]
                    spans.append(
                        ReceivedSpan(
                            service: resource["service.name"] ?? "", name: span["name"] as? String ?? "",
                            traceID: hexID(span["traceId"]), spanID: hexID(span["spanId"]), parentSpanID: hexID(span["parentSpanId"]),
                            attributes: attributes(span["attributes"]),
                            // STATUS_CODE_ERROR is 2 (enums as numbers), or its name.
                            failed: (status?["code"] as? Int) == 2 || (status?["code"] as? String) == "STATUS_CODE_ERROR"
                        )
                    )
                }
            }
        }
        return spans
    }

    /// OTLP's JSON spells ids in hex; the protobuf JSON mapping spells bytes in base64: either is read as hex.
    static func hexID(_ value: Any?) -> String {
        guard let text = value as? String, !text.isEmpty else { return "" }
        if (text.count == 32 || text.count == 16), text.allSatisfy(\.isHexDigit) { return text.lowercased() }
        guard let bytes = Data(base64Encoded: text) else { return text }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func attributes(_ value: Any?) -> [String: String] {
        var result: [String: String] = [:]
        for attribute in value as? [[String: Any]] ?? [] {
            guard let key = attribute["key"] as? String, let typed = attribute["value"] as? [String: Any], let value = typed.values.first else { continue }
            result[key] = "\(value)"
        }
        return result
    }
}
