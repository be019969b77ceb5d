import Foundation
import FrontlineCurl
import FrontlineDomain
import FrontlineNotify
import Logging

/// Who a Slack member is, asked of Slack by email or by member ID (the app needs the
/// `users:read` and `users:read.email` scopes). Best effort: an answer Slack does not give is
/// nil, with a warning, and the caller carries on as if the member were unknown.
public struct SlackMembers: Sendable {
    public let settings: SlackSettings
    public let http: CurlHTTPClient
    public let logger: Logger

    public init(settings: SlackSettings, http: CurlHTTPClient, logger: Logger) {
        self.settings = settings
        self.http = http
        self.logger = logger
    }

    /// The email on the member's Slack profile.
    public func email(of member: String) async -> String? {
        guard NotificationPreferences.isSlackUserID(member) else { return nil }
        return await ask(SlackWebAPI.userInfo(member, settings: settings), about: member, SlackWebAPI.email(ofUserInfo:))
    }

    /// The member whose Slack profile has this address.
    public func member(withEmail email: String) async -> String? {
        let found = await ask(SlackWebAPI.lookup(email: email, settings: settings), about: "a technician's address", SlackWebAPI.member(ofLookup:))
        return found.flatMap { NotificationPreferences.isSlackUserID($0) ? $0 : nil }
    }

    private func ask(_ request: HTTPRequest, about subject: String, _ read: (HTTPResponse) -> String?) async -> String? {
        do {
            let response = try await http.perform(request)
            if let answer = read(response) { return answer }
            // users_not_found and user_not_found are plain answers; anything else is worth a look.
            if case .error(let code) = SlackWebAPI.answer(response), code != "users_not_found", code != "user_not_found" {
                logger.warning("Slack did not say who a member is", metadata: ["about": "\(subject)", "error": "\(code)"])
            }
        } catch {
            logger.warning("Slack not reached to ask who a member is", metadata: ["about": "\(subject)", "error": "\(error)"])
        }
        return nil
    }
}
