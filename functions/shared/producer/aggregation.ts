import { createHash } from "node:crypto";
import type { ShardMap } from "./shard-map";
import type { Entry, PendingRecord } from "./types";

/**
 * The KPL aggregated record format comes from aws-kinesis-agg: its protobuf message type (compiled
 * from its kpl.json) and magic number. Its `RecordAggregator` is not used to build the tables: it
 * keeps the partition key and explicit hash key tables in plain objects and writes them with
 * `Object.keys`, which lists integer-like keys ("42") before the others, so a record's
 * partition_key_index can point at another record's key (and "__proto__" is lost). The tables are
 * built here in insertion order with Maps; the test suite pins that upstream behaviour.
 */
interface KplCommon {
    magic: Buffer;
    AggregatedRecord: {
        encode(message: {
            partition_key_table: string[];
            explicit_hash_key_table: string[];
            records: { partition_key_index: number; explicit_hash_key_index?: number; data: Uint8Array }[];
        }): { finish(): Uint8Array };
    };
}
const kpl = require("aws-kinesis-agg/lib/common") as KplCommon;

const MAGIC_BYTES = kpl.magic.length; // F3 89 9A C2
const CHECKSUM_BYTES = 16; // MD5 of the protobuf message

function varintSize(value: number): number {
    let size = 1;
    while (value >= 128) {
        value = Math.floor(value / 128);
        size++;
    }
    return size;
}

/** Size of a length-delimited protobuf field with a one-byte tag. */
function delimitedSize(length: number): number {
    return 1 + varintSize(length) + length;
}

function partitionKeyBytes(r: PendingRecord): number {
    return r.size - r.data.length;
}

/** A user record sent on its own, as the KPL sends a record that does not fit an aggregate. */
export function singleEntry(record: PendingRecord, predictedShard?: string, packedBy?: ShardMap): Entry {
    return {
        records: [record],
        aggregated: false,
        data: record.data,
        partitionKey: record.partitionKey,
        explicitHashKey: record.explicitHashKey,
        size: record.size,
        predictedShard,
        packedBy,
        since: record.enqueuedAt,
    };
}

/**
 * One aggregated Kinesis record being filled. Sizes are exact: `sizeWith(r)` is the byte length of
 * the aggregated data (magic + protobuf + MD5) if `r` were added, so a full aggregate never
 * exceeds the limit it is checked against.
 */
export class AggregateBuilder {
    readonly records: PendingRecord[] = [];
    private readonly pkIndex = new Map<string, number>();
    private readonly ehkIndex = new Map<string, number>();
    private bodySize = 0;

    /** Bytes of the aggregated data as it stands (20 when empty). */
    get dataSize(): number {
        return MAGIC_BYTES + this.bodySize + CHECKSUM_BYTES;
    }

    get count(): number {
        return this.records.length;
    }

    /** Bytes of the aggregated data if the record were added. */
    sizeWith(r: PendingRecord): number {
        return this.dataSize + this.growth(r);
    }

    add(r: PendingRecord): void {
        this.bodySize += this.growth(r);
        this.records.push(r);
        if (!this.pkIndex.has(r.partitionKey)) this.pkIndex.set(r.partitionKey, this.pkIndex.size);
        if (r.explicitHashKey !== undefined && !this.ehkIndex.has(r.explicitHashKey)) this.ehkIndex.set(r.explicitHashKey, this.ehkIndex.size);
    }

    /**
     * The PutRecords entry. One record goes alone (no aggregation overhead, readable by any
     * consumer). An aggregate takes its first record's partition key and, as ExplicitHashKey, its
     * first record's hash key: records are packed per shard (or per hash key), so that hash is in
     * the range of the shard they were packed for.
     */
    build(predictedShard?: string, packedBy?: ShardMap): Entry {
        const first = this.records[0];
        if (first === undefined) throw new Error("AggregateBuilder.build() on an empty aggregate");
        if (this.records.length === 1) return singleEntry(first, predictedShard, packedBy);
        const body = kpl.AggregatedRecord.encode({
            partition_key_table: [...this.pkIndex.keys()],
            explicit_hash_key_table: [...this.ehkIndex.keys()],
            records: this.records.map((r) => ({
                partition_key_index: this.pkIndex.get(r.partitionKey) as number,
                ...(r.explicitHashKey !== undefined ? { explicit_hash_key_index: this.ehkIndex.get(r.explicitHashKey) as number } : {}),
                data: r.data,
            })),
        }).finish();
        const checksum = createHash("md5").update(body).digest();
        const data = Buffer.concat([kpl.magic, body, checksum]);
        return {
            records: this.records,
            aggregated: true,
            data,
            partitionKey: first.partitionKey,
            explicitHashKey: first.hashKey.toString(),
            size: data.length + partitionKeyBytes(first),
            predictedShard,
            packedBy,
            since: this.records.reduce((min, r) => Math.min(min, r.enqueuedAt), Infinity),
        };
    }

    private growth(r: PendingRecord): number {
        let added = 0;
        let pkIdx = this.pkIndex.get(r.partitionKey);
        if (pkIdx === undefined) {
            pkIdx = this.pkIndex.size;
            added += delimitedSize(partitionKeyBytes(r));
        }
        let inner = 1 + varintSize(pkIdx) + delimitedSize(r.data.length);
        if (r.explicitHashKey !== undefined) {
            let ehkIdx = this.ehkIndex.get(r.explicitHashKey);
            if (ehkIdx === undefined) {
                ehkIdx = this.ehkIndex.size;
                added += delimitedSize(r.explicitHashKey.length); // decimal digits: one byte each
            }
            inner += 1 + varintSize(ehkIdx);
        }
        return added + delimitedSize(inner);
    }
}

/** The entry for a set of records of one group: alone if one, else an aggregate. */
export function entryFor(records: readonly PendingRecord[], predictedShard?: string, packedBy?: ShardMap): Entry {
    const builder = new AggregateBuilder();
    for (const r of records) builder.add(r);
    return builder.build(predictedShard, packedBy);
}
