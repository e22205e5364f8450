import { AggregateBuilder } from "./aggregation";
import type { ShardMap } from "./shard-map";
import type { Entry, PendingRecord } from "./types";

/** An aggregate being filled for one shard (or one hash key when there is no shard map). */
interface OpenGroup {
    readonly builder: AggregateBuilder;
    readonly shard: string | undefined;
    /** The map `shard` comes from (undefined when packed per hash key). */
    readonly map: ShardMap | undefined;
    /** When its first record was put: the aggregate is due maxBufferedTimeMs later. */
    readonly openedAt: number;
}

/** Used to size a record alone without allocating. */
const EMPTY_AGGREGATE = new AggregateBuilder();

/** The aggregates being filled, one per shard (or hash key), each at most `maxBytes`. */
export class OpenAggregates {
    private readonly groups = new Map<string, OpenGroup>();
    /** The group key of each shard seen, so that routing a record to its shard builds no string. */
    private readonly shardKeys = new Map<string, string>();

    constructor(private readonly maxBytes: number) {}

    /** The group a record joins: its shard's, or its hash key's when the map does not place it. */
    groupKey(shard: string | undefined, hashKey: bigint): string {
        if (shard === undefined) return `h${hashKey.toString(36)}`;
        let key = this.shardKeys.get(shard);
        if (key === undefined) {
            key = `s${shard}`;
            this.shardKeys.set(shard, key);
        }
        return key;
    }

    /** True when the record would not fit even an empty aggregate: it goes alone. */
    tooLargeToJoin(r: PendingRecord): boolean {
        return EMPTY_AGGREGATE.sizeWith(r) > this.maxBytes;
    }

    /** True when the group is open and the record would take it over `maxBytes`. */
    wouldOverflow(groupKey: string, r: PendingRecord): boolean {
        const group = this.groups.get(groupKey);
        return group !== undefined && group.builder.sizeWith(r) > this.maxBytes;
    }

    /** Adds the record to its group, opening it (for `shard` of `map`) if needed. */
    add(groupKey: string, r: PendingRecord, shard: string | undefined, map: ShardMap | undefined): void {
        let group = this.groups.get(groupKey);
        if (group === undefined) {
            group = { builder: new AggregateBuilder(), shard, map, openedAt: r.enqueuedAt };
            this.groups.set(groupKey, group);
        }
        group.builder.add(r);
    }

    /** Closes the group and returns its entry (undefined if it is not open). */
    take(groupKey: string): Entry | undefined {
        const group = this.groups.get(groupKey);
        if (group === undefined) return undefined;
        this.groups.delete(groupKey);
        return group.builder.build(group.shard, group.map);
    }

    /** Keys of the groups opened at or before `due` (every group when `all`). */
    dueKeys(due: number, all: boolean): string[] {
        const keys: string[] = [];
        for (const [key, group] of this.groups) if (all || group.openedAt <= due) keys.push(key);
        return keys;
    }

    /** When the oldest open group was opened; Infinity when none is. */
    oldest(): number {
        let oldest = Infinity;
        for (const group of this.groups.values()) oldest = Math.min(oldest, group.openedAt);
        return oldest;
    }

    /** Dissolves every group and returns their records (to be packed again). */
    drainRecords(): PendingRecord[] {
        const records: PendingRecord[] = [];
        for (const group of this.groups.values()) records.push(...group.builder.records);
        this.groups.clear();
        return records;
    }
}
