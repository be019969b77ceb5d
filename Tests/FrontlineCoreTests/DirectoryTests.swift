import Foundation
import FrontlineCore
import FrontlineDomain
@testable import FrontlineDirectory
import FrontlineMail
import Testing

@Suite struct DirectoryTests {
    let ldap = [
        "FRONTLINE_DIRECTORY": "ldap", "FRONTLINE_LDAP_URL": "ldaps://ldap.corp.test", "FRONTLINE_LDAP_BASE_DN": "dc=corp,dc=test",
        "FRONTLINE_LDAP_BIND_DN": "cn=reader,dc=corp,dc=test", "FRONTLINE_LDAP_PASSWORD": "s3cret",
    ]

    func problem(_ values: [String: String]) -> ConfigurationError? {
        do {
            _ = try DirectorySettings(environment: Environment(values))
            return nil
        } catch {
            return error
        }
    }

    @Test("no FRONTLINE_DIRECTORY: no lookup")
    func noneConfigured() throws {
        #expect(try DirectorySettings(environment: Environment([:])).source == nil)
        #expect(try DirectorySettings(environment: Environment([:])).makeLookup() == nil)
    }

    @Test("ldaps:// is TLS from the start, ldap:// is upgraded with StartTLS")
    func security() throws {
        guard case .ldap(let settings) = try DirectorySettings(environment: Environment(ldap)).source else {
            Issue.record("no LDAP settings")
            return
        }
        #expect(settings.security == .ldaps)
        #expect(settings.password == "s3cret")
        var plain = ldap
        plain["FRONTLINE_LDAP_URL"] = "ldap://ldap.corp.test:389"
        guard case .ldap(let upgraded) = try DirectorySettings(environment: Environment(plain)).source else { return }
        #expect(upgraded.security == .startTLS)
    }

    @Test("a bad value stops the start naming its variable, never showing the password")
    func badValues() throws {
        #expect(problem(ldap.merging(["FRONTLINE_DIRECTORY": "x500"]) { $1 })?.variable == "FRONTLINE_DIRECTORY")
        #expect(problem(ldap.merging(["FRONTLINE_LDAP_URL": "http://ldap.corp.test"]) { $1 })?.variable == "FRONTLINE_LDAP_URL")
        #expect(problem(ldap.merging(["FRONTLINE_LDAP_URL": "ldaps://"]) { $1 })?.variable == "FRONTLINE_LDAP_URL")
        #expect(problem(ldap.filter { $0.key != "FRONTLINE_LDAP_BASE_DN" })?.variable == "FRONTLINE_LDAP_BASE_DN")
        #expect(problem(ldap.filter { $0.key != "FRONTLINE_LDAP_PASSWORD" })?.variable == "FRONTLINE_LDAP_PASSWORD")
        #expect(problem(ldap.merging(["FRONTLINE_LDAP_CA_FILE": "/nonexistent/ca.crt"]) { $1 })?.variable == "FRONTLINE_LDAP_CA_FILE")
        #expect(problem(ldap.merging(["FRONTLINE_LDAP_TIMEOUT_SECONDS": "0"]) { $1 })?.variable == "FRONTLINE_LDAP_TIMEOUT_SECONDS")
        let both = problem(ldap.merging(["FRONTLINE_LDAP_PASSWORD_FILE": "/etc/hostname"]) { $1 })
        #expect(both?.variable == "FRONTLINE_LDAP_PASSWORD_FILE")
        #expect(both?.description.contains("s3cret") == false)
    }

    @Test("the password can come from a file (a mounted secret)")
    func passwordFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ldap-password-\(UUID().uuidString)")
        try "from-a-file\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        var values = ldap.filter { $0.key != "FRONTLINE_LDAP_PASSWORD" }
        values["FRONTLINE_LDAP_PASSWORD_FILE"] = file.path
        guard case .ldap(let settings) = try DirectorySettings(environment: Environment(values)).source else { return }
        #expect(settings.password == "from-a-file")
    }

    @Test("an address cannot change the LDAP filter")
    func filterEscaping() {
        #expect(LDAPConnection.escape("a*)(uid=*") == #"a\2a\29\28uid=\2a"#)
        #expect(LDAPConnection.escape(#"back\slash"#) == #"back\5cslash"#)
        #expect(LDAPConnection.escape("jörg@corp.test") == "jörg@corp.test")
        #expect(LDAPConnection.firstRDNValue("cn=VIP,ou=groups,dc=corp,dc=test") == "VIP")
    }

    @Test("a VIP's ticket is raised one step, Critical stays; a profile is read again after a day")
    func policy() {
        #expect(DirectoryPolicy.raisedOneStep(.low) == .medium)
        #expect(DirectoryPolicy.raisedOneStep(.medium) == .high)
        #expect(DirectoryPolicy.raisedOneStep(.high) == .desktopUserDown)
        #expect(DirectoryPolicy.raisedOneStep(.critical) == .critical)
        let read = Date(timeIntervalSince1970: 1_800_000_000)
        let profile = RequesterProfile(email: "a@corp.test", entry: DirectoryEntry(groups: ["VIP"]), readAt: read)
        #expect(!DirectoryPolicy.needsReading(profile, at: read.addingTimeInterval(23 * 3600)))
        #expect(DirectoryPolicy.needsReading(profile, at: read.addingTimeInterval(24 * 3600)))
        #expect(DirectoryPolicy.needsReading(nil, at: read))
        #expect(profile.isVIP(group: "vip"))
        #expect(!profile.isVIP(group: nil))
        #expect(!RequesterProfile(email: "x@elsewhere.test", entry: nil, readAt: read).isVIP(group: "VIP"))
    }

    @Test("the doctor's fix names the credentials only when the directory refused them")
    func refusedCredentialsAreToldApart() {
        #expect(DirectoryFailure(LDAPError(operation: "bind", code: 49, message: "Invalid credentials")) == .credentialsRefused)
        #expect(DirectoryFailure(LDAPError(operation: "search", code: 50, message: "Insufficient access")) == .credentialsRefused)
        #expect(DirectoryFailure(LDAPError(operation: "bind", code: -1, message: "Can't contact LDAP server")) == .other)
        #expect(DirectoryFailure(GraphError(message: "HTTP 403 Authorization_RequestDenied", status: 403)) == .credentialsRefused)
        #expect(DirectoryFailure(GraphError(message: "HTTP 500 ", status: 500)) == .other)
        // A 401 in a message is not a refusal: only the status says so.
        #expect(DirectoryFailure(GraphError(message: "more than 50 pages of results (401 users)")) == .other)
        #expect(DirectoryFailure(OAuthError(kind: .refused(status: 401, error: "invalid_client"), message: "refused")) == .credentialsRefused)
        #expect(DirectoryFailure(OAuthError(kind: .unreachable, message: "no answer")) == .other)
    }
}

@Suite struct DirectoryEscalationTests {
    @Test("mail from outside the directory to a restricted category goes to the team lead; a known sender or another category does not")
    func outsideDirectory() {
        var policy = EscalationPolicy()
        policy.restrictedCategories = ["Security"]
        var signals = EscalationPolicy.Signals(confidence: 0.9, priority: .medium)
        signals.category = "security"
        signals.requesterInDirectory = false
        #expect(policy.triggers(for: signals).map(\.cause) == ["outside_directory"])
        #expect(policy.triggers(for: signals).first?.level == .teamLead)
        signals.requesterInDirectory = true
        #expect(policy.triggers(for: signals).isEmpty)
        signals.requesterInDirectory = nil
        #expect(policy.triggers(for: signals).isEmpty, "not read (no directory, or it was away): no signal")
        signals.requesterInDirectory = false
        signals.category = "Hardware Support"
        #expect(policy.triggers(for: signals).isEmpty)
    }
}
