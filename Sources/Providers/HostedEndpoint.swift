/// Where and how to call one hosted model.
public struct HostedEndpoint: Sendable, Equatable {
    /// Base URL of the API, e.g. `https://api.openai.com/v1`; paths are appended to it.
    public var baseURL: String
    /// The API key sent upstream (never logged).
    public var apiKey: String
    /// The model id the upstream knows the model by.
    public var upstreamModel: String
    /// Time allowed until the upstream's answer starts (status and headers).
    public var timeout: Duration
    /// Retries on connection failures and 5xx answers.
    public var retry: RetryPolicy

    public init(baseURL: String, apiKey: String, upstreamModel: String, timeout: Duration = .seconds(60), retry: RetryPolicy = RetryPolicy(maxRetries: 2)) {
        self.baseURL = baseURL; self.apiKey = apiKey; self.upstreamModel = upstreamModel
        self.timeout = timeout; self.retry = retry
    }

    /// The base URL with `path` appended (exactly one slash between them).
    public func url(path: String) -> String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + (path.hasPrefix("/") ? path : "/" + path)
    }

    /// The host and port part of the base URL, safe to show in errors.
    public var host: String {
        guard let schemeEnd = baseURL.range(of: "://") else { return baseURL }
        let rest = baseURL[schemeEnd.upperBound...]
        return String(rest.prefix { $0 != "/" })
    }
}
