import CLDAP
import Foundation
import FrontlineCore
import FrontlineDomain

/// How to reach an LDAP directory (OpenLDAP or Active Directory).
public struct LDAPSettings: Sendable, Equatable {
    public enum Security: String, Sendable, Equatable {
        /// ldaps://: TLS from the first byte.
        case ldaps
        /// ldap:// upgraded with StartTLS before the bind; refused when the server cannot.
        case startTLS
    }

    public var url: String
    public var security: Security
    public var bindDN: String?
    public var password: String?
    public var baseDN: String
    /// The CA that signed the server's certificate; nil trusts the system's CAs.
    public var caFile: String?
    public var timeoutSeconds: Int

    public init(
        url: String, security: Security, bindDN: String?, password: String?, baseDN: String, caFile: String?, timeoutSeconds: Int = 5
    ) {
        self.url = url
        self.security = security
        self.bindDN = bindDN
        self.password = password
        self.baseDN = baseDN
        self.caFile = caFile
        self.timeoutSeconds = timeoutSeconds
    }
}

/// Why an LDAP lookup failed: the operation and libldap's words (never the password).
public struct LDAPError: Error, CustomStringConvertible, Equatable {
    public var operation: String
    public var code: Int32
    public var message: String

    public var description: String { "LDAP \(operation) failed (\(code)): \(message)" }
}

/// `DirectoryLookup` over LDAP through libldap. libldap blocks: every call runs on a thread of
/// our own that keeps one bound connection (made again after any failure).
public final class LDAPDirectory: DirectoryLookup {
    public let kind = "ldap"
    private let settings: LDAPSettings
    private let threads: DedicatedThreadPool<LDAPConnection?>

    public init(settings: LDAPSettings, threads: Int = 1) {
        self.settings = settings
        self.threads = DedicatedThreadPool(name: "ldap", size: threads) { nil }
    }

    public func entry(forEmail email: String) async throws -> DirectoryEntry? {
        let settings = self.settings
        return try await threads.run { connection in
            do {
                if connection == nil { connection = try LDAPConnection(settings: settings) }
                guard let open = connection else { return nil }
                return try open.entry(forEmail: email)
            } catch {
                // A dropped or half-broken connection is not used again: the next lookup reconnects.
                connection = nil
                throw error
            }
        }
    }

    public func shutdown() { threads.shutdown() }
}

/// One bound libldap handle; used only on the thread that made it.
final class LDAPConnection {
    private let handle: OpaquePointer
    private let settings: LDAPSettings

    init(settings: LDAPSettings) throws {
        self.settings = settings
        var made: OpaquePointer?
        try Self.check(ldap_initialize(&made, settings.url), "initialize", nil)
        guard let made else { throw LDAPError(operation: "initialize", code: -1, message: "no handle") }
        handle = made
        // A throw from here on still runs deinit (every stored property is set), which unbinds.
        try Self.check(frontline_ldap_set_int(handle, LDAP_OPT_PROTOCOL_VERSION, LDAP_VERSION3), "set protocol version", handle)
        try Self.check(frontline_ldap_set_int(handle, LDAP_OPT_REFERRALS, 0), "set referrals", handle)
        try Self.check(frontline_ldap_set_timeouts(handle, settings.timeoutSeconds), "set timeouts", handle)
        try Self.check(frontline_ldap_set_int(handle, LDAP_OPT_X_TLS_REQUIRE_CERT, LDAP_OPT_X_TLS_DEMAND), "require a certificate", handle)
        if let caFile = settings.caFile {
            try Self.check(ldap_set_option(handle, LDAP_OPT_X_TLS_CACERTFILE, caFile), "set the CA file", handle)
        }
        // The TLS options above apply to this handle only once it has a context of its own.
        try Self.check(frontline_ldap_set_int(handle, LDAP_OPT_X_TLS_NEWCTX, 0), "make the TLS context", handle)
        if settings.security == .startTLS {
            try Self.check(ldap_start_tls_s(handle, nil, nil), "StartTLS", handle)
        }
        try Self.check(frontline_ldap_simple_bind(handle, settings.bindDN, settings.password), "bind", handle)
    }

    deinit { ldap_unbind_ext_s(handle, nil, nil) }

    func entry(forEmail email: String) throws -> DirectoryEntry? {
        let attributes = ["displayName", "cn", "department", "departmentNumber", "ou", "title", "telephoneNumber", "manager", "memberOf"]
        guard let person = try search(base: settings.baseDN, subtree: true, filter: "(mail=\(Self.escape(email)))", attributes: attributes).first
        else { return nil }
        var entry = DirectoryEntry(
            displayName: person.first("displayName") ?? person.first("cn"),
            department: person.first("department") ?? person.first("departmentNumber") ?? person.first("ou"),
            title: person.first("title"), phone: person.first("telephoneNumber")
        )
        if let managerDN = person.first("manager"),
            let manager = try search(base: managerDN, subtree: false, filter: "(objectClass=*)", attributes: ["displayName", "cn", "mail"]).first
        {
            entry.managerName = manager.first("displayName") ?? manager.first("cn")
            entry.managerEmail = manager.first("mail")
        }
        // Active Directory (and OpenLDAP with the memberof overlay) list the groups on the
        // person; otherwise the groups that name the person as a member are searched.
        let memberOf = person.values["memberof"] ?? []
        if !memberOf.isEmpty {
            entry.groups = memberOf.compactMap(Self.firstRDNValue)
        } else {
            let dn = Self.escape(person.dn)
            entry.groups = try search(
                base: settings.baseDN, subtree: true, filter: "(|(member=\(dn))(uniqueMember=\(dn)))", attributes: ["cn"]
            ).compactMap { $0.first("cn") }
        }
        entry.groups.sort()
        return entry
    }

    struct Found {
        var dn: String
        /// Attribute names lowercased: servers answer in their own spelling.
        var values: [String: [String]]
        func first(_ name: String) -> String? { values[name.lowercased()]?.first { !$0.isEmpty } }
    }

    private func search(base: String, subtree: Bool, filter: String, attributes: [String]) throws -> [Found] {
        var cStrings = attributes.map { strdup($0) }
        cStrings.append(nil)
        defer { cStrings.forEach { free($0) } }
        var result: OpaquePointer?
        let scope = subtree ? frontline_ldap_scope_subtree() : frontline_ldap_scope_base()
        let code = cStrings.withUnsafeMutableBufferPointer { pointers in
            frontline_ldap_search(handle, base, scope, filter, pointers.baseAddress, settings.timeoutSeconds, &result)
        }
        defer { if result != nil { ldap_msgfree(result) } }
        // A manager DN that no longer exists is no failure of the lookup.
        if code == LDAP_NO_SUCH_OBJECT { return [] }
        try Self.check(code, "search", handle)
        var found: [Found] = []
        var message = ldap_first_entry(handle, result)
        while let current = message {
            var values: [String: [String]] = [:]
            for name in attributes {
                guard let list = ldap_get_values_len(handle, current, name) else { continue }
                defer { ldap_value_free_len(list) }
                var strings: [String] = []
                var index = 0
                while let value = list[index] {
                    let bytes = UnsafeRawBufferPointer(start: value.pointee.bv_val, count: Int(value.pointee.bv_len))
                    strings.append(String(decoding: bytes, as: UTF8.self))
                    index += 1
                }
                values[name.lowercased()] = strings
            }
            var dn = ""
            if let text = ldap_get_dn(handle, current) {
                dn = String(cString: text)
                ldap_memfree(text)
            }
            found.append(Found(dn: dn, values: values))
            message = ldap_next_entry(handle, current)
        }
        return found
    }

    private static func check(_ code: Int32, _ operation: String, _ handle: OpaquePointer?) throws {
        guard code != LDAP_SUCCESS else { return }
        throw LDAPError(operation: operation, code: code, message: String(cString: ldap_err2string(code)))
    }

    /// RFC 4515: a value inside a filter with its special characters escaped, so that an
    /// address can never change the filter.
    static func escape(_ value: String) -> String {
        var escaped: [UInt8] = []
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "*"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "\\"), 0:
                escaped += Array(String(format: "\\%02x", byte).utf8)
            default:
                escaped.append(byte)
            }
        }
        return String(decoding: escaped, as: UTF8.self)
    }

    /// "cn=VIP,ou=groups,dc=example,dc=org" → "VIP" (a group's name from its DN).
    static func firstRDNValue(_ dn: String) -> String? {
        guard let first = dn.split(separator: ",").first, let equals = first.firstIndex(of: "=") else { return nil }
        let value = first[first.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        return value.isEmpty ? nil : value
    }
}
