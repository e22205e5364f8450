import { PutRecordsCommand, type KinesisClient, type PutRecordsCommandOutput, type PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";
import { AggregateBuilder, entryFor, singleEntry } from "./aggregation";
import { backoffDelay, type BackoffPolicy } from "./backoff";
import { classifyRequestError, isRetryableEntryError, isThrottle, ProducerErrorCode, type RequestError } from "./errors";
import { MetricsCounters } from "./metrics";
import { MAX_RECORD_BYTES, RequestBatcher } from "./request-batcher";
import type { ShardMap } from "./shard-map";
import { ShardMapTracker } from "./shard-map-tracker";
import type { Entry, KinesisProducerOptions, Outcome, PartitionKeyStrategy, PendingRecord, ProducerMetrics, ProducerRecord, PutRecordsMetrics, StreamTarget } from "./types";
import { normalizeRecord } from "./validation";

/** Defaults, the KPL's where it has one. */
export const PRODUCER_DEFAULTS = {
    partitionKey: "given" as PartitionKeyStrategy,
    maxBufferedTimeMs: 100, // RecordMaxBufferedTime
    maxInFlight: 4,
    aggregation: { enabled: true, maxBytes: 51_200, useShardMap: true }, // AggregationMaxSize
    recordTtlMs: 30_000, // RecordTtl
    backoff: { baseMs: 100, capMs: 5_000 },
    requestTimeoutMs: 6_000, // RequestTimeout
    ordered: false,
} as const;

const MAX_IN_FLIGHT = 64;
/** An aggregate plus the largest partition key (256 chars, up to 1 KiB in UTF-8) must fit a record. */
const MAX_AGGREGATE_BYTES = MAX_RECORD_BYTES - 1024;
const MIN_AGGREGATE_BYTES = 64;

/** An aggregate being filled for one shard (or one hash key when there is no shard map). */
interface OpenGroup {
    readonly builder: AggregateBuilder;
    readonly shard: string | undefined;
    /** The map `shard` comes from (undefined when packed per hash key). */
    readonly map: ShardMap | undefined;
    /** When its first record was put: the aggregate is due maxBufferedTimeMs later. */
    readonly openedAt: number;
}

function now(): number {
    return performance.now();
}

function requireNumber(name: string, value: number, min: number, max: number, integer: boolean): number {
    if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
        throw new TypeError(`${name} must be ${integer ? "an integer" : "a number"} from ${min} to ${max} (got ${String(value)})`);
    }
    return value;
}

function checkStrategy(strategy: PartitionKeyStrategy): PartitionKeyStrategy {
    if (strategy === "given" || strategy === "random") return strategy;
    if (typeof strategy === "object" && strategy !== null && typeof strategy.field === "string" && strategy.field !== "") return { field: strategy.field };
    throw new TypeError(`partitionKey strategy must be "given", "random" or { field: "<name>" } (got ${JSON.stringify(strategy)})`);
}

/**
 * A KPL-style Kinesis Data Streams producer on the AWS SDK v3: buffers user records, aggregates them
 * in the KPL format, sends them with PutRecords, resends failed entries with backoff until each
 * record's TTL, and gives every record exactly one outcome. See index.ts for the contract.
 */
export class KinesisProducer {
    private readonly client: KinesisClient;
    private readonly target: StreamTarget;
    private readonly strategy: PartitionKeyStrategy;
    private readonly maxBufferedTimeMs: number;
    private readonly maxInFlight: number;
    private readonly aggregate: boolean;
    private readonly maxAggregateBytes: number;
    private readonly useShardMap: boolean;
    private readonly recordTtlMs: number;
    private readonly backoff: BackoffPolicy;
    private readonly requestTimeoutMs: number;
    private readonly ordered: boolean;
    private readonly onMetrics: KinesisProducerOptions["onMetrics"];

    private readonly counters = new MetricsCounters();
    /** Every record put and not yet given its outcome, with the promise put() returned. */
    private readonly unresolved = new Map<PendingRecord, Promise<Outcome>>();
    private readonly groups = new Map<string, OpenGroup>();
    private readonly ready = new RequestBatcher<Entry>();
    private readonly retryTimers = new Set<NodeJS.Timeout>();
    private inFlight = 0;
    private flushing = 0;
    private closed = false;
    private timer: NodeJS.Timeout | undefined;
    private timerAt = Infinity;

    // Ordered mode. "One request in flight per shard" is not enough: PutRecords does not order the
    // entries of one call, and when the entry of record 1 fails and that of record 2 (same key, same
    // request) succeeds, the resend of 1 lands after 2. So a key has at most one entry in flight,
    // from sealing to outcome: an entry is one Kinesis record (an aggregate keeps its records in put
    // order) and succeeds or fails as a whole, so no later record of the key can be written first.
    // Later records wait in `waiting` (FIFO per key) and go on when that entry has its outcome; a
    // record that fails for good lets the next ones go. `openKeyGroup` is the open aggregate holding
    // a key's records, so a key is never in two aggregates at once.
    private readonly busyKeys = new Set<string>();
    private readonly waiting = new Map<string, PendingRecord[]>();
    private readonly openKeyGroup = new Map<string, string>();

    // Shard map. Records put while the first ListShards runs are held until it answers, at most
    // maxBufferedTimeMs (during a flush too). While the map is known stale nothing is sent, and
    // what is not yet sent is re-packed by the new one (see repack()).
    private readonly shardMaps: ShardMapTracker | undefined;
    private holdingForShardMap: boolean;
    private readonly unrouted: PendingRecord[] = [];

    constructor(options: KinesisProducerOptions) {
        if (typeof options !== "object" || options === null) throw new TypeError("KinesisProducer options are required");
        if (typeof options.client?.send !== "function") throw new TypeError("client must be a KinesisClient");
        const hasName = options.streamName !== undefined;
        const hasArn = options.streamArn !== undefined;
        if (hasName === hasArn) throw new TypeError("Provide either streamName or streamArn, not both");
        if (hasName && (typeof options.streamName !== "string" || options.streamName === "")) throw new TypeError("streamName must be a non-empty string");
        if (hasArn && (typeof options.streamArn !== "string" || !options.streamArn.startsWith("arn:"))) throw new TypeError("streamArn must be a stream ARN (arn:...)");
        this.client = options.client;
        this.target = hasName ? { StreamName: options.streamName as string } : { StreamARN: options.streamArn as string };
        this.strategy = checkStrategy(options.partitionKey ?? PRODUCER_DEFAULTS.partitionKey);
        this.maxBufferedTimeMs = requireNumber("maxBufferedTimeMs", options.maxBufferedTimeMs ?? PRODUCER_DEFAULTS.maxBufferedTimeMs, 0, 60_000, false);
        this.maxInFlight = requireNumber("maxInFlight", options.maxInFlight ?? PRODUCER_DEFAULTS.maxInFlight, 1, MAX_IN_FLIGHT, true);
        const agg = PRODUCER_DEFAULTS.aggregation;
        this.aggregate = options.aggregation?.enabled ?? agg.enabled;
        this.maxAggregateBytes = requireNumber("aggregation.maxBytes", options.aggregation?.maxBytes ?? agg.maxBytes, MIN_AGGREGATE_BYTES, MAX_AGGREGATE_BYTES, true);
        this.useShardMap = this.aggregate && (options.aggregation?.useShardMap ?? agg.useShardMap);
        this.recordTtlMs = requireNumber("recordTtlMs", options.recordTtlMs ?? PRODUCER_DEFAULTS.recordTtlMs, 1, 24 * 3600_000, false);
        const baseMs = requireNumber("backoff.baseMs", options.backoff?.baseMs ?? PRODUCER_DEFAULTS.backoff.baseMs, 1, 60_000, false);
        this.backoff = { baseMs, capMs: requireNumber("backoff.capMs", options.backoff?.capMs ?? PRODUCER_DEFAULTS.backoff.capMs, baseMs, 600_000, false) };
        this.requestTimeoutMs = requireNumber("requestTimeoutMs", options.requestTimeoutMs ?? PRODUCER_DEFAULTS.requestTimeoutMs, 1, 600_000, false);
        this.ordered = options.ordered ?? PRODUCER_DEFAULTS.ordered;
        this.onMetrics = options.onMetrics;

        this.holdingForShardMap = this.useShardMap;
        if (this.useShardMap) {
            this.shardMaps = new ShardMapTracker({
                client: this.client,
                target: this.target,
                timeoutMs: this.requestTimeoutMs,
                onSettled: (loaded, changed) => this.shardMapSettled(loaded, changed),
            });
            this.shardMaps.refresh();
        }
    }

    /**
     * Buffers one user record. Never throws and never rejects: the promise resolves with the record's
     * outcome, at once for an invalid record or after close().
     */
    put(record: ProducerRecord): Promise<Outcome> {
        if (this.closed) return this.rejectNow(ProducerErrorCode.ProducerClosed, "put() after close()", false);
        let normalized: ReturnType<typeof normalizeRecord>;
        try {
            normalized = normalizeRecord(record, this.strategy);
        } catch (err) {
            normalized = { ok: false, errorCode: ProducerErrorCode.InvalidData, errorMessage: `record could not be read: ${String(err)}` };
        }
        if (!normalized.ok) return this.rejectNow(normalized.errorCode, normalized.errorMessage, true);

        const t = now();
        let resolve!: (outcome: Outcome) => void;
        const promise = new Promise<Outcome>((r) => (resolve = r));
        const pending: PendingRecord = {
            ...normalized.record,
            enqueuedAt: t,
            deadline: t + this.recordTtlMs,
            attempts: 0,
            lastErrorCode: undefined,
            lastErrorMessage: undefined,
            maybeWritten: false,
            resendMayDuplicate: false,
            done: false,
            resolve,
        };
        this.unresolved.set(pending, promise);
        this.counters.add("recordsPut");
        this.accept(pending);
        if (this.ready.hasFullRequest() && this.inFlight < this.maxInFlight) this.tick();
        else if (this.timer === undefined) this.armTimer(t + this.maxBufferedTimeMs);
        return promise;
    }

    /** Resolves when every record put before the call has its outcome; sends partial requests at once. */
    async flush(): Promise<void> {
        const pending = [...this.unresolved.values()];
        if (pending.length === 0) return;
        this.flushing++;
        try {
            this.tick();
            await Promise.all(pending);
        } finally {
            this.flushing--;
        }
    }

    /** Refuses new records (ProducerClosed), flushes, then stops every timer. */
    async close(): Promise<void> {
        this.closed = true;
        await this.flush();
        this.clearTimer();
        this.shardMaps?.close();
        for (const t of this.retryTimers) clearTimeout(t);
        this.retryTimers.clear();
    }

    /** Cumulative counters (a copy). */
    metrics(): ProducerMetrics {
        return this.counters.snapshot(this.unresolved.size);
    }

    // ---- intake -------------------------------------------------------------------------------

    private rejectNow(errorCode: string, errorMessage: string, invalid: boolean): Promise<Outcome> {
        this.counters.add("recordsFailed");
        if (invalid) this.counters.add("recordsInvalid");
        return Promise.resolve({ ok: false, errorCode, errorMessage, attempts: 0 });
    }

    private accept(r: PendingRecord): void {
        if (this.holdingForShardMap) {
            this.unrouted.push(r);
            return;
        }
        if (this.ordered && this.busyKeys.has(r.partitionKey)) {
            this.enqueueWaiting(r);
            return;
        }
        if (!this.route(r)) this.enqueueWaiting(r);
    }

    private enqueueWaiting(r: PendingRecord): void {
        const queue = this.waiting.get(r.partitionKey);
        if (queue === undefined) this.waiting.set(r.partitionKey, [r]);
        else queue.push(r);
    }

    /**
     * Puts a record into an open aggregate or the ready queue. In ordered mode returns false when
     * the record must wait because its key became busy.
     */
    private route(r: PendingRecord): boolean {
        const shard = this.shardMaps?.map?.shardFor(r.hashKey);
        const map = shard !== undefined ? this.shardMaps?.map : undefined;
        if (!this.aggregate) {
            this.seal(singleEntry(r, shard, map));
            return true;
        }
        const groupKey = shard !== undefined ? `s${shard}` : `h${r.hashKey.toString(36)}`;
        const alone = EMPTY_AGGREGATE.sizeWith(r) > this.maxAggregateBytes;
        if (this.ordered) {
            const held = this.openKeyGroup.get(r.partitionKey);
            // The key's earlier records sit in another open aggregate (different shard after a
            // refresh, different explicit hash key) or this record goes alone: those earlier
            // records must be sent and answered first.
            if (held !== undefined && (held !== groupKey || alone)) {
                this.sealGroup(held);
                return false;
            }
        }
        if (alone) {
            this.seal(singleEntry(r, shard, map));
            return true;
        }
        let group = this.groups.get(groupKey);
        if (group !== undefined && group.builder.sizeWith(r) > this.maxAggregateBytes) {
            this.sealGroup(groupKey);
            group = undefined;
            if (this.ordered && this.busyKeys.has(r.partitionKey)) return false;
        }
        if (group === undefined) {
            group = { builder: new AggregateBuilder(), shard, map, openedAt: r.enqueuedAt };
            this.groups.set(groupKey, group);
        }
        group.builder.add(r);
        if (this.ordered) this.openKeyGroup.set(r.partitionKey, groupKey);
        return true;
    }

    private sealGroup(groupKey: string): void {
        const group = this.groups.get(groupKey);
        if (group === undefined) return;
        this.groups.delete(groupKey);
        this.seal(group.builder.build(group.shard, group.map));
    }

    /** A finished entry joins the ready queue; in ordered mode its keys become busy. */
    private seal(entry: Entry): void {
        if (this.ordered) {
            for (const r of entry.records) {
                this.openKeyGroup.delete(r.partitionKey);
                this.busyKeys.add(r.partitionKey);
            }
        }
        this.ready.push(entry);
    }

    /** The key's entry has its outcome: its waiting records go on, oldest first, until it is busy again. */
    private releaseKey(key: string): void {
        this.busyKeys.delete(key);
        const queue = this.waiting.get(key);
        if (queue === undefined) return;
        const t = now();
        while (queue.length > 0 && !this.busyKeys.has(key)) {
            const r = queue.shift() as PendingRecord;
            if (r.deadline <= t) this.expire(r);
            else if (!this.route(r)) {
                queue.unshift(r);
                break;
            }
        }
        if (queue.length === 0) this.waiting.delete(key);
    }

    private releaseKeys(entry: Entry): void {
        if (!this.ordered) return;
        for (const key of new Set(entry.records.map((r) => r.partitionKey))) this.releaseKey(key);
    }

    // ---- sending ------------------------------------------------------------------------------

    /**
     * Seals aggregates whose oldest record waited maxBufferedTimeMs, sends requests while slots are
     * free (full ones at once, partial ones when their oldest record is due or a flush runs), and
     * arms the timer for the next due time.
     */
    private tick(): void {
        this.clearTimer();
        const t = now();
        const urgent = this.flushing > 0 || this.closed;
        const due = t - this.maxBufferedTimeMs;

        // Records wait for the first shard map at most maxBufferedTimeMs, even during a flush:
        // packing them per key instead would multiply the Kinesis records of a cold start.
        if (this.holdingForShardMap && (this.unrouted[0]?.enqueuedAt ?? Infinity) <= due) this.stopHolding();
        for (const [key, group] of [...this.groups]) {
            if (urgent || group.openedAt <= due) this.sealGroup(key);
        }
        // A stale map holds what is queued until the new one re-packs it (shardMapSettled ticks).
        const hold = this.shardMaps?.stale === true;
        while (!hold && this.inFlight < this.maxInFlight && this.ready.length > 0) {
            if (!urgent && !this.ready.hasFullRequest() && (this.ready.oldest() ?? Infinity) > due) break;
            const batch: Entry[] = [];
            for (const entry of this.ready.take()) {
                const live = this.prune(entry, t);
                if (live !== undefined) batch.push(live);
            }
            if (batch.length > 0) void this.send(batch);
        }

        let next = Infinity;
        if (this.holdingForShardMap && this.unrouted[0] !== undefined) next = this.unrouted[0].enqueuedAt;
        for (const group of this.groups.values()) next = Math.min(next, group.openedAt);
        if (!hold && this.inFlight < this.maxInFlight) next = Math.min(next, this.ready.oldest() ?? Infinity);
        if (next !== Infinity) this.armTimer(next + this.maxBufferedTimeMs);
    }

    private armTimer(at: number): void {
        if (this.timer !== undefined && this.timerAt <= at) return;
        this.clearTimer();
        this.timerAt = at;
        this.timer = setTimeout(() => {
            this.timer = undefined;
            this.timerAt = Infinity;
            this.tick();
        }, Math.max(1, Math.ceil(at - now())));
    }

    private clearTimer(): void {
        if (this.timer !== undefined) clearTimeout(this.timer);
        this.timer = undefined;
        this.timerAt = Infinity;
    }

    private async send(entries: Entry[]): Promise<void> {
        this.inFlight++;
        const started = now();
        let userRecords = 0;
        let bytes = 0;
        for (const e of entries) {
            for (const r of e.records) {
                if (r.attempts > 0) this.counters.add("recordsRetried");
                if (r.resendMayDuplicate) this.counters.add("potentialDuplicates");
                r.resendMayDuplicate = false;
                r.attempts++;
            }
            userRecords += e.records.length;
            bytes += e.size;
        }
        this.counters.add("putRecordsRequests");
        const request: PutRecordsMetrics = { entries: entries.length, userRecords, bytes, failedEntries: 0, latencyMs: 0 };
        try {
            let output: PutRecordsCommandOutput | undefined;
            let error: unknown;
            try {
                output = await this.client.send(new PutRecordsCommand({ ...this.target, Records: entries.map(toRequestEntry) }), {
                    abortSignal: AbortSignal.timeout(this.requestTimeoutMs),
                });
            } catch (err) {
                error = err;
            }
            request.latencyMs = now() - started;
            if (output !== undefined) request.failedEntries = this.handleResults(entries, output);
            else {
                const c = classifyRequestError(error);
                request.requestError = c.code;
                request.failedEntries = entries.length;
                this.counters.add("putRecordsErrors");
                this.counters.add("kinesisRecordsFailed", entries.length);
                if (c.throttled) this.counters.add("throttled");
                this.handleFailures(entries, c);
            }
        } catch (bug) {
            // A fault in the producer itself: the records still get an outcome.
            for (const e of entries) for (const r of e.records) this.fail(r, "ProducerError", `internal error: ${String(bug)}`);
            for (const e of entries) this.releaseKeys(e);
        } finally {
            this.inFlight--;
            if (this.onMetrics !== undefined) {
                try {
                    this.onMetrics(this.metrics(), request);
                } catch {
                    // a metrics hook must not break delivery
                }
            }
            this.tick();
        }
    }

    /** Applies a PutRecords response entry by entry; returns how many entries failed. */
    private handleResults(entries: Entry[], output: PutRecordsCommandOutput): number {
        const results = output.Records ?? [];
        const retry: Entry[] = [];
        let failed = 0;
        entries.forEach((entry, i) => {
            const result = results[i];
            const code = result === undefined ? "InternalFailure" : result.ErrorCode;
            if (code === undefined && result?.ShardId !== undefined && result.SequenceNumber !== undefined) {
                this.succeed(entry, result.ShardId, result.SequenceNumber);
                return;
            }
            failed++;
            const errorCode = code ?? "InternalFailure";
            const message = result?.ErrorMessage ?? (result === undefined ? "PutRecords returned no result for this entry" : "PutRecords result without a sequence number");
            this.counters.add("kinesisRecordsFailed");
            if (isThrottle(errorCode)) this.counters.add("throttled");
            for (const r of entry.records) {
                r.lastErrorCode = errorCode;
                r.lastErrorMessage = message;
            }
            if (isRetryableEntryError(errorCode)) retry.push(entry);
            else {
                for (const r of entry.records) this.fail(r, errorCode, message);
                this.releaseKeys(entry);
            }
        });
        if (retry.length > 0) this.scheduleRetry(retry);
        return failed;
    }

    private handleFailures(entries: Entry[], c: RequestError): void {
        const { retryable, outcomeUnknown } = c;
        // A lost response is named as such: the records may be in the stream.
        const code = outcomeUnknown ? ProducerErrorCode.RequestOutcomeUnknown : c.code;
        const message = outcomeUnknown ? `${c.code}: ${c.message} (no answer: the request may have been written)` : c.message;
        for (const e of entries) {
            for (const r of e.records) {
                if (outcomeUnknown) {
                    r.maybeWritten = true;
                    r.resendMayDuplicate = true;
                }
                r.lastErrorCode = code;
                r.lastErrorMessage = message;
                if (!retryable) this.fail(r, code, message);
            }
            if (!retryable) this.releaseKeys(e);
        }
        if (retryable) this.scheduleRetry(entries);
    }

    private succeed(entry: Entry, shardId: string, sequenceNumber: string): void {
        this.counters.add("kinesisRecordsSent");
        this.counters.add("bytesSent", entry.size);
        entry.records.forEach((r, i) => {
            this.finish(r, {
                ok: true,
                shardId,
                sequenceNumber,
                ...(entry.aggregated ? { subSequenceNumber: i } : {}),
                attempts: r.attempts,
                ...(r.maybeWritten ? { maybeDuplicated: true as const } : {}),
            });
        });
        this.releaseKeys(entry);
        this.shardMaps?.observe(entry.packedBy, entry.predictedShard, shardId);
    }

    /**
     * One backoff for the failed entries of one response, so they go back together. The wait is cut
     * short at the earliest record deadline, where expired records fail with their last error.
     */
    private scheduleRetry(entries: Entry[]): void {
        const t = now();
        const live: Entry[] = [];
        for (const e of entries) {
            const kept = this.prune(e, t);
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
        const wait = Math.min(backoffDelay(attempts, this.backoff), earliestDeadline - t);
        const timer = setTimeout(() => {
            this.retryTimers.delete(timer);
            const at = now();
            for (let i = live.length - 1; i >= 0; i--) {
                const kept = this.prune(live[i] as Entry, at);
                if (kept === undefined) continue;
                // Packed by a map replaced meanwhile: re-pack (while stale, repack() will).
                if (this.shardMaps?.stale !== true && this.packedByOldMap(kept)) this.reroute(kept.records);
                else this.ready.pushFront(kept);
            }
            this.tick();
        }, Math.max(0, Math.ceil(wait)));
        this.retryTimers.add(timer);
    }

    /**
     * Fails the entry's records whose deadline has passed and returns the entry rebuilt from the
     * others (undefined if none is left). In ordered mode, keys with no record left in the entry are
     * released here.
     */
    private prune(entry: Entry, t: number): Entry | undefined {
        if (entry.records.every((r) => r.deadline > t)) return entry;
        // Ordered mode: the key's later records in the entry (later deadlines) must not go on without it.
        const expiredKeys = new Set(this.ordered ? entry.records.filter((r) => r.deadline <= t).map((r) => r.partitionKey) : []);
        const live = entry.records.filter((r) => r.deadline > t && !expiredKeys.has(r.partitionKey));
        for (const r of entry.records) {
            if (r.deadline <= t) this.expire(r);
            else if (expiredKeys.has(r.partitionKey)) this.fail(r, r.lastErrorCode ?? ProducerErrorCode.RecordExpired, this.heldBackMessage(r.partitionKey, r.lastErrorCode ?? ProducerErrorCode.RecordExpired));
        }
        if (this.ordered) {
            const kept = new Set(live.map((r) => r.partitionKey));
            for (const key of new Set(entry.records.map((r) => r.partitionKey))) if (!kept.has(key)) this.releaseKey(key);
        }
        return live.length === 0 ? undefined : entryFor(live, entry.predictedShard, entry.packedBy);
    }

    // ---- outcomes -----------------------------------------------------------------------------

    private expire(r: PendingRecord): void {
        const last = r.lastErrorCode === undefined ? "" : `; last error ${r.lastErrorCode}: ${r.lastErrorMessage ?? ""}`;
        this.fail(r, r.lastErrorCode ?? ProducerErrorCode.RecordExpired, `record TTL of ${this.recordTtlMs} ms expired after ${r.attempts} attempt(s)${last}`);
    }

    private fail(r: PendingRecord, errorCode: string, errorMessage: string): void {
        this.finish(r, { ok: false, errorCode, errorMessage, attempts: r.attempts, ...(r.maybeWritten ? { maybeWritten: true as const } : {}) });
        // Ordered mode: the key's later records must not overtake one that failed (a caller that
        // re-sends from the failed record would otherwise write them twice, around it): they fail with it.
        if (!this.ordered) return;
        const queue = this.waiting.get(r.partitionKey);
        if (queue === undefined) return;
        this.waiting.delete(r.partitionKey);
        for (const later of queue.splice(0)) this.fail(later, errorCode, this.heldBackMessage(r.partitionKey, errorCode));
    }

    private heldBackMessage(partitionKey: string, errorCode: string): string {
        return `not sent: an earlier record of partition key ${JSON.stringify(partitionKey)} failed (${errorCode}), and ordered mode keeps the key's order`;
    }

    private finish(r: PendingRecord, outcome: Outcome): void {
        if (r.done) return;
        r.done = true;
        this.unresolved.delete(r);
        this.counters.add(outcome.ok ? "recordsSent" : "recordsFailed");
        r.resolve(outcome);
    }

    // ---- shard map ----------------------------------------------------------------------------

    private stopHolding(): void {
        this.holdingForShardMap = false;
        for (const r of this.unrouted.splice(0)) this.accept(r);
    }

    private shardMapSettled(loaded: boolean, changed: boolean): void {
        if (loaded) this.counters.add("shardMapRefreshes");
        if (changed) this.repack();
        if (this.holdingForShardMap) this.stopHolding();
        this.tick();
    }

    /** An aggregate packed by a map that is not the one in force may span two shards' ranges. */
    private packedByOldMap(entry: Entry): boolean {
        return entry.records.length > 1 && entry.packedBy !== undefined && entry.packedBy !== this.shardMaps?.map;
    }

    /**
     * After a reshard: open aggregates and queued entries packed by the old map give their records
     * back to be packed by the new one, so no aggregate sent from now on spans two shards. Entries in
     * flight are re-packed if they come back for a retry; written ones stay where they are.
     */
    private repack(): void {
        const stale: PendingRecord[] = [];
        for (const group of this.groups.values()) stale.push(...group.builder.records);
        this.groups.clear();
        this.openKeyGroup.clear();
        for (const entry of this.ready.drain()) {
            if (this.packedByOldMap(entry)) stale.push(...entry.records);
            else this.ready.push(entry);
        }
        this.reroute(stale);
    }

    /**
     * Routes records again. In ordered mode they are the earliest unsent records of their keys (a
     * key is in one open or sealed entry at most), so they go back to the head of their key's queue.
     */
    private reroute(records: PendingRecord[]): void {
        this.counters.add("recordsRepacked", records.length);
        if (!this.ordered) {
            for (const r of records) this.route(r);
            return;
        }
        const byKey = new Map<string, PendingRecord[]>();
        for (const r of records) {
            const list = byKey.get(r.partitionKey);
            if (list === undefined) byKey.set(r.partitionKey, [r]);
            else list.push(r);
        }
        for (const [key, list] of byKey) {
            this.busyKeys.delete(key);
            this.waiting.set(key, [...list, ...(this.waiting.get(key) ?? [])]);
        }
        for (const key of byKey.keys()) this.releaseKey(key);
    }
}

/** Used to size a record alone without allocating. */
const EMPTY_AGGREGATE = new AggregateBuilder();

function toRequestEntry(e: Entry): PutRecordsRequestEntry {
    return e.explicitHashKey === undefined
        ? { Data: e.data, PartitionKey: e.partitionKey }
        : { Data: e.data, PartitionKey: e.partitionKey, ExplicitHashKey: e.explicitHashKey };
}
