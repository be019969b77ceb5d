extension SMTPOutcome {
    /// Why the relay did not take the message, for the delivery's span; nil when it did.
    public var failureReason: String? {
        switch self {
        case .accepted: nil
        case .transient(let why): "deferred: \(why)"
        case .permanent(let why): "refused: \(why)"
        }
    }
}
