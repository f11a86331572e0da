import Foundation
import Logging
import Prometheus
import Providers
import ServiceLifecycle
import Store
import Synchronization
import SwitchyardTypes

/// Grades a sample of answers with a judge model, in the background, and stores the grades as
/// `feedback` rows with source `judge` (plus one `model_calls` row per judge call, purpose `judge`).
///
/// Request handling only ever hands work over: a sampled answer waits in a bounded queue owned by
/// this service; when the queue is full the sample is dropped and counted, never waited for.
/// The judge model is called through the same providers as answers, under the policy in force.
public final class JudgeSampler: Service, Sendable {
    /// One answer to grade: the request's record (for the `model_calls` row) and what was asked and answered.
    struct Job: Sendable {
        var record: RequestRecord
        var transcript: JudgeTranscript
    }

    /// A sampled request whose record and answer text have not both arrived yet.
    private struct Pending {
        var record: RequestRecord?
        var transcript: JudgeTranscript?
        let sampledAt: ContinuousClock.Instant
    }

    /// Sampled requests waiting for their record and answer at most; older ones are forgotten.
    static let maxPending = 1_024
    static let pendingLifetime: Duration = .seconds(600)

    let settings: JudgeSettings
    private let snapshots: GatewaySnapshotHolder
    private let feedback: any FeedbackRecorder
    private let callSink: any RequestRecordSink
    private let metrics: JudgeMetrics
    private let logger: Logger
    private let jobs: AsyncStream<Job>
    private let queue: AsyncStream<Job>.Continuation
    private let pending = Mutex<[UUID: Pending]>([:])

    /// A sampler grading with `settings`; grades go to `feedback`, judge calls to `callSink`.
    init(settings: JudgeSettings, snapshots: GatewaySnapshotHolder, feedback: any FeedbackRecorder, callSink: any RequestRecordSink,
         metrics: JudgeMetrics, logger: Logger) {
        self.settings = settings; self.snapshots = snapshots; self.feedback = feedback; self.callSink = callSink
        self.metrics = metrics; self.logger = logger
        (jobs, queue) = AsyncStream.makeStream(of: Job.self, bufferingPolicy: .bufferingOldest(settings.queueCapacity))
    }

    // MARK: Handing work over (request path; never blocks)

    /// Draws whether the request `id` is graded, and if so starts waiting for its record and answer.
    func sample(_ id: UUID) -> Bool {
        let rate = settings.current(policy: snapshots.current.policy).sampleRate
        guard rate > 0, Double.random(in: 0..<1) < rate else { return false }
        let now = ContinuousClock.now
        let admitted = pending.withLock { pending -> Bool in
            if pending.count >= Self.maxPending {
                pending = pending.filter { now - $0.value.sampledAt < Self.pendingLifetime }
            }
            guard pending.count < Self.maxPending else { return false }
            pending[id] = Pending(sampledAt: now)
            return true
        }
        if !admitted { metrics.count(.dropped) }
        return admitted
    }

    /// The answer of sampled request `id` was sent in full.
    func answered(_ id: UUID, requestBody: Data, responseBody: Data) {
        guard let transcript = JudgeTranscript.read(requestBody: requestBody, responseBody: responseBody) else {
            abandon(id)
            return
        }
        complete(id) { $0.transcript = transcript }
    }

    /// A request finished; its record completes a sampled request's job.
    func finished(_ record: RequestRecord) {
        guard (200..<300).contains(record.status), record.errorCode == nil else { abandon(record.id); return }
        complete(record.id) { $0.record = record }
    }

    /// Stops waiting for `id` (the answer failed or cannot be read).
    func abandon(_ id: UUID) {
        pending.withLock { _ = $0.removeValue(forKey: id) }
    }

    private func complete(_ id: UUID, _ update: (inout Pending) -> Void) {
        let job = pending.withLock { pending -> Job? in
            guard var entry = pending[id] else { return nil }
            update(&entry)
            guard let record = entry.record, let transcript = entry.transcript else {
                pending[id] = entry
                return nil
            }
            pending[id] = nil
            return Job(record: record, transcript: transcript)
        }
        guard let job else { return }
        if case .dropped(_) = queue.yield(job) { metrics.count(.dropped) }
    }

    // MARK: Grading (the service's own tasks)

    /// Grades queued answers, `settings.concurrency` at a time, until the gateway shuts down.
    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            var waiting = jobs.cancelOnGracefulShutdown().makeAsyncIterator()
            while true {
                // Take a job only when a grader is free, so the queue alone holds what waits.
                if running >= settings.concurrency {
                    await group.next()
                    running -= 1
                }
                guard let job = await waiting.next() else { break }
                group.addTask { await self.grade(job) }
                running += 1
            }
        }
    }

    /// Asks the judge model for a score, then stores the score and the call.
    func grade(_ job: Job) async {
        let snapshot = snapshots.current
        let settings = self.settings.current(policy: snapshot.policy)
        let modelName = snapshot.policy?.route(named: settings.model)?.model ?? settings.model
        guard let judge = snapshot.catalog.available(modelName) else {
            metrics.count(.failed)
            logger.warning("judge model unavailable; answer not graded", metadata: ["judge_model": "\(modelName)"])
            return
        }
        let request = job.transcript.judgeRequest(model: judge.model.name, rubric: settings.rubric, maxCharacters: settings.maxTextCharacters)
        let attempts = ProviderAttemptLog()
        let startedAt = Date()
        let clock = ContinuousClock.now
        var score: Double?
        var usage: Usage?
        var errorCode: String?
        do {
            let response = try await judge.provider.complete(request, attempts: attempts)
            usage = response.usage
            score = JudgeScoreParser.score(in: response.choices.first?.message.content?.text ?? "")
            if score == nil { errorCode = "judge_unparsable" }
        } catch {
            errorCode = (error as? ProviderError)?.code ?? "judge_failed"
        }
        recordCalls(of: job.record, judge: judge, attempts: attempts.attempts, usage: usage, errorCode: errorCode,
                    startedAt: startedAt, latencyMS: clock.millisecondsSince, accepted: score != nil)
        guard let score else {
            metrics.count(.failed)
            logger.warning("judge gave no score", metadata: ["judge_model": "\(judge.model.name)", "error_code": "\(errorCode ?? "")"])
            return
        }
        do {
            try await feedback.record(requestID: job.record.id, source: .judge, sourceID: judge.model.name, score: score, comment: nil)
            metrics.count(.graded)
        } catch {
            metrics.count(.failed)
            logger.error("judge score could not be stored", metadata: ["error.type": "\(type(of: error))"])
        }
    }

    /// Sends the request's record again carrying only the judge's calls: the `requests` row is already
    /// there (or arrives in the same batch) and is left alone; the `model_calls` rows are added.
    private func recordCalls(of record: RequestRecord, judge: ModelCatalog.Available, attempts: [ProviderAttempt], usage: Usage?,
                             errorCode: String?, startedAt: Date, latencyMS: Double, accepted: Bool) {
        let inputTokens = usage?.promptTokens ?? 0
        let outputTokens = usage?.completionTokens ?? 0
        let cost = judge.model.costUSD(inputTokens: inputTokens, outputTokens: outputTokens)
        let tried = attempts.isEmpty ? [ProviderAttempt(startedAt: startedAt, latencyMS: latencyMS, status: nil, errorCode: errorCode)] : attempts
        var copy = record
        copy.modelCalls = tried.enumerated().map { index, attempt in
            let isLast = index == tried.count - 1
            return ModelCallRecord(
                sequence: record.modelCalls.count + index, purpose: "judge", route: settings.current(policy: snapshots.current.policy).model, provider: judge.provider.kind,
                model: judge.model.name, startedAt: attempt.startedAt, status: attempt.status,
                errorCode: attempt.errorCode ?? (isLast ? errorCode : nil), inputTokens: isLast ? inputTokens : 0,
                outputTokens: isLast ? outputTokens : 0, costUSD: isLast ? cost : nil, latencyMS: attempt.latencyMS,
                accepted: isLast && accepted)
        }
        callSink.record(copy)
    }
}

/// `switchyard_judge_samples_total{outcome}`: answers graded, failed (judge unavailable, no score, not stored) or dropped (queue full).
struct JudgeMetrics: Sendable {
    enum Outcome: String { case graded, failed, dropped }
    private let counters: [String: Counter]
    private static var descriptor: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "switchyard", subsystem: "judge", metricName: "samples", unitName: "total",
        helpText: "Answers sampled for the judge, by what became of them") }

    init(registry: PrometheusCollectorRegistry) {
        var counters: [String: Counter] = [:]
        for outcome in [Outcome.graded, .failed, .dropped] {
            counters[outcome.rawValue] = registry.makeCounter(descriptor: Self.descriptor, labels: [("outcome", outcome.rawValue)])
        }
        self.counters = counters
    }

    func count(_ outcome: Outcome) { counters[outcome.rawValue]?.increment() }
}

/// Hands every finished record to the judge sampler, then to the real sink.
struct JudgeRecordingSink: RequestRecordSink {
    let base: any RequestRecordSink
    let sampler: JudgeSampler

    func record(_ record: RequestRecord) {
        base.record(record)
        sampler.finished(record)
    }
}
