import { backoffDelay } from "./backoff";
import { ProducerErrorCode } from "./errors";
import { KeyOrder } from "./key-order";
import { MetricsCounters } from "./metrics";
import { resolveOptions, type ResolvedOptions } from "./options";
import { OutcomeBook } from "./outcomes";
import { StreamRecordLimit } from "./record-limit";
import { LARGE_RECORD_MAX_BYTES, MAX_RECORD_BYTES, requestBytesFor } from "./request-batcher";
import { RequestSender } from "./request-sender";
import { Router } from "./router";
import { ShardMapTracker } from "./shard-map-tracker";
import { LargeRecordSpreader } from "./spread";
import { DueTimer, now, RetryTimers } from "./timers";
import type { Entry, KinesisProducerOptions, Outcome, PendingRecord, ProducerMetrics, ProducerRecord } from "./types";
import { normalizeRecord } from "./validation";

export { PRODUCER_DEFAULTS } from "./options";

/**
 * A KPL-style Kinesis Data Streams producer on the AWS SDK v3: buffers user records, aggregates them
 * in the KPL format, sends them with PutRecords, resends failed entries with backoff until each
 * record's TTL, and gives every record exactly one outcome. See index.ts for the contract.
 *
 * This class decides when to send; its parts hold the state: Router (where records go: open
 * aggregates, ordered mode's key queues via KeyOrder, the ready queue), RequestSender (PutRecords
 * calls and their responses), OutcomeBook (unanswered records and their outcomes), ShardMapTracker
 * (the map in force), DueTimer and RetryTimers.
 */
export class KinesisProducer {
    private readonly o: ResolvedOptions;
    private readonly counters = new MetricsCounters();
    private readonly order: KeyOrder | undefined;
    private readonly outcomes: OutcomeBook;
    private readonly router: Router;
    private readonly timer = new DueTimer(() => this.tick());
    private readonly retries = new RetryTimers();
    private readonly sender: RequestSender;
    private flushing = 0;
    private closed = false;
    /** Undefined without aggregation per shard. While the map is known stale nothing is sent. */
    private readonly shardMaps: ShardMapTracker | undefined;
    private readonly recordLimit: StreamRecordLimit;
    /**
     * Records put while the stream's record limit is being read for one over 1 MiB, in put order:
     * every record waits behind that one, so no order (per key, or ordered mode's) changes.
     */
    private readonly awaitingLimit: PendingRecord[] = [];

    constructor(options: KinesisProducerOptions) {
        this.o = resolveOptions(options);
        this.order = this.o.ordered ? new KeyOrder() : undefined;
        this.outcomes = new OutcomeBook(this.counters, this.o.recordTtlMs, this.order);
        this.shardMaps = this.o.useShardMap
            ? new ShardMapTracker({
                  client: this.o.client,
                  target: this.o.target,
                  timeoutMs: this.o.requestTimeoutMs,
                  onSettled: (loaded, changed) => this.shardMapSettled(loaded, changed),
              })
            : undefined;
        this.router = new Router(
            this.o.aggregate,
            this.o.maxAggregateBytes,
            this.shardMaps,
            this.order,
            this.outcomes,
            this.counters,
            this.o.spreadLargeRecords ? new LargeRecordSpreader() : undefined,
        );
        this.sender = new RequestSender(this.o, this.counters, this.outcomes, {
            settled: (entry) => this.router.settled(entry),
            written: (entry, shardId) => this.shardMaps?.observe(entry.packedBy, entry.predictedShard, shardId),
            retry: (entries) => this.scheduleRetry(entries),
            finished: (request) => {
                if (this.o.onMetrics !== undefined) {
                    try {
                        this.o.onMetrics(this.metrics(), request);
                    } catch {
                        // a metrics hook must not break delivery
                    }
                }
                this.tick();
            },
        });
        this.recordLimit = new StreamRecordLimit(this.o.client, this.o.target, this.o.requestTimeoutMs, this.o.maxRecordBytes);
        if (this.o.maxRecordBytes !== undefined) this.router.ready.setMaxBytes(requestBytesFor(this.o.maxRecordBytes));
        this.shardMaps?.refresh();
    }

    /**
     * Buffers one user record. Never throws and never rejects: the promise resolves with the record's
     * outcome, at once for an invalid record or after close().
     */
    put(record: ProducerRecord): Promise<Outcome> {
        if (this.closed) return this.outcomes.rejectNow(ProducerErrorCode.ProducerClosed, "put() after close()", false);
        let normalized: ReturnType<typeof normalizeRecord>;
        try {
            normalized = normalizeRecord(record, this.o.strategy, this.recordLimit.bytes ?? LARGE_RECORD_MAX_BYTES);
        } catch (err) {
            normalized = { ok: false, errorCode: ProducerErrorCode.InvalidData, errorMessage: `record could not be read: ${String(err)}` };
        }
        if (!normalized.ok) return this.outcomes.rejectNow(normalized.errorCode, normalized.errorMessage, true);

        const t = now();
        const valid = normalized.record;
        let pending!: PendingRecord;
        const promise = new Promise<Outcome>((resolve) => {
            pending = this.outcomes.open(valid, t, resolve);
        });
        if (this.awaitingLimit.length > 0 || (this.recordLimit.bytes === undefined && pending.size > MAX_RECORD_BYTES)) {
            this.awaitingLimit.push(pending);
            if (this.awaitingLimit.length === 1) void this.learnRecordLimit();
            return promise;
        }
        this.router.accept(pending);
        if (this.router.ready.hasFullRequest() && this.sender.inFlight < this.o.maxInFlight) this.tick();
        else if (!this.timer.armed) this.timer.arm(t + this.o.maxBufferedTimeMs);
        return promise;
    }

    /**
     * Reads the stream's record limit, then lets the records that waited for it go on in put order;
     * those over the limit fail (RecordTooLarge), as do those over 1 MiB when it could not be read.
     * Requests grow to the 10 MiB PutRecords limit once the stream takes records over 1 MiB.
     */
    private async learnRecordLimit(): Promise<void> {
        let why = "";
        try {
            this.router.ready.setMaxBytes(requestBytesFor(await this.recordLimit.load()));
        } catch (err) {
            why = ` (DescribeStreamSummary failed, so the 1 MiB default applies: ${String(err)})`;
        }
        const limit = this.recordLimit.bytes ?? MAX_RECORD_BYTES;
        for (const r of this.awaitingLimit.splice(0)) {
            if (r.done) continue;
            if (r.size <= limit) {
                this.router.accept(r);
                continue;
            }
            this.counters.add("recordsInvalid");
            this.outcomes.fail(
                r,
                ProducerErrorCode.RecordTooLarge,
                `data + partitionKey is ${r.size} bytes, over the stream's ${limit}-byte (${limit / 1024} KiB) record limit${why}`,
            );
        }
        this.tick();
    }

    /** Resolves when every record put before the call has its outcome; sends partial requests at once. */
    async flush(): Promise<void> {
        if (this.outcomes.size === 0) return;
        const answered = this.outcomes.answered();
        this.flushing++;
        try {
            this.tick();
            await answered;
        } finally {
            this.flushing--;
        }
    }

    /** Refuses new records (ProducerClosed), flushes, then stops every timer. */
    async close(): Promise<void> {
        this.closed = true;
        await this.flush();
        this.timer.clear();
        this.shardMaps?.close();
        this.retries.clear();
    }

    /** Cumulative counters (a copy). */
    metrics(): ProducerMetrics {
        return this.counters.snapshot(this.outcomes.size);
    }

    // ---- sending ------------------------------------------------------------------------------

    /**
     * Seals aggregates whose oldest record waited maxBufferedTimeMs, sends requests while slots are
     * free (full ones at once, partial ones when their oldest record is due or a flush runs), and
     * arms the timer for the next due time.
     */
    private tick(): void {
        this.timer.clear();
        const t = now();
        const urgent = this.flushing > 0 || this.closed;
        const due = t - this.o.maxBufferedTimeMs;

        // Records wait for the first shard map at most maxBufferedTimeMs, even during a flush:
        // packing them per key instead would multiply the Kinesis records of a cold start.
        if ((this.router.heldSince() ?? Infinity) <= due) this.router.stopHolding();
        this.router.sealDue(due, urgent);
        // A stale map holds what is queued until the new one re-packs it (shardMapSettled ticks).
        const hold = this.shardMaps?.stale === true;
        while (!hold && this.sender.inFlight < this.o.maxInFlight && this.router.ready.length > 0) {
            if (!urgent && !this.router.ready.hasFullRequest() && (this.router.ready.oldest() ?? Infinity) > due) break;
            const batch: Entry[] = [];
            for (const entry of this.router.ready.take()) {
                const live = this.router.prune(entry, t);
                if (live !== undefined) batch.push(live);
            }
            if (batch.length > 0) void this.sender.send(batch);
        }

        let next = Math.min(this.router.heldSince() ?? Infinity, this.router.oldestOpen());
        if (!hold && this.sender.inFlight < this.o.maxInFlight) next = Math.min(next, this.router.ready.oldest() ?? Infinity);
        if (next !== Infinity) this.timer.arm(next + this.o.maxBufferedTimeMs);
    }

    /**
     * One backoff for the failed entries of one response, so they go back together. The wait is cut
     * short at the earliest record deadline, where expired records fail with their last error.
     */
    private scheduleRetry(entries: Entry[]): void {
        const t = now();
        const live: Entry[] = [];
        for (const e of entries) {
            const kept = this.router.prune(e, t);
            if (kept !== undefined) live.push(kept);
        }
        if (live.length === 0) return;
        let attempts = 0;
        let earliestDeadline = Infinity;
        for (const e of live) {
            for (const r of e.records) {
                attempts = Math.max(attempts, r.attempts);
                earliestDeadline = Math.min(earliestDeadline, r.deadline);
            }
        }
        this.retries.after(Math.min(backoffDelay(attempts, this.o.backoff), earliestDeadline - t), () => {
            const at = now();
            for (let i = live.length - 1; i >= 0; i--) {
                const kept = this.router.prune(live[i] as Entry, at);
                if (kept === undefined) continue;
                // A spread large record tries the next shard; one packed by a map replaced meanwhile
                // is re-packed (while stale, repack() will).
                if (kept.spread) this.router.respread(kept);
                else if (this.shardMaps?.stale !== true && this.router.packedByOldMap(kept)) this.router.reroute(kept.records);
                else this.router.ready.pushFront(kept);
            }
            this.tick();
        });
    }

    // ---- shard map ----------------------------------------------------------------------------

    private shardMapSettled(loaded: boolean, changed: boolean): void {
        if (loaded) this.counters.add("shardMapRefreshes");
        this.router.mapSettled(changed);
        this.tick();
    }
}
