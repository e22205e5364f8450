import { ListShardsCommand, type KinesisClient, type Shard } from "@aws-sdk/client-kinesis";
import type { StreamTarget } from "./types";

/** An open shard and the hash keys it owns (inclusive at both ends). */
export interface ShardRange {
    shardId: string;
    start: bigint;
    end: bigint;
}

/**
 * The open shards of a stream and the hash key range each one owns, as ListShards reports them.
 * Closed shards (a parent after a split or merge) are left out: Kinesis routes writes to open
 * shards only.
 */
export class ShardMap {
    private readonly ranges: ShardRange[];
    private readonly ids: Set<string>;

    constructor(shards: readonly Shard[]) {
        this.ranges = shards
            .filter((s) => s.ShardId !== undefined && s.HashKeyRange !== undefined && s.SequenceNumberRange?.EndingSequenceNumber === undefined)
            .map((s) => ({
                shardId: s.ShardId as string,
                start: BigInt(s.HashKeyRange?.StartingHashKey ?? "0"),
                end: BigInt(s.HashKeyRange?.EndingHashKey ?? "0"),
            }))
            .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
        this.ids = new Set(this.ranges.map((r) => r.shardId));
    }

    get size(): number {
        return this.ranges.length;
    }

    /** The open shard at `index` (0..size-1) in hash key order. */
    at(index: number): ShardRange {
        return this.ranges[index] as ShardRange;
    }

    /** True when the shard is one of the map's open shards. */
    has(shardId: string): boolean {
        return this.ids.has(shardId);
    }

    /** True when both maps hold the same open shards (a shard id never changes its range). */
    sameShards(other: ShardMap): boolean {
        return this.ids.size === other.ids.size && [...this.ids].every((id) => other.ids.has(id));
    }

    /** The open shard whose range holds the hash key (ranges are inclusive at both ends), if any. */
    shardFor(hashKey: bigint): string | undefined {
        let lo = 0;
        let hi = this.ranges.length - 1;
        while (lo <= hi) {
            const mid = (lo + hi) >>> 1;
            const r = this.ranges[mid] as ShardRange;
            if (hashKey < r.start) hi = mid - 1;
            else if (hashKey > r.end) lo = mid + 1;
            else return r.shardId;
        }
        return undefined;
    }
}

/** Reads every page of ListShards for the stream and builds the map of its open shards. */
export async function loadShardMap(client: KinesisClient, target: StreamTarget, abortSignal?: AbortSignal): Promise<ShardMap> {
    const shards: Shard[] = [];
    let nextToken: string | undefined;
    do {
        // NextToken and the stream name are mutually exclusive in ListShards.
        const input = nextToken !== undefined ? { NextToken: nextToken } : { ...target };
        const page = await client.send(new ListShardsCommand(input), abortSignal ? { abortSignal } : {});
        shards.push(...(page.Shards ?? []));
        nextToken = page.NextToken;
    } while (nextToken !== undefined);
    return new ShardMap(shards);
}
