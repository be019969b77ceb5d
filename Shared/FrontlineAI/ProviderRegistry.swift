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
    let endpoint: String
    let model: String
    let apiKey: String

    init(environment: Environment) throws(ConfigurationError) {
        apiKey = try environment.required("OPENAI_API_KEY", hint: "the OpenAI (or compatible server's) API key")
        endpoint = (environment.string("OPENAI_BASE_URL") ?? "https://api.openai.com/v1").trimmingSuffix("/") + "/chat/completions"
        model = environment.string("OPENAI_MODEL") ?? "gpt-4o-mini"
    }

    func makeProvider(named name: String, http: CurlHTTPClient, timeout: Duration) -> any LLMProvider {
        OpenAICompatibleProvider(
            name: name, endpoint: endpoint, model: model, authHeader: ("Authorization", "Bearer " + apiKey), http: http, timeout: timeout
        )
    }
}

/// Azure OpenAI: a deployment of a model, addressed by endpoint, deployment and API version.
struct AzureOpenAISetup: LLMProviderSetup {
    let endpoint: String
    let deployment: String
    let apiKey: String

    init(environment: Environment) throws(ConfigurationError) {
        apiKey = try environment.required("AZURE_OPENAI_API_KEY", hint: "the Azure OpenAI key")
        let base = try environment.required("AZURE_OPENAI_ENDPOINT", hint: "https://NAME.openai.azure.com").trimmingSuffix("/")
        deployment = try environment.required("AZURE_OPENAI_DEPLOYMENT", hint: "the deployment name")
        let version = environment.string("AZURE_OPENAI_API_VERSION") ?? "2024-08-01-preview"
        endpoint = "\(base)/openai/deployments/\(deployment)/chat/completions?api-version=\(version)"
    }

    func makeProvider(named name: String, http: CurlHTTPClient, timeout: Duration) -> any LLMProvider {
        OpenAICompatibleProvider(name: name, endpoint: endpoint, model: deployment, authHeader: ("api-key", apiKey), http: http, timeout: timeout)
    }
}

/// A local Ollama server's OpenAI-compatible API: no key.
struct OllamaSetup: LLMProviderSetup {
    let endpoint: String
    let model: String

    init(environment: Environment) throws(ConfigurationError) {
        endpoint = (environment.string("OLLAMA_BASE_URL") ?? "http://127.0.0.1:11434/v1").trimmingSuffix("/") + "/chat/completions"
        model = environment.string("OLLAMA_MODEL") ?? "llama3.1"
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

    func makeProvider(named name: String, http: CurlHTTPClient, timeout: Duration) -> any LLMProvider {
        GeminiProvider(name: name, baseURL: baseURL, apiKey: apiKey, model: model, http: http, timeout: timeout)
    }
}
