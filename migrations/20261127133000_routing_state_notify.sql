-- Announce every new routing_state version on the channel gateways LISTEN on
-- (switchyard_routing_state, payload = the version), whoever inserts the row: the tuner, or an
-- operator rolling back by re-inserting an older version's weights with plain SQL.
-- RoutingStateStore.publish also calls pg_notify in its transaction; PostgreSQL delivers identical
-- notifications of one transaction once, so gateways still hear each version once.
-- The tuner's window reads need no new index: requests_time (started_at) bounds the scan, and the
-- feedback lookup by request uses the unique index on (request_id, source, source_id).

CREATE FUNCTION switchyard_notify_routing_state() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('switchyard_routing_state', NEW.version::text);
    RETURN NEW;
END;
$$;

CREATE TRIGGER routing_state_notify
    AFTER INSERT ON routing_state
    FOR EACH ROW EXECUTE FUNCTION switchyard_notify_routing_state();
