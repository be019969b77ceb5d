import FrontlineCore
import FrontlineCurl

/// How one provider named in `FRONTLINE_LLM_PROVIDERS` is set up. Its variables are read when
/// the service starts (a missing one stops it, named); the provider itself is made once the
/// service's HTTP client exists.
public protocol LLMProviderSetup: Sendable {
    /// Reads and checks the provider's variables.
    init(environment: Environment) throws(ConfigurationError)
    /// The provider, answering under `name` (the name the registry knows it by).
    func makeProvider(named name: String, http: CurlHTTPClient, timeout: Duration) -> any LLMProvider
    /// A call that proves the address and the key without costing anything (the vendor's list
    /// of models), for `frontline doctor`; nil when the vendor has none.
    func freeCall(timeout: Duration) -> LLMFreeCall?
}

/// A request to a vendor that costs nothing, and the variables that decide whether it works.
public struct LLMFreeCall: Sendable {
    public var request: HTTPRequest
    /// What is called, for people: the method and URL, never a key.
    public var summary: String
    /// The variable holding the address, and the one holding the key (nil: no key).
    public var addressVariable: String
    public var keyVariable: String?
}

extension LLMProviderSetup {
    public func freeCall(timeout: Duration) -> LLMFreeCall? { nil }

    /// GET `url` with `headers`: each vendor's models list is one.
    func modelsList(_ url: String, headers: [(String, String)], timeout: Duration, address: String, key: String?) -> LLMFreeCall {
        LLMFreeCall(
            request: HTTPRequest(method: "GET", url: url, headers: headers, timeout: timeout), summary: "GET \(url)",
            addressVariable: address, keyVariable: key
        )
    }
}

/// The providers Frontline knows, by the name `FRONTLINE_LLM_PROVIDERS` gives them. Adding one
/// is a setup type (plus its `LLMProvider`, for a new wire format) and one line in `standard`.
public struct LLMProviderRegistry: Sendable {
    public enum Entry: Sendable {
        /// A vendor reached over HTTP.
        case vendor(@Sendable (Environment) throws(ConfigurationError) -> any LLMProviderSetup)
        /// The built-in engine: no settings, and always the chain's last resort (`ProviderChain`).
        case builtin
    }

    /// In the order they were registered.
    public private(set) var names: [String] = []
    private var entries: [String: Entry] = [:]

    public init() {}

    public static let standard: LLMProviderRegistry = {
        var registry = LLMProviderRegistry()
        registry.register("openai", OpenAISetup.self)
        registry.register("azure", AzureOpenAISetup.self)
        registry.register("ollama", OllamaSetup.self)
        registry.register("anthropic", AnthropicSetup.self)
        registry.register("gemini", GeminiSetup.self)
        registry.registerBuiltin(BuiltinProvider.providerName)
        return registry
    }()

    public mutating func register<Setup: LLMProviderSetup>(_ name: String, _: Setup.Type) {
        add(name, .vendor { environment throws(ConfigurationError) in try Setup(environment: environment) })
    }

    public mutating func registerBuiltin(_ name: String) {
        add(name, .builtin)
    }

    /// The entry for `name` (lower case), nil when no provider has that name.
    public func entry(_ name: String) -> Entry? {
        entries[name]
    }

    private mutating func add(_ name: String, _ entry: Entry) {
        if entries.updateValue(entry, forKey: name) == nil { names.append(name) }
    }
}

// The standard providers' settings: the vendors' usual variables.

/// OpenAI's Chat Completions, or any server that speaks it at `OPENAI_BASE_URL` (LM Studio, vLLM, llama.cpp).
struct OpenAISetup: LLMProviderSetup {
    let base: String
    let model: String
    let apiKey: String
    var endpoint: String { base + "/chat/completions" }

    init(environment: Environment) throws(ConfigurationError) {
        apiKey = try environment.required("OPENAI_API_KEY", hint: "the OpenAI (or compatible server's) API key")
        base = (environment.string("OPENAI_BASE_URL") ?? "https://api.openai.com/v1").trimmingSuffix("/")
        model = environment.string("OPENAI_MODEL") ?? "gpt-4o-mini"
    }

    func freeCall(timeout: Duration) -> LLMFreeCall? {
        modelsList(
            base + "/models", headers: [("Authorization", "Bearer " + apiKey)], timeout: timeout, address: "OPENAI_BASE_URL",
            key: "OPENAI_API_KEY"
        )
    }

    func makeProvider(named name: String, http: CurlHTTPClient, timeout: Duration) -> any LLMProvider {
        OpenAICompatibleProvider(
            name: name, endpoint: endpoint, model: model, authHeader: ("Authorization", "Bearer " + apiKey), http: http, timeout: timeout
        )
    }
}

/// Azure OpenAI: a deployment of a model, addressed by endpoint, deployment and API version.
struct AzureOpenAISetup: LLMProviderSetup {
    let base: String
    let version: String
    let deployment: String
    let apiKey: String
    var endpoint: String { "\(base)/openai/deployments/\(deployment)/chat/completions?api-version=\(version)" }

    init(environment: Environment) throws(ConfigurationError) {
        apiKey = try environment.required("AZURE_OPENAI_API_KEY", hint: "the Azure OpenAI key")
        base = try environment.required("AZURE_OPENAI_ENDPOINT", hint: "https://NAME.openai.azure.com").trimmingSuffix("/")
        deployment = try environment.required("AZURE_OPENAI_DEPLOYMENT", hint: "the deployment name")
        version = environment.string("AZURE_OPENAI_API_VERSION") ?? "2024-08-01-preview"
    }

    /// The models the resource offers (the deployment itself has no free call).
    func freeCall(timeout: Duration) -> LLMFreeCall? {
        modelsList(
            "\(base)/openai/models?api-version=\(version)", headers: [("api-key", apiKey)], timeout: timeout,
            address: "AZURE_OPENAI_ENDPOINT", key: "AZURE_OPENAI_API_KEY"
        )
    }

    func makeProvider(named name: String, http: CurlHTTPClient, timeout: Duration) -> any LLMProvider {
        OpenAICompatibleProvider(name: name, endpoint: endpoint, model: deployment, authHeader: ("api-key", apiKey), http: http, timeout: timeout)
    }
}

/// A local Ollama server's OpenAI-compatible API: no key.
struct OllamaSetup: LLMProviderSetup {
    let base: String
    let model: String
    var endpoint: String { base + "/chat/completions" }

    init(environment: Environment) throws(ConfigurationError) {
        base = (environment.string("OLLAMA_BASE_URL") ?? "http://127.0.0.1:11434/v1").trimmingSuffix("/")
        model = environment.string("OLLAMA_MODEL") ?? "llama3.1"
    }

    func freeCall(timeout: Duration) -> LLMFreeCall? {
        modelsList(base + "/models", headers: [], timeout: timeout, address: "OLLAMA_BASE_URL", key: nil)
    }

    func makeProvider(named name: String, http: CurlHTTPClient, timeout: Duration) -> any LLMProvider {
        OpenAICompatibleProvider(name: name, endpoint: endpoint, model: model, authHeader: nil, http: http, timeout: timeout)
    }
}

struct AnthropicSetup: LLMProviderSetup {
    let baseURL: String
    let model: String
    let apiKey: String

    init(environment: Environment) throws(ConfigurationError) {
        apiKey = try environment.required("ANTHROPIC_API_KEY", hint: "the Anthropic API key")
        baseURL = environment.string("ANTHROPIC_BASE_URL") ?? "https://api.anthropic.com"
        model = environment.string("ANTHROPIC_MODEL") ?? "claude-3-5-haiku-latest"
    }

    func freeCall(timeout: Duration) -> LLMFreeCall? {
        modelsList(
            baseURL.trimmingSuffix("/") + "/v1/models", headers: [("x-api-key", apiKey), ("anthropic-version", "2023-06-01")],
            timeout: timeout, address: "ANTHROPIC_BASE_URL", key: "ANTHROPIC_API_KEY"
        )
    }

    func makeProvider(named name: String, http: CurlHTTPClient, timeout: Duration) -> any LLMProvider {
        AnthropicProvider(name: name, baseURL: baseURL, apiKey: apiKey, model: model, http: http, timeout: timeout)
    }
}

struct GeminiSetup: LLMProviderSetup {
    let baseURL: String
    let model: String
    let apiKey: String

    init(environment: Environment) throws(ConfigurationError) {
        apiKey = try environment.required("GEMINI_API_KEY", hint: "the Google AI API key")
        baseURL = environment.string("GEMINI_BASE_URL") ?? "https://generativelanguage.googleapis.com"
        model = environment.string("GEMINI_MODEL") ?? "gemini-1.5-flash"
    }

    /// The key goes in a header, never in the URL (which is printed).
    func freeCall(timeout: Duration) -> LLMFreeCall? {
        modelsList(
            baseURL.trimmingSuffix("/") + "/v1beta/models", headers: [("x-goog-api-key", apiKey)], timeout: timeout,
            address: "GEMINI_BASE_URL", key: "GEMINI_API_KEY"
        )
    }

    func makeProvider(named name: String, http: CurlHTTPClient, timeout: Duration) -> any LLMProvider {
        GeminiProvider(name: name, baseURL: baseURL, apiKey: apiKey, model: model, http: http, timeout: timeout)
    }
}
