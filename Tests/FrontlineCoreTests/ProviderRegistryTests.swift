import FrontlineAI
import FrontlineCore
import FrontlineCurl
import Testing

@Suite struct ProviderRegistryTests {
    func settings(_ values: [String: String], registry: LLMProviderRegistry = .standard) throws(ConfigurationError) -> ProviderSettings {
        try ProviderSettings(environment: Environment(values), registry: registry)
    }

    @Test func theConfiguredOrderIsKeptAndTheBuiltinEngineComesLast() throws {
        let settings = try settings([
            "FRONTLINE_LLM_PROVIDERS": "Anthropic, builtin, openai, ollama, openai", "ANTHROPIC_API_KEY": "a-key", "OPENAI_API_KEY": "o-key",
            "OLLAMA_MODEL": "qwen2.5",
        ])
        #expect(settings.order == ["anthropic", "openai", "ollama"], "lower case, builtin apart, each once")
        #expect(settings.names == ["anthropic", "openai", "ollama", "builtin"])
        let http = CurlHTTPClient(threads: 1)
        defer { http.shutdown() }
        let providers = settings.providers(http: http)
        #expect(providers.map(\.name) == ["anthropic", "openai", "ollama"])
        #expect(providers.map(\.model) == ["claude-3-5-haiku-latest", "gpt-4o-mini", "qwen2.5"])
    }

    @Test func noProvidersMeansTheBuiltinEngineAlone() throws {
        let settings = try settings([:])
        #expect(settings.order.isEmpty)
        #expect(settings.names == ["builtin"])
    }

    @Test func anUnknownNameIsRefusedWithTheKnownOnes() {
        #expect(throws: ConfigurationError(
            variable: "FRONTLINE_LLM_PROVIDERS", problem: "names \"mistral\"; known providers: openai, azure, ollama, anthropic, gemini, builtin"
        )) { try settings(["FRONTLINE_LLM_PROVIDERS": "openai,mistral", "OPENAI_API_KEY": "o-key"]) }
    }

    @Test func aMissingVariableIsNamedAndNoSecretIsEchoed() throws {
        do {
            _ = try settings([
                "FRONTLINE_LLM_PROVIDERS": "azure", "AZURE_OPENAI_API_KEY": "secret-azure-key",
                "AZURE_OPENAI_ENDPOINT": "https://example.openai.azure.com/",
            ])
            Issue.record("azure without a deployment was accepted")
        } catch {
            #expect(error.variable == "AZURE_OPENAI_DEPLOYMENT")
            #expect(!error.description.contains("secret-azure-key"))
        }
        #expect(throws: ConfigurationError.self) { try settings(["FRONTLINE_LLM_PROVIDERS": "gemini"]) }
    }

    /// A provider added the way the registry's comment says: one setup type and one line.
    struct EchoSetup: LLMProviderSetup {
        let model: String
        init(environment: Environment) throws(ConfigurationError) {
            model = try environment.required("ECHO_MODEL", hint: "a model name")
        }
        func makeProvider(named name: String, http: CurlHTTPClient, timeout: Duration) -> any LLMProvider {
            Echo(name: name, model: model)
        }
    }

    struct Echo: LLMProvider {
        let name: String
        let model: String
        func answer(_ call: StructuredCall) async throws -> StructuredAnswer {
            StructuredAnswer(json: .object(["echo": .string(call.user)]), promptTokens: nil, completionTokens: nil)
        }
    }

    @Test func aNewProviderIsOneTypeAndOneRegistration() async throws {
        var registry = LLMProviderRegistry.standard
        registry.register("echo", EchoSetup.self)
        let settings = try settings(["FRONTLINE_LLM_PROVIDERS": "echo", "ECHO_MODEL": "parrot"], registry: registry)
        let http = CurlHTTPClient(threads: 1)
        defer { http.shutdown() }
        let provider = try #require(settings.providers(http: http).first)
        #expect(provider.name == "echo" && provider.model == "parrot")
        let answer = try await provider.answer(StructuredCall(system: "", user: "hello", schema: .null, name: "test"))
        #expect(answer.json["echo"]?.stringValue == "hello")
        #expect(throws: ConfigurationError.self) { try self.settings(["FRONTLINE_LLM_PROVIDERS": "echo"], registry: registry) }
    }
}
