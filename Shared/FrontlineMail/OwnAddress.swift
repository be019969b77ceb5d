import FrontlineCore

extension Environment {
    /// Our own address, whom Frontline's mail comes from: `FRONTLINE_FROM_ADDRESS`
    /// (helpdesk@localhost when unset) with `FRONTLINE_FROM_NAME` (IT Service Desk). Read here
    /// only: the notifier sends as it, the intake recognises it (mail from ourselves is not a
    /// customer's), the CLI records it on approved drafts.
    public func ownMailAddress() throws(ConfigurationError) -> MailAddress {
        let address = string("FRONTLINE_FROM_ADDRESS") ?? "helpdesk@localhost"
        guard EmailAddress(address) != nil else {
            throw ConfigurationError(variable: "FRONTLINE_FROM_ADDRESS", problem: "must be an email address")
        }
        return MailAddress(address, name: string("FRONTLINE_FROM_NAME") ?? "IT Service Desk")
    }
}
