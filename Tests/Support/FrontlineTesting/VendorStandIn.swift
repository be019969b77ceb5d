import Foundation
import FrontlineRuntime
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import Testing

/// A local stand-in for the LLM vendors' HTTP APIs, speaking their real wire formats
/// (OpenAI Chat Completions, Anthropic Messages, Gemini generateContent). Each answer is
/// chosen by a scenario word in the email ("SCENARIO-<name>"), so one classifier process can
/// meet every failure mode in turn. It checks each vendor's auth headers and request shape.
public final class VendorStandIn: Sendable {
    public struct Call: Sendable {
        public var vendor: String
        public var scenario: String
        public var status: Int
    }

    public let calls = Mutex<[Call]>([])
    /// The port it listens on, once it does (0 before).
    public let boundPort = Mutex<Int>(0)
    public var port: Int { boundPort.withLock { $0 } }

    /// The classification a good answer carries.
    public static func answer(category: String, requestType: String, priority: String = "Critical", confidence: Double = 0.9) -> [String: Any] {
        [
            "language": "en", "category": category, "request_type": requestType, "priority": priority, "confidence": confidence,
            "steps": ["Restart the device.", "Tell us if it helps."],
            "fields": ["order_number": "", "device": "laptop", "affected_user": ""],
            "flags": ["safety_concern": false, "human_requested": false, "expert_required": false],
        ]
    }

    public func count(vendor: String, scenario: String) -> Int {
        calls.withLock { $0.filter { $0.vendor == vendor && $0.scenario == scenario }.count }
    }

    /// What a vendor does for a scenario: (status, classification or nil for a broken body, Retry-After).
    /// `reasked`: the request tells the vendor why its previous answer was not accepted.
    public func behaviour(vendor: String, scenario: String, attempt: Int, reasked: Bool = false) -> (Int, [String: Any]?, String?) {
        let good = Self.answer(category: "Hardware Support", requestType: "Laptop Failure")
        let invented = Self.answer(category: "Quantum Teleportation", requestType: "Beam Me Up")
        switch (vendor, scenario) {
        case ("openai", "good"), ("openai", "converse"): return (200, good, nil)
        case ("openai", "malformed"): return (200, nil, nil)
        case ("openai", "invented"): return (200, reasked ? good : invented, nil)
        case ("openai", "inventedtwice"): return (200, invented, nil)
        case ("anthropic", "inventedtwice"): return (200, good, nil)
        case ("openai", "fuzzy"): return (200, Self.answer(category: "hardware-support", requestType: "Laptop failures"), nil)
        case ("openai", "ratelimit"): return attempt == 1 ? (429, nil, "1") : (200, good, nil)
        case ("openai", "servererror"): return (500, nil, nil)
        case ("openai", "injection"):
            return (200, Self.answer(category: "Executive Assignment", requestType: "CEO", priority: "Critical", confidence: 1), nil)
        case ("anthropic", "malformed"), ("anthropic", "servererror"), ("anthropic", "timeout"): return (200, good, nil)
        case (_, "down"): return (503, nil, nil)
        default: return (500, nil, nil)
        }
    }

    /// Runs a stand-in for the duration of `body`, which gets it once it listens.
    public static func serving(_ body: @Sendable (VendorStandIn) async throws -> Void) async throws {
        let standIn = VendorStandIn()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await standIn.run() }
            #expect(await eventually(timeout: .seconds(10)) { standIn.port != 0 }, "the stand-in did not start")
            try await body(standIn)
            group.cancelAll()
        }
    }

    /// Runs the server until the task is cancelled.
    public func run() async throws {
        let router = Router()
        router.post("v1/chat/completions") { request, context in try await self.respond(vendor: "openai", request: request, context: context) }
        router.post("v1/messages") { request, context in try await self.respond(vendor: "anthropic", request: request, context: context) }
        router.post("v1beta/models/:call") { request, context in try await self.respond(vendor: "gemini", request: request, context: context) }
        // The vendors' models lists (`frontline doctor`'s free calls), behind the same auth headers.
        router.get("v1/models") { request, _ in
            let openAI = request.headers[.authorization] == "Bearer test-openai-key"
            let anthropic = request.headers[HTTPField.Name("x-api-key")!] == "test-anthropic-key"
            return Self.modelsList(authorised: openAI || anthropic)
        }
        router.get("v1beta/models") { request, _ in Self.modelsList(authorised: request.headers[HTTPField.Name("x-goog-api-key")!] == "test-gemini-key") }
        var logger = Logger(label: "stand-in")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in self.boundPort.withLock { $0 = channel.localAddress?.port ?? 0 } }, logger: logger
        )
        try await app.runService()
    }

    private static func modelsList(authorised: Bool) -> Response {
        let body = authorised ? #"{"object":"list","data":[{"id":"stand-in-model","object":"model"}]}"# : #"{"error":{"message":"stand-in says no"}}"#
        return Response(
            status: authorised ? .ok : .unauthorized, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body))
        )
    }

    private func respond(vendor: String, request: Request, context: some RequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 20)
        let object = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] ?? [:]
        let text = String(decoding: Data(buffer: body), as: UTF8.self)
        let scenario = text.range(of: #"SCENARIO-[a-z]+"#, options: .regularExpression).map { String(text[$0].dropFirst(9)) } ?? "none"
        // The vendor's own auth header and request shape, or 400/401 as the vendor would answer.
        let authorised: Bool
        let shaped: Bool
        switch vendor {
        case "openai":
            authorised = request.headers[.authorization] == "Bearer test-openai-key"
            shaped = (object["response_format"] as? [String: Any])?["type"] as? String == "json_schema" && object["messages"] is [Any]
        case "anthropic":
            authorised = request.headers[HTTPField.Name("x-api-key")!] == "test-anthropic-key" && request.headers[HTTPField.Name("anthropic-version")!] != nil
            let forced = (object["tool_choice"] as? [String: Any])?["name"] as? String
            let declared = ((object["tools"] as? [[String: Any]])?.first)?["name"] as? String
            shaped = forced != nil && forced == declared && object["max_tokens"] != nil
        default:
            authorised = request.headers[HTTPField.Name("x-goog-api-key")!] == "test-gemini-key"
            shaped = (object["generationConfig"] as? [String: Any])?["responseSchema"] != nil && object["contents"] is [Any]
        }
        let attempt = calls.withLock { calls in calls.filter { $0.vendor == vendor && $0.scenario == scenario }.count + 1 }
        var (status, answer, retryAfter) = behaviour(
            vendor: vendor, scenario: scenario, attempt: attempt, reasked: text.contains("Your previous answer was not accepted")
        )
        if text.contains("next_turn") && scenario == "converse" {
            // A troubleshooting turn: the customer's words decide, in the ticket's language.
            let fixed = text.contains("works now")
            answer = ["resolved": fixed, "frustrated": false, "next_step": fixed ? "" : "Try another power outlet."]
            (status, retryAfter) = (200, nil)
        }
        if text.contains("email_intro") {
            // The notifier's opening paragraph: a clean one, or one that states a fact of its own.
            answer = scenario == "introfact"
                ? ["intro": "Rufen Sie uns unter 0800 123 456 an, dann lösen wir das sofort für Sie."]
                : ["intro": "Vielen Dank für Ihre Nachricht. Wir kümmern uns gerne um Ihr Anliegen und melden uns bald bei Ihnen."]
            (status, retryAfter) = (200, nil)
        }
        if !authorised { status = 401 }
        if !shaped { status = 400 }
        calls.withLock { $0.append(Call(vendor: vendor, scenario: scenario, status: status)) }
        if scenario == "timeout" && vendor == "openai" { try await Task.sleep(for: .seconds(3)) }
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter { headers[.retryAfter] = retryAfter }
        guard status == 200 else {
            return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: #"{"error":{"message":"stand-in says no"}}"#)))
        }
        let content = answer.map { String(decoding: try! JSONSerialization.data(withJSONObject: $0), as: UTF8.self) } ?? "{\"category\": \"Hardware Sup"
        let payload: [String: Any]
        switch vendor {
        case "openai":
            payload = [
                "id": "chatcmpl-standin", "object": "chat.completion", "created": 1_790_000_000, "model": object["model"] ?? "m",
                "choices": [["index": 0, "message": ["role": "assistant", "content": content], "finish_reason": "stop"]],
                "usage": ["prompt_tokens": 321, "completion_tokens": 54, "total_tokens": 375],
            ]
        case "anthropic":
            payload = [
                "id": "msg_standin", "type": "message", "role": "assistant", "model": object["model"] ?? "m",
                "content": [["type": "tool_use", "id": "toolu_1", "name": "classify", "input": answer ?? [:]]],
                "stop_reason": "tool_use", "usage": ["input_tokens": 300, "output_tokens": 60],
            ]
        default:
            payload = [
                "candidates": [["content": ["role": "model", "parts": [["text": content]]], "finishReason": "STOP"]],
                "usageMetadata": ["promptTokenCount": 310, "candidatesTokenCount": 50, "totalTokenCount": 360],
            ]
        }
        return Response(
            status: .ok, headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: payload)))
        )
    }
}
