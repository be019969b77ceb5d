import Foundation
import FrontlineCurl

/// Slack's Web API over HTTP: the request for a method and what its answer means. The transport
/// (a blocking libcurl handle in the notifier, the async client in the api) is the caller's.
public enum SlackWebAPI {
    public enum Answer: Sendable, Equatable {
        /// `ok: true`, with the message's conversation and timestamp when the method returns them.
        case ok(channel: String?, ts: String?)
        /// `ok: false` with Slack's error code (`channel_not_found`, `invalid_auth`, ...).
        case error(String)
        /// HTTP 429: wait this long (Retry-After; a minute when Slack gives none that parses).
        case rateLimited(Duration)
        /// No usable answer (a 5xx, a body that is not Slack's): try again later.
        case unavailable(String)
    }

    /// Errors that say the request itself is wrong: sending it again cannot help.
    static let permanentErrors: Set<String> = [
        "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "no_permission", "missing_scope",
        "channel_not_found", "is_archived", "not_in_channel", "msg_too_long", "no_text", "invalid_blocks", "invalid_arguments",
        "restricted_action", "cant_update_message", "edit_window_closed", "message_not_found", "user_not_found",
    ]

    public static func isPermanent(_ error: String) -> Bool { permanentErrors.contains(error) }

    public static func request(_ method: String, body: [UInt8], settings: SlackSettings) -> HTTPRequest {
        HTTPRequest(
            method: "POST", url: settings.apiURL + "/" + method,
            headers: [("Content-Type", "application/json; charset=utf-8"), ("Authorization", "Bearer " + settings.botToken.revealed)],
            body: body, timeout: .seconds(15)
        )
    }

    /// `users.info` of one member (a read method: its argument goes in the query, not a JSON body).
    /// `userID` must be a Slack member ID (`NotificationPreferences.isSlackUserID`).
    public static func userInfo(_ userID: String, settings: SlackSettings) -> HTTPRequest {
        HTTPRequest(
            method: "GET", url: settings.apiURL + "/users.info?user=" + userID,
            headers: [("Authorization", "Bearer " + settings.botToken.revealed)], timeout: .seconds(15)
        )
    }

    /// `users.lookupByEmail`: the member whose profile has this address.
    public static func lookup(email: String, settings: SlackSettings) -> HTTPRequest {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let query = email.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        return HTTPRequest(
            method: "GET", url: settings.apiURL + "/users.lookupByEmail?email=" + query,
            headers: [("Authorization", "Bearer " + settings.botToken.revealed)], timeout: .seconds(15)
        )
    }

    /// The member ID a `users.lookupByEmail` answer names; nil for none, a deactivated member or a bot.
    public static func member(ofLookup response: HTTPResponse) -> String? {
        guard let user = activeUser(response), let id = user["id"] as? String else { return nil }
        return id
    }

    /// The email of the person a `users.info` answer describes; nil for a deactivated member, a
    /// bot, or a profile without one (the app lacks the `users:read.email` scope).
    public static func email(ofUserInfo response: HTTPResponse) -> String? {
        guard let user = activeUser(response), let email = (user["profile"] as? [String: Any])?["email"] as? String, !email.isEmpty else { return nil }
        return email
    }

    /// The `user` of an ok answer when it is a person whose account is active.
    static func activeUser(_ response: HTTPResponse) -> [String: Any]? {
        guard case .ok = answer(response),
            let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any],
            let user = object["user"] as? [String: Any], user["deleted"] as? Bool != true, user["is_bot"] as? Bool != true
        else { return nil }
        return user
    }

    public static func answer(_ response: HTTPResponse, now: Date = Date()) -> Answer {
        if response.status == 429 { return .rateLimited(response.retryAfter(now: now) ?? .seconds(60)) }
        guard (200..<300).contains(response.status) else { return .unavailable("Slack answered HTTP \(response.status)") }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any], let ok = object["ok"] as? Bool else {
            return .unavailable("Slack's answer is not JSON with \"ok\"")
        }
        guard ok else { return .error((object["error"] as? String) ?? "unknown_error") }
        return .ok(channel: object["channel"] as? String, ts: object["ts"] as? String)
    }
}
