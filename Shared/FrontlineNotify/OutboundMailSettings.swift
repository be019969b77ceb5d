import Foundation
import FrontlineCore
import FrontlineMail

/// Our outbound mail's settings, read from the environment in this one place for every door
/// that composes or sends mail (the notifier; `frontline report --email`, which queues mail for
/// the notifier to send): the sender, the templates, the key that signs our Message-IDs and,
/// for a sender, the SMTP server.
public struct OutboundMailSettings: Sendable {
    public var from: MailAddress
    /// `FRONTLINE_TEMPLATE_DIR`: templates that override the built-in ones.
    public var templateDirectory: String?
    public var secret: ReplySecret
    /// The server mail goes out through; nil where `sending` was false (the mail is only queued).
    public var smtp: SMTPServer?

    public init(environment: Environment, sending: Bool) throws(ConfigurationError) {
        smtp = sending ? try Self.smtpServer(environment: environment) : nil
        from = try environment.ownMailAddress()
        templateDirectory = environment.string("FRONTLINE_TEMPLATE_DIR")
        secret = try environment.replySecret()
    }

    /// The server our mail goes out through: `FRONTLINE_SMTP_URL`, plaintext only with
    /// `FRONTLINE_SMTP_ALLOW_PLAINTEXT`.
    public static func smtpServer(environment: Environment) throws(ConfigurationError) -> SMTPServer {
        let allowPlaintext = try environment.flag("FRONTLINE_SMTP_ALLOW_PLAINTEXT", default: false)
        let url = try environment.required("FRONTLINE_SMTP_URL", hint: "smtps://user:pass@host:465 or smtp://user:pass@host:587")
        guard let smtp = SMTPServer(url, allowPlaintext: allowPlaintext) else {
            throw ConfigurationError(variable: "FRONTLINE_SMTP_URL", problem: "must be smtps://user:pass@host:port or smtp://user:pass@host:port")
        }
        return smtp
    }
}
