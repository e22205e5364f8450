import { entryFor, singleEntry } from "./aggregation";
import { ProducerErrorCode } from "./errors";
import type { KeyOrder } from "./key-order";
import type { MetricsCounters } from "./metrics";
import { OpenAggregates } from "./open-aggregates";
import { heldBackMessage, type OutcomeBook } from "./outcomes";
import { isLargeRecord, RequestBatcher } from "./request-batcher";
import type { ShardMapTracker } from "./shard-map-tracker";
import type { LargeRecordSpreader } from "./spread";
import { now } from "./timers";
import type { Entry, PendingRecord } from "./types";

/**
 * Where records go: into an open aggregate of their shard (or hash key), alone, or to wait behind
 * their key (ordered mode), and sealed entries into the ready queue. Records put while the first
 * ListShards runs are held until it answers (the producer lets them go after maxBufferedTimeMs);
 * after a reshard what is not yet sent is re-packed by the new map (see repack()). With a spreader
 * (never in ordered mode) a large record without its own explicit hash key goes alone to the shard
 * the spreader picks, not to its key's.
 */
export class Router {
    readonly ready = new RequestBatcher<Entry>();
    private readonly groups: OpenAggregates;
    private holding: boolean;
    private readonly unrouted: PendingRecord[] = [];

    constructor(
        private readonly aggregate: boolean,
        maxAggregateBytes: number,
        private readonly shardMaps: ShardMapTracker | undefined,
        private readonly order: KeyOrder | undefined,
        private readonly outcomes: OutcomeBook,
        private readonly counters: MetricsCounters,
        private readonly spreader: LargeRecordSpreader | undefined,
    ) {
        this.groups = new OpenAggregates(maxAggregateBytes);
        this.holding = shardMaps !== undefined;
    }

    /** When the oldest record held for the first shard map was put; undefined when none is held. */
    heldSince(): number | undefined {
        return this.holding ? this.unrouted[0]?.enqueuedAt : undefined;
    }

    /** Seals the aggregates opened at or before `due` (every one when `all`). */
    sealDue(due: number, all: boolean): void {
        for (const key of this.groups.dueKeys(due, all)) this.sealGroup(key);
    }

    /** When the oldest open aggregate was opened; Infinity when none is. */
    oldestOpen(): number {
        return this.groups.oldest();
    }

    /** Takes a new record (or one held for the first shard map). */
    accept(r: PendingRecord): void {
        if (this.holding) {
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
        if (this.spreader !== undefined && isLargeRecord(r.size) && r.explicitHashKey === undefined) {
            this.seal(this.spreadEntry(this.spreader, r));
            return true;
        }
        const shard = this.shardMaps?.map?.shardFor(r.hashKey);
        const map = shard !== undefined ? this.shardMaps?.map : undefined;
        if (!this.aggregate) {
            this.seal(singleEntry(r, shard, map));
            return true;
        }
        const groupKey = this.groups.groupKey(shard, r.hashKey);
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

    /** The record alone, with the explicit hash key of the next shard the spreader picks. */
    private spreadEntry(spreader: LargeRecordSpreader, r: PendingRecord): Entry {
        const map = this.shardMaps?.map;
        const target = spreader.next(map);
        this.counters.add("largeRecordsSpread");
        return { ...singleEntry(r, target.shard, target.shard === undefined ? undefined : map), explicitHashKey: target.explicitHashKey, spread: true };
    }

    /**
     * A spread entry back from its backoff: its shard throttled it (its burst capacity is spent), so
     * it goes to the next shard, at the head of the queue as any retry.
     */
    respread(entry: Entry): void {
        // Only a router with a spreader makes spread entries.
        const spreader = this.spreader as LargeRecordSpreader;
        for (const r of entry.records) this.ready.pushFront(this.spreadEntry(spreader, r));
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

    /** The entry has its outcome: in ordered mode its keys' waiting records go on. */
    settled(entry: Entry): void {
        if (this.order === undefined) return;
        for (const key of new Set(entry.records.map((r) => r.partitionKey))) this.releaseKey(this.order, key);
    }

    /**
     * Fails the entry's records whose deadline has passed and returns the entry rebuilt from the
     * others (undefined if none is left). In ordered mode, keys with no record left in the entry are
     * released here.
     */
    prune(entry: Entry, t: number): Entry | undefined {
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

    /** Lets the records held for the first shard map go on (packed per hash key if it has not answered). */
    stopHolding(): void {
        this.holding = false;
        for (const r of this.unrouted.splice(0)) this.accept(r);
    }

    /** A ListShards answered or failed: re-pack if the map changed, and stop holding records for it. */
    mapSettled(changed: boolean): void {
        if (changed) this.repack();
        if (this.holding) this.stopHolding();
    }

    /** An aggregate packed by a map that is not the one in force may span two shards' ranges. */
    packedByOldMap(entry: Entry): boolean {
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
    reroute(records: PendingRecord[]): void {
        this.counters.add("recordsRepacked", records.length);
        if (this.order === undefined) {
            for (const r of records) this.route(r);
            return;
        }
        for (const key of this.order.requeueFirst(records)) this.releaseKey(this.order, key);
    }
}
