import FrontlineCore
import FrontlineDomain
import FrontlineCurl

/// The LLM settings, from the vendors' usual variables:
///
/// - `FRONTLINE_LLM_PROVIDERS`: failover order, e.g. `openai,anthropic,builtin` (builtin is
///   always last, added when missing); each name is an entry of `LLMProviderRegistry`
/// - `openai`: `OPENAI_API_KEY`, `OPENAI_BASE_URL` (LM Studio, vLLM, llama.cpp), `OPENAI_MODEL`
/// - `azure`: `AZURE_OPENAI_API_KEY`, `AZURE_OPENAI_ENDPOINT`, `AZURE_OPENAI_DEPLOYMENT`, `AZURE_OPENAI_API_VERSION`
/// - `ollama`: `OLLAMA_BASE_URL`, `OLLAMA_MODEL`
/// - `anthropic`: `ANTHROPIC_API_KEY`, `ANTHROPIC_BASE_URL`, `ANTHROPIC_MODEL`
/// - `gemini`: `GEMINI_API_KEY`, `GEMINI_BASE_URL`, `GEMINI_MODEL`
/// - `FRONTLINE_LLM_TIMEOUT_SECONDS` (30), `FRONTLINE_LLM_REDACT` (0)
public struct ProviderSettings: Sendable {
    /// The vendors in failover order (the built-in engine is not among them: it is always last).
    public var order: [String]
    public var timeout: Duration
    public var redact: Bool
    /// The settings of each vendor in `order`, read at start.
    let setups: [(name: String, setup: any LLMProviderSetup)]

    public init(environment: Environment, registry: LLMProviderRegistry = .standard) throws(ConfigurationError) {
        let names = (environment.string("FRONTLINE_LLM_PROVIDERS") ?? BuiltinProvider.providerName).split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        for name in names where registry.entry(name) == nil {
            throw ConfigurationError(
                variable: "FRONTLINE_LLM_PROVIDERS", problem: "names \"\(name)\"; known providers: \(registry.names.joined(separator: ", "))"
            )
        }
        var setups: [(name: String, setup: any LLMProviderSetup)] = []
        // A name given twice is tried once (each provider has one circuit breaker).
        for name in names where !setups.contains(where: { $0.name == name }) {
            guard case .vendor(let configure)? = registry.entry(name) else { continue }
            setups.append((name, try configure(environment)))
        }
        self.setups = setups
        order = setups.map(\.name)
        timeout = try environment.seconds("FRONTLINE_LLM_TIMEOUT_SECONDS", default: .seconds(30), range: 0.1...600)
        redact = try environment.flag("FRONTLINE_LLM_REDACT", default: false)
    }

    /// The chain as it runs: the vendors in order, then the built-in engine.
    public var names: [String] { order + [BuiltinProvider.providerName] }

    /// Each vendor's free call (`LLMProviderSetup.freeCall`), in failover order; nil where it has none.
    public func freeCalls(timeout: Duration) -> [(name: String, call: LLMFreeCall?)] {
        setups.map { ($0.name, $0.setup.freeCall(timeout: timeout)) }
    }

    /// The vendor providers in failover order (builtin not included).
    public func providers(http: CurlHTTPClient) -> [any LLMProvider] {
        setups.map { $0.setup.makeProvider(named: $0.name, http: http, timeout: timeout) }
    }
}
