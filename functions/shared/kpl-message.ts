/**
 * The KPL aggregate's protobuf message, read by hand: protobufjs (aws-kinesis-agg's reader) would put
 * its reflection runtime, about 58 KiB, into every bundle that only reads aggregates, for three
 * fields. The schema is aws-kinesis-agg's kpl.json (proto2):
 *   AggregatedRecord { repeated string partition_key_table = 1; repeated string explicit_hash_key_table = 2;
 *                      repeated Record records = 3; }
 *   Record { required uint64 partition_key_index = 1; optional uint64 explicit_hash_key_index = 2;
 *            required bytes data = 3; repeated Tag tags = 4; }
 * Tags and unknown fields are skipped, as protobufjs skips unknown fields. An absent optional index
 * stays absent (not 0): "no explicit hash key" is its absence.
 */

export interface KplRecord {
    partitionKeyIndex: number;
    explicitHashKeyIndex?: number;
    data: Buffer;
}

export interface KplMessage {
    partitionKeyTable: string[];
    explicitHashKeyTable: string[];
    records: KplRecord[];
}

const VARINT = 0;
const FIXED64 = 1;
const DELIMITED = 2;
const FIXED32 = 5;

/** Reads protobuf fields from `bytes`; every problem is an Error saying where it is. */
class Reader {
    private pos = 0;

    constructor(private readonly bytes: Buffer) {}

    get done(): boolean {
        return this.pos >= this.bytes.length;
    }

    /** A varint as a number (exact up to 2^53, which every index is far below). */
    varint(): number {
        let value = 0;
        for (let shift = 0; shift < 70; shift += 7) {
            if (this.pos >= this.bytes.length) throw new Error(`varint runs past the end at byte ${this.pos}`);
            const byte = this.bytes[this.pos++]!;
            value += (byte & 0x7f) * 2 ** shift;
            if (byte < 0x80) return value;
        }
        throw new Error(`varint longer than 10 bytes at byte ${this.pos}`);
    }

    delimited(): Buffer {
        const length = this.varint();
        if (length > this.bytes.length - this.pos) throw new Error(`field of ${length} bytes runs past the end at byte ${this.pos}`);
        const out = this.bytes.subarray(this.pos, this.pos + length);
        this.pos += length;
        return out;
    }

    /** The next field's number and wire type. */
    tag(): { field: number; wireType: number } {
        const tag = this.varint();
        return { field: Math.floor(tag / 8), wireType: tag % 8 };
    }

    skip(wireType: number): void {
        if (wireType === VARINT) this.varint();
        else if (wireType === DELIMITED) this.delimited();
        else if (wireType === FIXED64 || wireType === FIXED32) {
            const size = wireType === FIXED64 ? 8 : 4;
            if (size > this.bytes.length - this.pos) throw new Error(`fixed field runs past the end at byte ${this.pos}`);
            this.pos += size;
        } else throw new Error(`wire type ${wireType} is not supported (byte ${this.pos})`);
    }
}

function expect(field: number, wireType: number, expected: number): void {
    if (wireType !== expected) throw new Error(`field ${field} has wire type ${wireType}, expected ${expected}`);
}

function readRecord(bytes: Buffer): KplRecord {
    const r = new Reader(bytes);
    let partitionKeyIndex: number | undefined;
    let explicitHashKeyIndex: number | undefined;
    let data: Buffer | undefined;
    while (!r.done) {
        const { field, wireType } = r.tag();
        if (field === 1) {
            expect(field, wireType, VARINT);
            partitionKeyIndex = r.varint();
        } else if (field === 2) {
            expect(field, wireType, VARINT);
            explicitHashKeyIndex = r.varint();
        } else if (field === 3) {
            expect(field, wireType, DELIMITED);
            data = r.delimited();
        } else r.skip(wireType);
    }
    if (partitionKeyIndex === undefined) throw new Error("missing required 'partition_key_index'");
    if (data === undefined) throw new Error("missing required 'data'");
    return { partitionKeyIndex, ...(explicitHashKeyIndex !== undefined ? { explicitHashKeyIndex } : {}), data };
}

/** Decodes an AggregatedRecord (the bytes between the magic number and the MD5); throws an Error naming what is malformed. */
export function decodeAggregatedRecord(body: Buffer): KplMessage {
    const r = new Reader(body);
    const message: KplMessage = { partitionKeyTable: [], explicitHashKeyTable: [], records: [] };
    while (!r.done) {
        const { field, wireType } = r.tag();
        if (field === 1 || field === 2 || field === 3) expect(field, wireType, DELIMITED);
        if (field === 1) message.partitionKeyTable.push(r.delimited().toString("utf8"));
        else if (field === 2) message.explicitHashKeyTable.push(r.delimited().toString("utf8"));
        else if (field === 3) message.records.push(readRecord(r.delimited()));
        else r.skip(wireType);
    }
    return message;
}
