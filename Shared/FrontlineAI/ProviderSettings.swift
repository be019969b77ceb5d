import FrontlineCore
import FrontlineDomain
import FrontlineCurl

/// The LLM settings, from the vendors' usual variables:
///
/// - `FRONTLINE_LLM_PROVIDERS`: failover order, e.g. `openai,anthropic,builtin` (builtin is
///   always last, added when missing)
/// - `openai`: `OPENAI_API_KEY`, `OPENAI_BASE_URL` (LM Studio, vLLM, llama.cpp), `OPENAI_MODEL`
/// - `azure`: `AZURE_OPENAI_API_KEY`, `AZURE_OPENAI_ENDPOINT`, `AZURE_OPENAI_DEPLOYMENT`, `AZURE_OPENAI_API_VERSION`
/// - `ollama`: `OLLAMA_BASE_URL`, `OLLAMA_MODEL`
/// - `anthropic`: `ANTHROPIC_API_KEY`, `ANTHROPIC_BASE_URL`, `ANTHROPIC_MODEL`
/// - `gemini`: `GEMINI_API_KEY`, `GEMINI_BASE_URL`, `GEMINI_MODEL`
/// - `FRONTLINE_LLM_TIMEOUT_SECONDS` (30), `FRONTLINE_LLM_REDACT` (0)
public struct ProviderSettings: Sendable {
    public var order: [String]
    public var timeout: Duration
    public var redact: Bool
    let environment: Environment

    public static let known = ["openai", "azure", "ollama", "anthropic", "gemini", "builtin"]

    public init(environment: Environment) throws(ConfigurationError) {
        self.environment = environment
        let names = (environment.string("FRONTLINE_LLM_PROVIDERS") ?? "builtin").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        for name in names where !Self.known.contains(name) {
            throw ConfigurationError(
                variable: "FRONTLINE_LLM_PROVIDERS", problem: "names \"\(name)\"; known providers: \(Self.known.joined(separator: ", "))"
            )
        }
        order = names.filter { $0 != "builtin" }
        for name in order { try Self.requireCredentials(name, environment) }
        timeout = try environment.seconds("FRONTLINE_LLM_TIMEOUT_SECONDS", default: .seconds(30), range: 0.1...600)
        redact = try environment.flag("FRONTLINE_LLM_REDACT", default: false)
    }

    static func requireCredentials(_ name: String, _ environment: Environment) throws(ConfigurationError) {
        switch name {
        case "openai": _ = try environment.required("OPENAI_API_KEY", hint: "the OpenAI (or compatible server's) API key")
        case "azure":
            _ = try environment.required("AZURE_OPENAI_API_KEY", hint: "the Azure OpenAI key")
            _ = try environment.required("AZURE_OPENAI_ENDPOINT", hint: "https://NAME.openai.azure.com")
            _ = try environment.required("AZURE_OPENAI_DEPLOYMENT", hint: "the deployment name")
        case "anthropic": _ = try environment.required("ANTHROPIC_API_KEY", hint: "the Anthropic API key")
        case "gemini": _ = try environment.required("GEMINI_API_KEY", hint: "the Google AI API key")
        default: break
        }
    }

    /// The vendor providers in failover order (builtin not included).
    public func providers(http: CurlHTTPClient) -> [any LLMProvider] {
        let env = environment
        return order.map { name -> any LLMProvider in
            switch name {
            case "openai":
                return OpenAICompatibleProvider(
                    name: "openai", endpoint: (env.string("OPENAI_BASE_URL") ?? "https://api.openai.com/v1").trimmingSuffix("/") + "/chat/completions",
                    model: env.string("OPENAI_MODEL") ?? "gpt-4o-mini",
                    authHeader: ("Authorization", "Bearer " + (env.string("OPENAI_API_KEY") ?? "")), http: http, timeout: timeout
                )
            case "azure":
                let endpoint = env.string("AZURE_OPENAI_ENDPOINT")!.trimmingSuffix("/")
                let deployment = env.string("AZURE_OPENAI_DEPLOYMENT")!
                let version = env.string("AZURE_OPENAI_API_VERSION") ?? "2024-08-01-preview"
                return OpenAICompatibleProvider(
                    name: "azure", endpoint: "\(endpoint)/openai/deployments/\(deployment)/chat/completions?api-version=\(version)",
                    model: deployment, authHeader: ("api-key", env.string("AZURE_OPENAI_API_KEY")!), http: http, timeout: timeout
                )
            case "ollama":
                return OpenAICompatibleProvider(
                    name: "ollama", endpoint: (env.string("OLLAMA_BASE_URL") ?? "http://127.0.0.1:11434/v1").trimmingSuffix("/") + "/chat/completions",
                    model: env.string("OLLAMA_MODEL") ?? "llama3.1", authHeader: nil, http: http, timeout: timeout
                )
            case "anthropic":
                return AnthropicProvider(
                    baseURL: env.string("ANTHROPIC_BASE_URL") ?? "https://api.anthropic.com", apiKey: env.string("ANTHROPIC_API_KEY")!,
                    model: env.string("ANTHROPIC_MODEL") ?? "claude-3-5-haiku-latest", http: http, timeout: timeout
                )
            default:
                return GeminiProvider(
                    baseURL: env.string("GEMINI_BASE_URL") ?? "https://generativelanguage.googleapis.com", apiKey: env.string("GEMINI_API_KEY")!,
                    model: env.string("GEMINI_MODEL") ?? "gemini-1.5-flash", http: http, timeout: timeout
                )
            }
        }
    }
}
