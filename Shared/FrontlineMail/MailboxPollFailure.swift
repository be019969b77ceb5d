import FrontlineCurl

/// Why a mailbox poll failed, as the `cause` label of `frontline_mailbox_poll_failures_total`
/// says it: a wrong password must not look like a network hiccup to whoever is paged.
public enum MailboxPollFailureCause: String, Sendable, CaseIterable {
    /// The server refused the login (a wrong password, a revoked or unobtainable OAuth token).
    case authentication
    /// The server could not be reached, or the connection broke.
    case connection
    case timeout
    /// The server answered something the IMAP exchange did not expect.
    case protocolViolation = "protocol"
    /// Anything else (the database, a file of a Maildir).
    case other

    public init(_ error: any Error) {
        guard let curl = error as? CurlError else {
            self = .other
            return
        }
        if curl.isAuthenticationFailure {
            self = .authentication
        } else if curl.isTimeout {
            self = .timeout
        } else if curl.isConnectionFailure || curl.isTLSFailure {
            self = .connection
        } else {
            self = .protocolViolation
        }
    }
}
