extension Schema {
    /// Erasure on a data subject's request: the audit trail stays append-only, except that an
    /// erasure's own transaction (set_config('frontline.erasure', 'on', true)) may rewrite whom
    /// and what an entry names, never which action it records, when, or on which ticket.
    static let requesterErasure = Migration(
        version: 22, name: "requester erasure",
        sql: """
            CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' AND current_setting('frontline.retention', true) = 'on' THEN
                    RETURN OLD;
                END IF;
                IF TG_OP = 'UPDATE' AND current_setting('frontline.erasure', true) = 'on'
                    AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.action = OLD.action
                    AND NEW.ticket_id IS NOT DISTINCT FROM OLD.ticket_id THEN
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION 'audit_log is append-only';
            END $$;
            """
    )
}
