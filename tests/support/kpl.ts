// KPL aggregates encoded by hand, protobuf wire format written here, so tests of the readers do not
// depend on the project's encoder (functions/shared/producer/aggregation.ts) nor on aws-kinesis-agg's.
// Format: magic F3 89 9A C2, AggregatedRecord { 1: partition_key_table, 2: explicit_hash_key_table,
// 3: records { 1: partition_key_index, 2: explicit_hash_key_index (optional), 3: data } }, MD5 of it.
import { createHash } from "node:crypto";

export interface KplUserRecord {
    partitionKey: string;
    /** Left out of the protobuf entirely when undefined (proto2 optional: absence means "none"). */
    explicitHashKey?: string;
    data: Buffer;
}

const MAGIC = Buffer.from([0xf3, 0x89, 0x9a, 0xc2]);

function varint(n: number): Buffer {
    const out: number[] = [];
    do {
        let byte = n % 128;
        n = Math.floor(n / 128);
        if (n > 0) byte |= 0x80;
        out.push(byte);
    } while (n > 0);
    return Buffer.from(out);
}

const field = (number: number, wireType: 0 | 2) => varint(number * 8 + wireType);
const delimited = (number: number, bytes: Buffer) => Buffer.concat([field(number, 2), varint(bytes.length), bytes]);
const uint = (number: number, value: number) => Buffer.concat([field(number, 0), varint(value)]);

/** The protobuf body alone (no magic, no checksum). */
export function encodeAggregateBody(records: KplUserRecord[]): Buffer {
    const pks: string[] = [];
    const ehks: string[] = [];
    const indexIn = (table: string[], value: string) => (table.includes(value) ? table.indexOf(value) : table.push(value) - 1);
    const encoded = records.map((r) =>
        Buffer.concat([uint(1, indexIn(pks, r.partitionKey)), r.explicitHashKey === undefined ? Buffer.alloc(0) : uint(2, indexIn(ehks, r.explicitHashKey)), delimited(3, r.data)]),
    );
    return Buffer.concat([...pks.map((k) => delimited(1, Buffer.from(k))), ...ehks.map((k) => delimited(2, Buffer.from(k))), ...encoded.map((e) => delimited(3, e))]);
}

/** A whole aggregated record's data: magic, body, MD5 of the body. */
export function encodeAggregate(records: KplUserRecord[]): Buffer {
    return sealAggregateBody(encodeAggregateBody(records));
}

export function sealAggregateBody(body: Buffer): Buffer {
    return Buffer.concat([MAGIC, body, createHash("md5").update(body).digest()]);
}
