/// Every key the policy format accepts, by section: the one table the parser reads and the
/// JSON Schema (`policies/schema.json`) is checked against.
///
/// Section paths use `*` for a named entry (`models.*`) and `[]` for a list item (`rules[]`).
public enum PolicyKeys {
    /// Top-level keys.
    public static let root: [String] = ["version", "server", "models", "classes", "routes", "rules", "objective", "logging", "judge"]
    /// Keys of `server`.
    public static let server: [String] = ["max_body_bytes", "max_concurrent_requests", "request_timeout_ms"]
    /// Keys every model may have.
    public static let modelCommon: [String] = ["kind", "context", "timeout_ms", "retries"]
    /// Keys only hosted models (`openai`, `anthropic`) may have.
    public static let modelHosted: [String] = [
        "base_url", "api_key_env", "model", "price_per_million_input", "price_per_million_output", "connect_timeout_ms",
    ]
    /// Keys only `local` models may have.
    public static let modelLocal: [String] = ["path", "slots", "price_per_cpu_second", "kv_cache"]
    /// Keys only `worker` models may have.
    public static let modelWorker: [String] = ["urls", "price_per_cpu_second", "connect_timeout_ms"]
    /// Keys of `classes`.
    public static let classes: [String] = ["unknown_below", "model", "domains", "tasks"]
    /// Keys of one domain or task under `classes`.
    public static let classDefinition: [String] = ["keywords", "examples"]
    /// Keys of one route.
    public static let route: [String] = ["model", "reasoning", "blade", "bridge"]
    /// Keys of one rule.
    public static let rule: [String] = ["name", "match", "candidates", "strategy", "constraints", "fallbacks"]
    /// Keys of a rule's `match`.
    public static let match: [String] = ["domain", "task", "difficulty"]
    /// Keys of a rule's `strategy`.
    public static let strategy: [String] = ["kind", "accept", "exploration"]
    /// Keys of a cascade's `accept`.
    public static let accept: [String] = ["min_mean_logprob", "min_token_logprob", "max_mean_entropy"]
    /// Keys of a rule's `constraints`.
    public static let constraints: [String] = ["max_cost_usd", "latency_slo_ms", "local_only"]
    /// Keys of `objective`.
    public static let objective: [String] = ["cost_weight", "latency_weight"]
    /// Keys of `logging`.
    public static let logging: [String] = ["content"]
    /// Keys of `judge`.
    public static let judge: [String] = ["route", "sample_rate", "rubric"]

    /// Every section path with its keys, for tools that compare the format against the schema.
    public static let bySection: [String: Set<String>] = [
        "": Set(root), "server": Set(server),
        "models.*": Set(modelCommon + modelHosted + modelLocal + modelWorker),
        "classes": Set(classes), "classes.domains.*": Set(classDefinition), "classes.tasks.*": Set(classDefinition),
        "routes.*": Set(route), "rules[]": Set(rule), "rules[].match": Set(match), "rules[].strategy": Set(strategy),
        "rules[].strategy.accept": Set(accept), "rules[].constraints": Set(constraints),
        "objective": Set(objective), "logging": Set(logging), "judge": Set(judge),
    ]
}
