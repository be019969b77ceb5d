import Foundation
import FrontlineDomain
import FrontlineCore
import FrontlineCurl

/// One structured question to an LLM: instructions, the (fenced) input, the answer's schema.
public struct StructuredCall: Sendable {
    public var system: String
    public var user: String
    public var schema: JSONValue
    /// The schema's (or tool's) name: "classification", "next_turn".
    public var name: String

    public init(system: String, user: String, schema: JSONValue, name: String) {
        self.system = system
        self.user = user
        self.schema = schema
        self.name = name
    }
}

extension StructuredCall {
    /// The same question again, telling the provider why its answer was not taken. One turn
    /// (not a conversation), so it is the same request on every vendor's wire format.
    public func reasking(_ problem: String) -> StructuredCall {
        var call = self
        call.user += "\n\nYour previous answer was not accepted: \(problem). Answer again, with JSON that fits the "
            + "\(name) schema exactly and only names the list above gives."
        return call
    }
}

/// A provider's JSON answer, unvalidated, with what it cost.
public struct StructuredAnswer: Sendable {
    public var json: JSONValue
    public var promptTokens: Int?
    public var completionTokens: Int?

    public init(json: JSONValue, promptTokens: Int?, completionTokens: Int?) {
        self.json = json
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }
}

/// Why a provider gave no usable answer.
public struct ProviderError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        case rateLimited(retryAfter: Duration?)
        case serverError(status: Int)
        case rejected(status: Int)
        case timeout
        case unreachable
        case malformed(String)
    }

    public var kind: Kind

    /// Worth another try at the same provider.
    public var isRetryable: Bool {
        switch kind {
        case .rateLimited, .serverError, .timeout: true
        default: false
        }
    }

    public var description: String {
        switch kind {
        case .rateLimited(let after): "rate limited (429\(after.map { ", retry after \($0.seconds) s" } ?? ""))"
        case .serverError(let status): "server error \(status)"
        case .rejected(let status): "rejected with status \(status)"
        case .timeout: "timed out"
        case .unreachable: "unreachable"
        case .malformed(let why): "malformed answer: \(why)"
        }
    }
}

extension ProviderError: TransientFailure {
    /// The provider is away or overloaded; a rejected request or a malformed answer is not.
    public var isTransient: Bool {
        switch kind {
        case .rateLimited, .serverError, .timeout, .unreachable: true
        case .rejected, .malformed: false
        }
    }
}

/// A token count from a provider's usage block: a whole number from 0 up, or nothing.
func tokenCount(_ value: JSONValue?) -> Int? {
    value?.intValue.flatMap { $0 >= 0 ? $0 : nil }
}

/// An LLM vendor: answers a structured call with a JSON object. Chosen by name from
/// `LLMProviderRegistry`; the failover (`ProviderFailover`) tries them in the configured order.
public protocol LLMProvider: Sendable {
    var name: String { get }
    var model: String { get }
    func answer(_ call: StructuredCall) async throws -> StructuredAnswer
}

/// Shared HTTP plumbing for the vendors: POST JSON, map status codes to ProviderError.
struct JSONPost: Sendable {
    let http: CurlHTTPClient
    let timeout: Duration

    func post(_ url: String, headers: [(String, String)], body: JSONValue) async throws -> JSONValue {
        let response: HTTPResponse
        do {
            response = try await http.perform(
                HTTPRequest(
                    method: "POST", url: url, headers: headers + [("Content-Type", "application/json")],
                    body: Array(body.jsonText().utf8), timeout: timeout
                )
            )
        } catch let error as CurlError {
            throw ProviderError(kind: error.isTimeout ? .timeout : .unreachable)
        }
        switch response.status {
        case 200..<300:
            guard let json = JSONValue.parse(response.body) else { throw ProviderError(kind: .malformed("the body is not JSON")) }
            return json
        case 429:
            throw ProviderError(kind: .rateLimited(retryAfter: response.retryAfter()))
        case 500..<600:
            throw ProviderError(kind: .serverError(status: response.status))
        default:
            throw ProviderError(kind: .rejected(status: response.status))
        }
    }

    /// The JSON object inside a text answer (tolerates a code fence around it).
    static func object(fromText text: String?) throws -> JSONValue {
        guard var text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
            throw ProviderError(kind: .malformed("no content"))
        }
        if text.hasPrefix("```") {
            text = text.split(separator: "\n").dropFirst().filter { !$0.hasPrefix("```") }.joined(separator: "\n")
        }
        guard let json = JSONValue.parse(text), case .object = json else {
            throw ProviderError(kind: .malformed("the content is not a JSON object"))
        }
        return json
    }
}

/// OpenAI Chat Completions and everything that speaks it (Azure OpenAI, Ollama, LM Studio,
/// vLLM, a llama.cpp server): base URL, model and auth header are settings. Structured output
/// through `response_format: json_schema`.
public struct OpenAICompatibleProvider: LLMProvider {
    public let name: String
    public let model: String
    let endpoint: String
    let authHeader: (String, String)?
    let post: JSONPost

    public init(name: String, endpoint: String, model: String, authHeader: (String, String)?, http: CurlHTTPClient, timeout: Duration) {
        self.name = name
        self.endpoint = endpoint
        self.model = model
        self.authHeader = authHeader
        post = JSONPost(http: http, timeout: timeout)
    }

    public func answer(_ call: StructuredCall) async throws -> StructuredAnswer {
        let body: JSONValue = .object([
            "model": .string(model),
            "temperature": .number(0),
            "messages": .array([
                .object(["role": .string("system"), "content": .string(call.system)]),
                .object(["role": .string("user"), "content": .string(call.user)]),
            ]),
            "response_format": .object([
                "type": .string("json_schema"),
                "json_schema": .object(["name": .string(call.name), "strict": .bool(true), "schema": call.schema]),
            ]),
        ])
        let json = try await post.post(endpoint, headers: authHeader.map { [$0] } ?? [], body: body)
        let content = json["choices"]?[0]?["message"]?["content"]?.stringValue
        return StructuredAnswer(
            json: try JSONPost.object(fromText: content),
            promptTokens: tokenCount(json["usage"]?["prompt_tokens"]),
            completionTokens: tokenCount(json["usage"]?["completion_tokens"])
        )
    }
}

/// Anthropic Messages, with the classification as a forced tool call.
public struct AnthropicProvider: LLMProvider {
    public let name: String
    public let model: String
    let endpoint: String
    let apiKey: String
    let post: JSONPost

    public init(name: String = "anthropic", baseURL: String, apiKey: String, model: String, http: CurlHTTPClient, timeout: Duration) {
        self.name = name
        endpoint = baseURL.trimmingSuffix("/") + "/v1/messages"
        self.apiKey = apiKey
        self.model = model
        post = JSONPost(http: http, timeout: timeout)
    }

    public func answer(_ call: StructuredCall) async throws -> StructuredAnswer {
        let body: JSONValue = .object([
            "model": .string(model),
            "max_tokens": .number(1024),
            "temperature": .number(0),
            "system": .string(call.system),
            "messages": .array([.object(["role": .string("user"), "content": .string(call.user)])]),
            "tools": .array([
                .object([
                    "name": .string(call.name), "description": .string("Record the answer."),
                    "input_schema": call.schema,
                ])
            ]),
            "tool_choice": .object(["type": .string("tool"), "name": .string(call.name)]),
        ])
        let json = try await post.post(
            endpoint, headers: [("x-api-key", apiKey), ("anthropic-version", "2023-06-01")], body: body
        )
        guard case .array(let blocks)? = json["content"],
            let input = blocks.first(where: { $0["type"]?.stringValue == "tool_use" })?["input"], case .object = input
        else { throw ProviderError(kind: .malformed("no \(call.name) tool call in the answer")) }
        return StructuredAnswer(
            json: input, promptTokens: tokenCount(json["usage"]?["input_tokens"]),
            completionTokens: tokenCount(json["usage"]?["output_tokens"])
        )
    }
}

/// Google Gemini generateContent with a response schema.
public struct GeminiProvider: LLMProvider {
    public let name: String
    public let model: String
    let endpoint: String
    let apiKey: String
    let post: JSONPost

    public init(name: String = "gemini", baseURL: String, apiKey: String, model: String, http: CurlHTTPClient, timeout: Duration) {
        self.name = name
        endpoint = baseURL.trimmingSuffix("/") + "/v1beta/models/\(model):generateContent"
        self.apiKey = apiKey
        self.model = model
        post = JSONPost(http: http, timeout: timeout)
    }

    public func answer(_ call: StructuredCall) async throws -> StructuredAnswer {
        let body: JSONValue = .object([
            "systemInstruction": .object(["parts": .array([.object(["text": .string(call.system)])])]),
            "contents": .array([.object(["role": .string("user"), "parts": .array([.object(["text": .string(call.user)])])])]),
            "generationConfig": .object([
                "temperature": .number(0), "responseMimeType": .string("application/json"),
                "responseSchema": Self.geminiSchema(call.schema),
            ]),
        ])
        let json = try await post.post(endpoint, headers: [("x-goog-api-key", apiKey)], body: body)
        let text = json["candidates"]?[0]?["content"]?["parts"]?[0]?["text"]?.stringValue
        return StructuredAnswer(
            json: try JSONPost.object(fromText: text),
            promptTokens: tokenCount(json["usageMetadata"]?["promptTokenCount"]),
            completionTokens: tokenCount(json["usageMetadata"]?["candidatesTokenCount"])
        )
    }

    /// Gemini's schema dialect has no additionalProperties.
    static func geminiSchema(_ schema: JSONValue) -> JSONValue {
        switch schema {
        case .object(let object):
            return .object(object.filter { $0.key != "additionalProperties" }.mapValues(geminiSchema))
        case .array(let items): return .array(items.map(geminiSchema))
        default: return schema
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
