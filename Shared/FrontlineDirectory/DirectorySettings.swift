import Foundation
import FrontlineCore
import FrontlineDomain

/// FRONTLINE_DIRECTORY and the variables of the directory it names; each read here only.
/// Unset means no directory: tickets are not looked up.
public struct DirectorySettings: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case ldap(LDAPSettings)
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
        let kind = try environment.choice("FRONTLINE_DIRECTORY", default: "none", ["none": "none", "ldap": "ldap"])
        vipGroup = environment.string("FRONTLINE_VIP_GROUP")
        switch kind {
        case "ldap": source = .ldap(try Self.ldap(environment))
        default: source = nil
        }
    }

    /// The adapter, or nil when none is configured.
    public func makeLookup() -> (any DirectoryLookup)? {
        switch source {
        case .ldap(let settings): LDAPDirectory(settings: settings)
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
        let password = try secret(environment, "FRONTLINE_LDAP_PASSWORD")
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

    /// NAME, or the contents of the file NAME_FILE names (a mounted secret); not both.
    static func secret(_ environment: Environment, _ name: String) throws(ConfigurationError) -> String? {
        let direct = environment.string(name)
        guard let path = environment.string(name + "_FILE") else { return direct }
        guard direct == nil else { throw ConfigurationError(variable: name + "_FILE", problem: "is set together with \(name): set one") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(variable: name + "_FILE", problem: "is not a readable file: \(path)")
        }
        let value = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
        guard !value.isEmpty else { throw ConfigurationError(variable: name + "_FILE", problem: "names an empty file: \(path)") }
        return value
    }
}
