import { entryFor, singleEntry } from "./aggregation";
import { backoffDelay } from "./backoff";
import { ProducerErrorCode } from "./errors";
import { KeyOrder } from "./key-order";
import { MetricsCounters } from "./metrics";
import { OpenAggregates } from "./open-aggregates";
import { resolveOptions, type ResolvedOptions } from "./options";
import { heldBackMessage, OutcomeBook } from "./outcomes";
import { RequestBatcher } from "./request-batcher";
import { RequestSender } from "./request-sender";
import { ShardMapTracker } from "./shard-map-tracker";
import { DueTimer, now, RetryTimers } from "./timers";
import type { Entry, KinesisProducerOptions, Outcome, PendingRecord, ProducerMetrics, ProducerRecord } from "./types";
import { normalizeRecord } from "./validation";

export { PRODUCER_DEFAULTS } from "./options";

/**
 * A KPL-style Kinesis Data Streams producer on the AWS SDK v3: buffers user records, aggregates them
 * in the KPL format, sends them with PutRecords, resends failed entries with backoff until each
 * record's TTL, and gives every record exactly one outcome. See index.ts for the contract.
 *
 * This class routes and sends; its parts hold the state: OpenAggregates (aggregates being filled),
 * RequestBatcher (sealed entries), KeyOrder (ordered mode), OutcomeBook (unanswered records and
 * their outcomes), RequestSender (PutRecords calls and their responses), ShardMapTracker (the map
 * in force), DueTimer and RetryTimers.
 */
export class KinesisProducer {
    private readonly o: ResolvedOptions;
    private readonly counters = new MetricsCounters();
    private readonly order: KeyOrder | undefined;
    private readonly outcomes: OutcomeBook;
    private readonly groups: OpenAggregates;
    private readonly ready = new RequestBatcher<Entry>();
    private readonly timer = new DueTimer(() => this.tick());
    private readonly retries = new RetryTimers();
    private readonly sender: RequestSender;
    private flushing = 0;
    private closed = false;

    // Shard map. Records put while the first ListShards runs are held until it answers, at most
    // maxBufferedTimeMs (during a flush too). While the map is known stale nothing is sent, and
    // what is not yet sent is re-packed by the new one (see repack()).
    private readonly shardMaps: ShardMapTracker | undefined;
    private holdingForShardMap: boolean;
    private readonly unrouted: PendingRecord[] = [];

    constructor(options: KinesisProducerOptions) {
        this.o = resolveOptions(options);
        this.order = this.o.ordered ? new KeyOrder() : undefined;
        this.outcomes = new OutcomeBook(this.counters, this.o.recordTtlMs, this.order);
        this.groups = new OpenAggregates(this.o.maxAggregateBytes);
        this.sender = new RequestSender(this.o, this.counters, this.outcomes, {
            settled: (entry) => this.releaseKeys(entry),
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
        this.holdingForShardMap = this.o.useShardMap;
        if (this.o.useShardMap) {
            this.shardMaps = new ShardMapTracker({
                client: this.o.client,
                target: this.o.target,
                timeoutMs: this.o.requestTimeoutMs,
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
        if (this.closed) return this.outcomes.rejectNow(ProducerErrorCode.ProducerClosed, "put() after close()", false);
        let normalized: ReturnType<typeof normalizeRecord>;
        try {
            normalized = normalizeRecord(record, this.o.strategy);
        } catch (err) {
            normalized = { ok: false, errorCode: ProducerErrorCode.InvalidData, errorMessage: `record could not be read: ${String(err)}` };
        }
        if (!normalized.ok) return this.outcomes.rejectNow(normalized.errorCode, normalized.errorMessage, true);

        const t = now();
        const { pending, promise } = this.outcomes.open(normalized.record, t);
        this.accept(pending);
        if (this.ready.hasFullRequest() && this.sender.inFlight < this.o.maxInFlight) this.tick();
        else if (!this.timer.armed) this.timer.arm(t + this.o.maxBufferedTimeMs);
        return promise;
    }

    /** Resolves when every record put before the call has its outcome; sends partial requests at once. */
    async flush(): Promise<void> {
        const pending = this.outcomes.promises();
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
        this.timer.clear();
        this.shardMaps?.close();
        this.retries.clear();
    }

    /** Cumulative counters (a copy). */
    metrics(): ProducerMetrics {
        return this.counters.snapshot(this.outcomes.size);
    }

    // ---- routing ------------------------------------------------------------------------------

    private accept(r: PendingRecord): void {
        if (this.holdingForShardMap) {
            this.unrouted.push(r);
            return;
        }
        if (this.order?.isBusy(r.partitionKey)) {
            this.order.wait(r);
            return;
        }
        if (!this.route(r)) this.order?.wait(r);
    }

    /**
     * Puts a record into an open aggregate or the ready queue. In ordered mode returns false when
     * the record must wait because its key became busy.
     */
    private route(r: PendingRecord): boolean {
        const shard = this.shardMaps?.map?.shardFor(r.hashKey);
        const map = shard !== undefined ? this.shardMaps?.map : undefined;
        if (!this.o.aggregate) {
            this.seal(singleEntry(r, shard, map));
            return true;
        }
        const groupKey = OpenAggregates.groupKey(shard, r.hashKey);
        const alone = this.groups.tooLargeToJoin(r);
        const held = this.order?.groupOf(r.partitionKey);
        // The key's earlier records sit in another open aggregate (different shard after a
        // refresh, different explicit hash key) or this record goes alone: those earlier
        // records must be sent and answered first.
        if (held !== undefined && (held !== groupKey || alone)) {
            this.sealGroup(held);
            return false;
        }
        if (alone) {
            this.seal(singleEntry(r, shard, map));
            return true;
        }
        if (this.groups.wouldOverflow(groupKey, r)) {
            this.sealGroup(groupKey);
            if (this.order?.isBusy(r.partitionKey)) return false;
        }
        this.groups.add(groupKey, r, shard, map);
        this.order?.joined(r.partitionKey, groupKey);
        return true;
    }

    private sealGroup(groupKey: string): void {
        const entry = this.groups.take(groupKey);
        if (entry !== undefined) this.seal(entry);
    }

    /** A finished entry joins the ready queue; in ordered mode its keys become busy. */
    private seal(entry: Entry): void {
        this.order?.sealed(entry.records);
        this.ready.push(entry);
    }

    /** The key's entry has its outcome: its waiting records go on, oldest first, until it is busy again. */
    private releaseKey(order: KeyOrder, key: string): void {
        const t = now();
        order.release(key, (r) => {
            if (r.deadline > t) return this.route(r);
            this.outcomes.expire(r);
            return true;
        });
    }

    private releaseKeys(entry: Entry): void {
        if (this.order === undefined) return;
        for (const key of new Set(entry.records.map((r) => r.partitionKey))) this.releaseKey(this.order, key);
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
        if (this.holdingForShardMap && (this.unrouted[0]?.enqueuedAt ?? Infinity) <= due) this.stopHolding();
        for (const key of this.groups.dueKeys(due, urgent)) this.sealGroup(key);
        // A stale map holds what is queued until the new one re-packs it (shardMapSettled ticks).
        const hold = this.shardMaps?.stale === true;
        while (!hold && this.sender.inFlight < this.o.maxInFlight && this.ready.length > 0) {
            if (!urgent && !this.ready.hasFullRequest() && (this.ready.oldest() ?? Infinity) > due) break;
            const batch: Entry[] = [];
            for (const entry of this.ready.take()) {
                const live = this.prune(entry, t);
                if (live !== undefined) batch.push(live);
            }
            if (batch.length > 0) void this.sender.send(batch);
        }

        let next = Infinity;
        if (this.holdingForShardMap && this.unrouted[0] !== undefined) next = this.unrouted[0].enqueuedAt;
        next = Math.min(next, this.groups.oldest());
        if (!hold && this.sender.inFlight < this.o.maxInFlight) next = Math.min(next, this.ready.oldest() ?? Infinity);
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
        this.retries.after(Math.min(backoffDelay(attempts, this.o.backoff), earliestDeadline - t), () => {
            const at = now();
            for (let i = live.length - 1; i >= 0; i--) {
                const kept = this.prune(live[i] as Entry, at);
                if (kept === undefined) continue;
                // Packed by a map replaced meanwhile: re-pack (while stale, repack() will).
                if (this.shardMaps?.stale !== true && this.packedByOldMap(kept)) this.reroute(kept.records);
                else this.ready.pushFront(kept);
            }
            this.tick();
        });
    }

    /**
     * Fails the entry's records whose deadline has passed and returns the entry rebuilt from the
     * others (undefined if none is left). In ordered mode, keys with no record left in the entry are
     * released here.
     */
    private prune(entry: Entry, t: number): Entry | undefined {
        if (entry.records.every((r) => r.deadline > t)) return entry;
        // Ordered mode: the key's later records in the entry (later deadlines) must not go on without it.
        const expiredKeys = new Set(this.order !== undefined ? entry.records.filter((r) => r.deadline <= t).map((r) => r.partitionKey) : []);
        const live = entry.records.filter((r) => r.deadline > t && !expiredKeys.has(r.partitionKey));
        for (const r of entry.records) {
            if (r.deadline <= t) this.outcomes.expire(r);
            else if (expiredKeys.has(r.partitionKey)) {
                const code = r.lastErrorCode ?? ProducerErrorCode.RecordExpired;
                this.outcomes.fail(r, code, heldBackMessage(r.partitionKey, code));
            }
        }
        if (this.order !== undefined) {
            const kept = new Set(live.map((r) => r.partitionKey));
            for (const key of new Set(entry.records.map((r) => r.partitionKey))) if (!kept.has(key)) this.releaseKey(this.order, key);
        }
        return live.length === 0 ? undefined : entryFor(live, entry.predictedShard, entry.packedBy);
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
        const stale = this.groups.drainRecords();
        this.order?.forgetGroups();
        for (const entry of this.ready.drain()) {
            if (this.packedByOldMap(entry)) stale.push(...entry.records);
            else this.ready.push(entry);
        }
        this.reroute(stale);
    }

    /** Routes records again; in ordered mode through the head of their keys' queues (see KeyOrder.requeueFirst). */
    private reroute(records: PendingRecord[]): void {
        this.counters.add("recordsRepacked", records.length);
        if (this.order === undefined) {
            for (const r of records) this.route(r);
            return;
        }
        for (const key of this.order.requeueFirst(records)) this.releaseKey(this.order, key);
    }
}
