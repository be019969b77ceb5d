extension Schema {
    /// Each technician's open tickets, kept on the technician. Every assignment read every
    /// technician's load by counting their open tickets, the most expensive statement of the
    /// pipeline under load (#22: 0.9 to 3.5 ms a call, growing with the open tickets). A trigger
    /// keeps the figure in the transaction that changes a ticket's assignee or finishes or
    /// reopens it, so no code path can forget it, and the count is taken once here while the
    /// trigger's lock holds writers back.
    static let technicianLoad = Migration(
        version: 27, name: "technician load",
        sql: """
            ALTER TABLE technicians ADD COLUMN open_tickets integer NOT NULL DEFAULT 0;

            CREATE FUNCTION count_technician_load() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.assignee_id IS NOT NULL AND OLD.status NOT IN ('solved', 'closed') THEN
                    UPDATE technicians SET open_tickets = open_tickets - 1 WHERE id = OLD.assignee_id;
                END IF;
                IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.assignee_id IS NOT NULL AND NEW.status NOT IN ('solved', 'closed') THEN
                    UPDATE technicians SET open_tickets = open_tickets + 1 WHERE id = NEW.assignee_id;
                END IF;
                RETURN NULL;
            END
            $$;

            CREATE TRIGGER tickets_technician_load_added AFTER INSERT OR DELETE ON tickets
                FOR EACH ROW EXECUTE FUNCTION count_technician_load();
            CREATE TRIGGER tickets_technician_load_changed AFTER UPDATE OF assignee_id, status ON tickets
                FOR EACH ROW
                WHEN (OLD.assignee_id IS DISTINCT FROM NEW.assignee_id
                    OR (OLD.status IN ('solved', 'closed')) <> (NEW.status IN ('solved', 'closed')))
                EXECUTE FUNCTION count_technician_load();

            -- After the triggers: their lock waits for every writer of tickets before, so this count
            -- sees them all, and every writer after is counted by the triggers.
            UPDATE technicians t SET open_tickets = (
                SELECT count(*) FROM tickets k WHERE k.assignee_id = t.id AND k.status NOT IN ('solved', 'closed')
            );
            """
    )
}
