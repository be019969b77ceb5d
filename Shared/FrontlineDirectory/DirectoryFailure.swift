import FrontlineMail

/// Why a directory lookup failed, as far as the fix goes: the directory refused our
/// credentials (the bind DN and password, or the app's id, secret and permissions), or it was
/// not reached or answered oddly (its address, the network, the directory itself).
public enum DirectoryFailure: Sendable, Equatable {
    case credentialsRefused
    case other

    public init(_ error: any Error) {
        switch error {
        // invalidCredentials, insufficientAccess, inappropriateAuthentication (RFC 4511)
        case let error as LDAPError where [48, 49, 50].contains(error.code): self = .credentialsRefused
        case let error as GraphError where error.status == 401 || error.status == 403: self = .credentialsRefused
        case let error as OAuthError:
            if case .refused = error.kind { self = .credentialsRefused } else { self = .other }
        default: self = .other
        }
    }
}
