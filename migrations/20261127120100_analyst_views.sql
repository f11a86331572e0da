-- Views for analysts and the read-only role that may read them and nothing else.
-- No view exposes api_keys.key_hash, prompt_content, answer_content or feedback comments.

-- Every request without its prompt/answer text, with the day (UTC) and its mean feedback score.
CREATE VIEW v_request_quality AS
SELECT request_id, avg(score) AS quality, count(*) AS ratings
FROM feedback
GROUP BY request_id;

CREATE VIEW v_requests AS
SELECT r.id, r.started_at, (r.started_at AT TIME ZONE 'UTC')::date AS day,
       r.api_key_id, r.endpoint, r.requested_model,
       r.class_domain, r.class_task, r.class_difficulty, r.class_confidence,
       r.route, r.strategy, r.propensity, r.policy_hash, r.state_version, r.rule,
       r.provider, r.served_model, r.status, r.error_code, r.stream,
       r.input_tokens, r.output_tokens, r.cost_usd, r.latency_ms, r.ttft_ms,
       r.conf_mean_logprob, r.conf_min_logprob, r.conf_mean_entropy,
       q.quality, coalesce(q.ratings, 0) AS ratings
FROM requests r
LEFT JOIN v_request_quality q ON q.request_id = r.id;

-- Every provider attempt.
CREATE VIEW v_model_calls AS
SELECT c.id, c.request_id, c.request_started_at, (c.started_at AT TIME ZONE 'UTC')::date AS day,
       c.sequence, c.purpose, c.route, c.provider, c.model, c.started_at, c.status, c.error_code,
       c.input_tokens, c.output_tokens, c.cost_usd, c.latency_ms, c.ttft_ms, c.accepted,
       c.conf_mean_logprob, c.conf_min_logprob, c.conf_mean_entropy
FROM model_calls c;

-- Feedback scores (comments left out: they may quote prompts).
CREATE VIEW v_feedback AS
SELECT request_id, source, source_id, score, created_at
FROM feedback;

-- Requests, cost, latency percentiles and mean quality by route and day.
CREATE VIEW v_route_daily AS
SELECT r.day,
       coalesce(r.route, '(none)') AS route,
       count(*) AS requests,
       count(*) FILTER (WHERE r.status >= 400) AS errors,
       sum(r.cost_usd) AS cost_usd,
       sum(r.input_tokens) AS input_tokens,
       sum(r.output_tokens) AS output_tokens,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY r.latency_ms) AS latency_p50_ms,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY r.latency_ms) AS latency_p95_ms,
       avg(r.quality) AS mean_quality,
       count(r.quality) AS rated_requests
FROM v_requests r
GROUP BY r.day, coalesce(r.route, '(none)');

-- Quality, cost and latency by class (domain, task) and route, over all time.
CREATE VIEW v_class_quality AS
SELECT coalesce(r.class_domain, '(unclassified)') AS class_domain,
       coalesce(r.class_task, '(unclassified)') AS class_task,
       coalesce(r.route, '(none)') AS route,
       count(*) AS requests,
       count(r.quality) AS rated_requests,
       avg(r.quality) AS mean_quality,
       avg(r.cost_usd) AS mean_cost_usd,
       sum(r.cost_usd) AS cost_usd,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY r.latency_ms) AS latency_p50_ms
FROM v_requests r
GROUP BY 1, 2, 3;

-- Spend per API key and day (key name and role, never the hash).
CREATE VIEW v_key_spend AS
SELECT r.day, r.api_key_id, k.name AS key_name, k.role AS key_role,
       count(*) AS requests,
       sum(r.cost_usd) AS cost_usd,
       sum(r.input_tokens) AS input_tokens,
       sum(r.output_tokens) AS output_tokens
FROM v_requests r
LEFT JOIN api_keys k ON k.id = r.api_key_id
GROUP BY r.day, r.api_key_id, k.name, k.role;

-- Cascade escalations per request: a request escalated when a cascade step's answer was
-- rejected and a later call answered instead.
CREATE VIEW v_request_escalation AS
SELECT r.id AS request_id, r.day, r.class_domain, r.class_task, r.route, r.served_model,
       EXISTS (SELECT 1 FROM model_calls c
               WHERE c.request_id = r.id AND c.request_started_at = r.started_at
                 AND c.purpose = 'cascade_step' AND NOT c.accepted) AS escalated
FROM v_requests r;

-- Escalation rate by class.
CREATE VIEW v_class_escalation AS
SELECT coalesce(class_domain, '(unclassified)') AS class_domain,
       coalesce(class_task, '(unclassified)') AS class_task,
       count(*) AS requests,
       count(*) FILTER (WHERE escalated) AS escalated_requests,
       (count(*) FILTER (WHERE escalated))::double precision / count(*) AS escalation_rate
FROM v_request_escalation
GROUP BY 1, 2;

-- Calls, errors, tokens, cost and latency per provider model and day.
CREATE VIEW v_model_daily AS
SELECT c.day, c.provider, c.model,
       count(*) AS calls,
       count(*) FILTER (WHERE c.error_code IS NOT NULL OR coalesce(c.status, 200) >= 400) AS errors,
       sum(c.input_tokens) AS input_tokens,
       sum(c.output_tokens) AS output_tokens,
       sum(c.cost_usd) AS cost_usd,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY c.latency_ms) AS latency_p50_ms,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY c.latency_ms) AS latency_p95_ms
FROM v_model_calls c
GROUP BY c.day, c.provider, c.model;

-- Tuned routing state versions.
CREATE VIEW v_routing_state AS
SELECT version, created_at, policy_hash, weights, estimates, note
FROM routing_state;

-- The analyst role: cluster-wide, so created only if another database has not made it yet.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'switchyard_analyst') THEN
        CREATE ROLE switchyard_analyst NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END;
$$;

GRANT USAGE ON SCHEMA public TO switchyard_analyst;
GRANT SELECT ON v_requests, v_request_quality, v_model_calls, v_feedback, v_route_daily, v_class_quality,
                v_key_spend, v_request_escalation, v_class_escalation, v_model_daily, v_routing_state
    TO switchyard_analyst;
