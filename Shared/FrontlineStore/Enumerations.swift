import FrontlineDomain

// The domain's enumerations bind as their raw values and decode from a column, so that no
// repository spells a status as a string literal (the CHECK constraints hold the same lists).

extension PostgresBindable where Self: RawRepresentable, RawValue == String {
    public var postgresParameter: PostgresParameter { .text(rawValue) }
}

extension TicketStatus: PostgresBindable {}
extension SenderRole: PostgresBindable {}
extension EscalationLevel: PostgresBindable {}
extension Priority: PostgresBindable {}
extension SupplierRequestStatus: PostgresBindable {}

extension RawRepresentable where Self: PostgresBindable, RawValue == String {
    /// The value as an SQL constant, for the few statements whose plan must see it: PostgreSQL
    /// uses a partial index (`WHERE status = 'pending'`) only for a query naming the same
    /// constant, which a bound parameter is not once a prepared statement's plan is generic.
    /// The text comes from the enumeration (our own identifiers), never from input.
    public var sqlConstant: String {
        precondition(rawValue.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == " " || $0 == "/" }, "not an identifier")
        return "'" + rawValue + "'"
    }
}

extension Sequence where Element: RawRepresentable & PostgresBindable, Element.RawValue == String {
    /// The values as an SQL list of constants, `('solved', 'closed')` (see `sqlConstant`).
    public var sqlConstants: String { "(" + map(\.sqlConstant).joined(separator: ", ") + ")" }
}

extension PostgresTextArray {
    /// A text[] of enumeration values, for `status = ANY($1)`.
    public init<E: RawRepresentable>(_ values: some Sequence<E>) where E.RawValue == String {
        self.init(values.map(\.rawValue))
    }
}

extension PostgresRow {
    /// The column as a domain enumeration; a value the enumeration does not know is an error.
    public func value<E: RawRepresentable>(_ name: String, as _: E.Type) throws -> E where E.RawValue == String {
        let text = try string(name)
        guard let value = E(rawValue: text) else {
            throw PostgresError(code: .unexpectedResult, serverMessage: "column \(name) holds a value \(E.self) does not know")
        }
        return value
    }

    /// The column as a domain enumeration, nil when NULL.
    public func optionalValue<E: RawRepresentable>(_ name: String, as type: E.Type) throws -> E? where E.RawValue == String {
        self[name] == nil ? nil : try value(name, as: type)
    }
}

extension NotificationStatus: PostgresBindable {}
extension MessageDirection: PostgresBindable {}
extension AIDecisionKind: PostgresBindable {}
extension NotificationKind: PostgresBindable {}
extension RecipientRole: PostgresBindable {}
extension NotificationChannelKind: PostgresBindable {}
