import { randomBytes } from "node:crypto";
import type { ShardMap } from "./shard-map";

/** Where a spread record goes: the ExplicitHashKey to send it with and the shard that owns it (when a map is known). */
export interface SpreadTarget {
    readonly explicitHashKey: string;
    readonly shard: string | undefined;
}

/** A random integer in 0..span-1, span up to 2^128: from 192 random bits, so the modulo bias stays below 2^-64. */
function randomBelow(span: bigint): bigint {
    return BigInt(`0x${randomBytes(24).toString("hex")}`) % span;
}

/**
 * Spreads large records over the stream's shards, as the Kinesis guide's "Handle large records"
 * advises ("Use randomized partition keys to distribute large records across available shards"): a
 * large record bursts its shard past 1 MiB/s and throttles it until the burst capacity refills, so
 * consecutive large records go to consecutive shards of the map, each to a random hash key of that
 * shard's range. Rather than a random partition key, the record gets an ExplicitHashKey: its
 * partition key, which consumers read, is unchanged. Without a shard map the hash key is uniform
 * over the key space, which picks each shard in proportion to its range.
 */
export class LargeRecordSpreader {
    /** Starts at a random shard, so producers started together do not all begin on the first one. */
    private turn = Number(randomBelow(1n << 32n));

    next(map: ShardMap | undefined): SpreadTarget {
        if (map === undefined || map.size === 0) {
            const hashKey = randomBelow(1n << 128n);
            return { explicitHashKey: hashKey.toString(), shard: undefined };
        }
        const range = map.at(this.turn++ % map.size);
        const hashKey = range.start + randomBelow(range.end - range.start + 1n);
        return { explicitHashKey: hashKey.toString(), shard: range.shardId };
    }
}
