import Foundation
import PostgresNIO

/// The SQL the tuner runs, in one place so tests can EXPLAIN exactly what runs.
///
/// Both queries share one CTE: the window's requests (range scan of the `started_at` index, one
/// partition per day) with their quality, from a lateral lookup of `feedback` by `request_id`
/// (its unique index on `(request_id, source, source_id)`). See ``QualitySource`` for the precedence.
public enum TunerQueries {
    /// The window's decisions with their quality: `$1` = window start, `$2` = window end.
    static let scoredRequestsCTE = """
        WITH scored AS (
            SELECT r.class_domain || '/' || r.class_task || '/' || r.class_difficulty AS class_key,
                   r.route,
                   r.propensity,
                   coalesce(r.cost_usd, 0) AS cost_usd,
                   r.latency_ms,
                   coalesce(q.quality, CASE WHEN r.status >= 500 THEN 0.0 END) AS quality,
                   coalesce(q.source, CASE WHEN r.status >= 500 THEN 'failure' END) AS quality_source
            FROM requests r
            LEFT JOIN LATERAL (
                SELECT coalesce(avg(f.score) FILTER (WHERE f.source = 'user'),
                                avg(f.score) FILTER (WHERE f.source = 'judge'),
                                avg(f.score) FILTER (WHERE f.source = 'heuristic')) AS quality,
                       CASE WHEN bool_or(f.source = 'user') THEN 'user'
                            WHEN bool_or(f.source = 'judge') THEN 'judge'
                            WHEN bool_or(f.source = 'heuristic') THEN 'heuristic' END AS source
                FROM feedback f
                WHERE f.request_id = r.id
            ) q ON true
            WHERE r.started_at >= $1 AND r.started_at < $2
              AND r.route IS NOT NULL
              AND r.propensity > 0 AND r.propensity <= 1
              AND r.class_domain IS NOT NULL AND r.class_task IS NOT NULL AND r.class_difficulty IS NOT NULL
        )
        """

    /// One row per decision: class key, route, propensity, cost, latency, quality (nullable).
    static let outcomesSQL = scoredRequestsCTE + """

        SELECT class_key, route, propensity, cost_usd, latency_ms, quality
        FROM scored
        """

    /// One row per class × route: counts, sums, means and the continuous p95 of latency.
    static let cellsSQL = scoredRequestsCTE + """

        SELECT class_key, route,
               count(*) AS requests,
               count(quality) AS scored,
               count(*) FILTER (WHERE quality_source = 'user') AS by_user,
               count(*) FILTER (WHERE quality_source = 'judge') AS by_judge,
               count(*) FILTER (WHERE quality_source = 'heuristic') AS by_heuristic,
               count(*) FILTER (WHERE quality_source = 'failure') AS by_failure,
               avg(quality) AS mean_quality,
               sum(cost_usd) AS cost_usd,
               avg(cost_usd) AS mean_cost_usd,
               percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95_latency_ms,
               avg(propensity) AS mean_propensity
        FROM scored
        GROUP BY class_key, route
        ORDER BY class_key, route
        """

    /// The outcomes query for a window, with its bindings.
    public static func outcomes(in window: TuningWindow) -> PostgresQuery {
        query(outcomesSQL, window)
    }

    /// The cell aggregates query for a window, with its bindings.
    public static func cells(in window: TuningWindow) -> PostgresQuery {
        query(cellsSQL, window)
    }

    private static func query(_ sql: String, _ window: TuningWindow) -> PostgresQuery {
        var bindings = PostgresBindings()
        bindings.append(window.start)
        bindings.append(window.end)
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }
}
