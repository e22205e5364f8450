import { createHash } from "node:crypto";
import { decodeAggregatedRecord, type KplMessage } from "./kpl-message";
import { RecordDecodeError } from "./record-decode-error";

/**
 * Turns the data of one Kinesis record (base64, as Lambda and GetRecords deliver it) into its user
 * records: the user records of a KPL aggregate (magic F3 89 9A C2, protobuf, MD5 of the protobuf),
 * or the record's own bytes when it is not aggregated.
 *
 * The protobuf is read by kpl-message.ts, not aws-kinesis-agg's `deaggregateSync`: the format's
 * `explicit_hash_key_index` is proto2 `optional`, "no explicit hash key" is its absence, and
 * deaggregateSync reads an absent index as 0 (the aggregate's first explicit hash key); the reader
 * keeps it absent, as the KCL's `hasExplicitHashKeyIndex()`.
 */

export const KPL_MAGIC = Buffer.from([0xf3, 0x89, 0x9a, 0xc2]);
const CHECKSUM_BYTES = 16;

// In its own module so that code that only reports undecodable records (the Firehose transform)
// does not bundle the aggregate decoder.
export { RecordDecodeError } from "./record-decode-error";

/** The aggregate's MD5 does not match its protobuf: the bytes were changed after the producer packed them. */
export class AggregateChecksumError extends RecordDecodeError {
    constructor() {
        super("KPL aggregate has a bad MD5 checksum");
        this.name = "AggregateChecksumError";
    }
}

export interface UserRecordData {
    data: Buffer;
    /** Index inside the aggregate; undefined for a record that was not aggregated. */
    subSequenceNumber: number | undefined;
    partitionKey: string;
    /** Present only when the producer gave the user record one; absent means it is placed by md5(partitionKey). */
    explicitHashKey?: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64: Buffer.from(s, "base64") silently skips what it cannot read, which would hide corruption. */
export function decodeBase64(data: string): Buffer {
    if (data.length % 4 !== 0 || !BASE64.test(data)) throw new RecordDecodeError("data is not valid base64");
    return Buffer.from(data, "base64");
}

export function isAggregated(data: Buffer): boolean {
    return data.length >= KPL_MAGIC.length && data.subarray(0, KPL_MAGIC.length).equals(KPL_MAGIC);
}

/** A table index, checked against the table it points into. */
function entryOf(table: string[], i: number, what: string, sub: number): string {
    const value = table[i];
    if (value === undefined) throw new RecordDecodeError(`KPL aggregate cannot be decoded: user record ${sub} has ${what} ${i}, past its table of ${table.length}`, sub);
    return value;
}

/** The user records of a KPL aggregate (magic included); throws RecordDecodeError (AggregateChecksumError on a bad MD5). */
export function deaggregate(bytes: Buffer): UserRecordData[] {
    if (bytes.length < KPL_MAGIC.length + CHECKSUM_BYTES) throw new RecordDecodeError("KPL aggregate cannot be decoded: shorter than its magic number and checksum");
    const body = bytes.subarray(KPL_MAGIC.length, bytes.length - CHECKSUM_BYTES);
    if (
        !createHash("md5")
            .update(body)
            .digest()
            .equals(bytes.subarray(bytes.length - CHECKSUM_BYTES))
    )
        throw new AggregateChecksumError();
    let message: KplMessage;
    try {
        message = decodeAggregatedRecord(body);
    } catch (e) {
        throw new RecordDecodeError(`KPL aggregate cannot be decoded: ${(e as Error).message}`);
    }
    if (message.records.length === 0) throw new RecordDecodeError("KPL aggregate holds no user records");
    return message.records.map((r, sub) => ({
        data: Buffer.from(r.data),
        subSequenceNumber: sub,
        partitionKey: entryOf(message.partitionKeyTable, r.partitionKeyIndex, "partition_key_index", sub),
        ...(r.explicitHashKeyIndex !== undefined ? { explicitHashKey: entryOf(message.explicitHashKeyTable, r.explicitHashKeyIndex, "explicit_hash_key_index", sub) } : {}),
    }));
}

/** The user records of one Kinesis record; throws RecordDecodeError on bad base64, a bad checksum or a broken aggregate. */
export function userRecordsOf(record: { data: string; partitionKey: string }): UserRecordData[] {
    const bytes = decodeBase64(record.data);
    if (!isAggregated(bytes)) return [{ data: bytes, subSequenceNumber: undefined, partitionKey: record.partitionKey }];
    return deaggregate(bytes);
}
