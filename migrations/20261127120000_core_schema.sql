-- Core tables of the metrics database (DESIGN.md §5).
-- Forward-only: never edit this file once applied; add a new migration instead.
-- Each migration runs in one transaction; do not put BEGIN/COMMIT in it.

-- API keys: only the SHA-256 of each secret is stored.
CREATE TABLE api_keys (
    id                    uuid PRIMARY KEY,
    name                  text NOT NULL,
    role                  text NOT NULL CHECK (role IN ('client', 'admin')),
    key_hash              bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
    display_prefix        text NOT NULL,
    budget_usd            numeric(14, 6) CHECK (budget_usd IS NULL OR budget_usd >= 0),
    rate_limit_per_minute integer CHECK (rate_limit_per_minute IS NULL OR rate_limit_per_minute > 0),
    created_at            timestamptz NOT NULL DEFAULT now(),
    revoked_at            timestamptz
);

-- One row per client request, range-partitioned by day on started_at (UTC days).
-- The primary key includes the partition key, as PostgreSQL requires; ids are UUIDs, so
-- (id, started_at) is as unique as id, and a replayed row (same id and time) is a conflict.
CREATE TABLE requests (
    id                 uuid NOT NULL,
    started_at         timestamptz NOT NULL,
    api_key_id         uuid,
    endpoint           text NOT NULL,
    requested_model    text NOT NULL,
    class_domain       text,
    class_task         text,
    class_difficulty   text,
    class_confidence   double precision,
    route              text,
    strategy           text,
    propensity         double precision,
    policy_hash        text,
    state_version      bigint,
    rule               text,
    provider           text,
    served_model       text,
    status             integer NOT NULL,
    error_code         text,
    stream             boolean NOT NULL,
    input_tokens       integer NOT NULL,
    output_tokens      integer NOT NULL,
    cost_usd           double precision,
    latency_ms         double precision NOT NULL,
    ttft_ms            double precision,
    conf_mean_logprob  double precision,
    conf_min_logprob   double precision,
    conf_mean_entropy  double precision,
    prompt_content     text,
    answer_content     text,
    recorded_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id, started_at)
) PARTITION BY RANGE (started_at);

-- Budget checks and per-key spend: WHERE api_key_id = $1 AND started_at >= $2.
CREATE INDEX requests_key_time ON requests (api_key_id, started_at);
-- Time-window scans (dashboards, the tuner) inside a partition.
CREATE INDEX requests_time ON requests (started_at);
-- The tuner's per-class, per-route aggregates over a window.
CREATE INDEX requests_class_route_time ON requests (class_domain, class_task, route, started_at);

-- One row per provider attempt, partitioned like requests (by the request's start time), so
-- both are retained and dropped together.
CREATE TABLE model_calls (
    id                 uuid NOT NULL,
    request_id         uuid NOT NULL,
    request_started_at timestamptz NOT NULL,
    sequence           integer NOT NULL,
    purpose            text NOT NULL,
    route              text,
    provider           text NOT NULL,
    model              text NOT NULL,
    started_at         timestamptz NOT NULL,
    status             integer,
    error_code         text,
    input_tokens       integer NOT NULL,
    output_tokens      integer NOT NULL,
    cost_usd           double precision,
    latency_ms         double precision NOT NULL,
    ttft_ms            double precision,
    accepted           boolean NOT NULL,
    conf_mean_logprob  double precision,
    conf_min_logprob   double precision,
    conf_mean_entropy  double precision,
    PRIMARY KEY (id, request_started_at)
) PARTITION BY RANGE (request_started_at);

-- A request's calls: WHERE request_id = $1 (and joins from requests).
CREATE INDEX model_calls_request ON model_calls (request_id, request_started_at);
-- Per-model health and cost over a window.
CREATE INDEX model_calls_model_time ON model_calls (provider, model, started_at);

-- Quality signals, keyed by request. Idempotent per (request_id, source, source_id):
-- a client re-sending the same feedback, or a judge re-grading, updates instead of duplicating.
CREATE TABLE feedback (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id  uuid NOT NULL,
    source      text NOT NULL CHECK (source IN ('user', 'judge', 'heuristic')),
    source_id   text NOT NULL DEFAULT '',
    score       double precision NOT NULL CHECK (score >= 0 AND score <= 1),
    comment     text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (request_id, source, source_id)
);
-- Joins from requests and "all feedback of a request" use the unique index above (leading request_id).
-- The tuner reads recent feedback: WHERE created_at >= $1.
CREATE INDEX feedback_created ON feedback (created_at);

-- Tuned routing state: every tuner run writes a new version; gateways read the latest.
CREATE TABLE routing_state (
    version      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at   timestamptz NOT NULL DEFAULT now(),
    policy_hash  text NOT NULL,
    weights      jsonb NOT NULL,
    estimates    jsonb NOT NULL DEFAULT '{}'::jsonb,
    note         text
);

-- Creates the daily partitions of requests and model_calls covering [first_day, last_day].
-- Serialized by an advisory lock so concurrent writers do not race on the catalog.
CREATE FUNCTION switchyard_ensure_partitions(first_day date, last_day date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    day date;
    created integer := 0;
    lower_bound text;
    upper_bound text;
BEGIN
    PERFORM pg_advisory_xact_lock(6004718123);
    day := first_day;
    WHILE day <= last_day LOOP
        lower_bound := to_char(day, 'YYYY-MM-DD') || ' 00:00:00+00';
        upper_bound := to_char(day + 1, 'YYYY-MM-DD') || ' 00:00:00+00';
        IF to_regclass('requests_p' || to_char(day, 'YYYYMMDD')) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF requests FOR VALUES FROM (%L) TO (%L)',
                           'requests_p' || to_char(day, 'YYYYMMDD'), lower_bound, upper_bound);
            created := created + 1;
        END IF;
        IF to_regclass('model_calls_p' || to_char(day, 'YYYYMMDD')) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF model_calls FOR VALUES FROM (%L) TO (%L)',
                           'model_calls_p' || to_char(day, 'YYYYMMDD'), lower_bound, upper_bound);
        END IF;
        day := day + 1;
    END LOOP;
    RETURN created;
END;
$$;

-- Drops whole daily partitions of requests and model_calls for days before cutoff (retention).
-- Returns the names of the dropped tables.
CREATE FUNCTION switchyard_drop_partitions_before(cutoff date) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
    part record;
BEGIN
    PERFORM pg_advisory_xact_lock(6004718123);
    FOR part IN
        SELECT c.relname
        FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid
        JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname IN ('requests', 'model_calls')
          AND c.relname ~ '_p[0-9]{8}$'
          AND to_date(right(c.relname, 8), 'YYYYMMDD') < cutoff
        ORDER BY c.relname
    LOOP
        EXECUTE format('DROP TABLE %I', part.relname);
        RETURN NEXT part.relname;
    END LOOP;
END;
$$;

REVOKE ALL ON FUNCTION switchyard_ensure_partitions(date, date) FROM PUBLIC;
REVOKE ALL ON FUNCTION switchyard_drop_partitions_before(date) FROM PUBLIC;

SELECT switchyard_ensure_partitions(current_date - 1, current_date + 7);
