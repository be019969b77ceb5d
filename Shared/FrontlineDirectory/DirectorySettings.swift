import Foundation
import FrontlineCore
import FrontlineDomain
import FrontlineMail

/// FRONTLINE_DIRECTORY and the variables of the directory it names; each read here only.
/// Unset means no directory: tickets are not looked up.
public struct DirectorySettings: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case ldap(LDAPSettings)
        case graph(GraphSettings)
    }

    /// Nil: no directory configured.
    public var source: Source?
    /// FRONTLINE_VIP_GROUP: members' tickets are raised one priority step.
    public var vipGroup: String?

    public init(source: Source?, vipGroup: String? = nil) {
        self.source = source
        self.vipGroup = vipGroup
    }

    public init(environment: Environment) throws(ConfigurationError) {
        let kind = try environment.choice("FRONTLINE_DIRECTORY", default: "none", ["none": "none", "ldap": "ldap", "graph": "graph"])
        vipGroup = environment.string("FRONTLINE_VIP_GROUP")
        switch kind {
        case "ldap": source = .ldap(try Self.ldap(environment))
        case "graph": source = .graph(try Self.graph(environment))
        default: source = nil
        }
    }

    /// The adapter, or nil when none is configured.
    public func makeLookup() -> (any DirectoryLookup)? {
        switch source {
        case .ldap(let settings): LDAPDirectory(settings: settings)
        case .graph(let settings): GraphDirectory(settings: settings)
        case nil: nil
        }
    }

    static func ldap(_ environment: Environment) throws(ConfigurationError) -> LDAPSettings {
        let url = try environment.required("FRONTLINE_LDAP_URL", hint: "ldaps://host or ldap://host (StartTLS)")
        let security: LDAPSettings.Security
        let lowered = url.lowercased()
        if lowered.hasPrefix("ldaps://") {
            security = .ldaps
        } else if lowered.hasPrefix("ldap://") {
            security = .startTLS
        } else {
            throw ConfigurationError(variable: "FRONTLINE_LDAP_URL", problem: "must start with ldaps:// or ldap:// (StartTLS)")
        }
        guard URLComponents(string: url)?.host?.isEmpty == false else {
            throw ConfigurationError(variable: "FRONTLINE_LDAP_URL", problem: "names no host")
        }
        let baseDN = try environment.required("FRONTLINE_LDAP_BASE_DN", hint: "the DN people are searched under, e.g. dc=example,dc=org")
        guard baseDN.contains("=") else {
            throw ConfigurationError(variable: "FRONTLINE_LDAP_BASE_DN", problem: "is not a DN (expected e.g. dc=example,dc=org)")
        }
        let bindDN = environment.string("FRONTLINE_LDAP_BIND_DN")
        let password = try environment.secret("FRONTLINE_LDAP_PASSWORD")
        if bindDN != nil, password == nil {
            throw ConfigurationError(variable: "FRONTLINE_LDAP_PASSWORD", problem: "is missing (FRONTLINE_LDAP_BIND_DN is set; or use FRONTLINE_LDAP_PASSWORD_FILE)")
        }
        let caFile = environment.string("FRONTLINE_LDAP_CA_FILE")
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw ConfigurationError(variable: "FRONTLINE_LDAP_CA_FILE", problem: "is not a readable file: \(caFile)")
        }
        let timeout = try environment.integer("FRONTLINE_LDAP_TIMEOUT_SECONDS", default: 5, range: 1...60)
        return LDAPSettings(
            url: url, security: security, bindDN: bindDN, password: password, baseDN: baseDN, caFile: caFile, timeoutSeconds: timeout
        )
    }

    static func graph(_ environment: Environment) throws(ConfigurationError) -> GraphSettings {
        let tokenURL: String
        if let url = environment.string("FRONTLINE_GRAPH_TOKEN_URL") {
            tokenURL = url
        } else {
            let tenant = try environment.required("FRONTLINE_GRAPH_TENANT_ID", hint: "the Entra ID tenant, or FRONTLINE_GRAPH_TOKEN_URL")
            guard tenant.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }) else {
                throw ConfigurationError(variable: "FRONTLINE_GRAPH_TENANT_ID", problem: "is not a tenant id or domain")
            }
            tokenURL = "https://login.microsoftonline.com/\(tenant)/oauth2/v2.0/token"
        }
        if let problem = CredentialURL.problem(tokenURL) {
            throw ConfigurationError(variable: "FRONTLINE_GRAPH_TOKEN_URL", problem: problem)
        }
        let baseURL = environment.string("FRONTLINE_GRAPH_URL") ?? "https://graph.microsoft.com/v1.0"
        // The same rule as the token endpoint: the bearer token travels there.
        if let problem = CredentialURL.problem(baseURL) {
            throw ConfigurationError(variable: "FRONTLINE_GRAPH_URL", problem: problem)
        }
        let clientID = try environment.required("FRONTLINE_GRAPH_CLIENT_ID", hint: "the app registration's client id")
        guard let secret = try environment.secret("FRONTLINE_GRAPH_CLIENT_SECRET") else {
            throw ConfigurationError(variable: "FRONTLINE_GRAPH_CLIENT_SECRET", problem: "is missing (or use FRONTLINE_GRAPH_CLIENT_SECRET_FILE)")
        }
        let timeout = try environment.seconds("FRONTLINE_GRAPH_TIMEOUT_SECONDS", default: .seconds(10), range: 1...120)
        return GraphSettings(tokenURL: tokenURL, clientID: clientID, clientSecret: secret, baseURL: baseURL, timeout: timeout)
    }
}
