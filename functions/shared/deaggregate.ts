import { deaggregateSync, type UserRecord as AggUserRecord } from "aws-kinesis-agg";

/**
 * Turns the data of one Kinesis record (base64, as Lambda and GetRecords deliver it) into its user
 * records: the user records of a KPL aggregate (magic F3 89 9A C2, protobuf, MD5 checked by
 * aws-kinesis-agg), or the record's own bytes when it is not aggregated.
 */

export const KPL_MAGIC = Buffer.from([0xf3, 0x89, 0x9a, 0xc2]);

/** Why a Kinesis record cannot be read; the message is the reason that gets logged. */
export class RecordDecodeError extends Error {
    constructor(
        message: string,
        /** The user record at fault inside an aggregate, when known. */
        readonly subSequenceNumber?: number,
    ) {
        super(message);
        this.name = "RecordDecodeError";
    }
}

export interface UserRecordData {
    data: Buffer;
    /** Index inside the aggregate; undefined for a record that was not aggregated. */
    subSequenceNumber: number | undefined;
    partitionKey: string;
    /** The explicit hash key a producer gave the user record (KPL aggregates keep it per record). */
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

/** The user records of one Kinesis record; throws RecordDecodeError on bad base64, a bad checksum or a broken aggregate. */
export function userRecordsOf(record: { data: string; partitionKey: string; sequenceNumber: string }): UserRecordData[] {
    const bytes = decodeBase64(record.data);
    if (!isAggregated(bytes)) return [{ data: bytes, subSequenceNumber: undefined, partitionKey: record.partitionKey }];

    // deaggregateSync may call back more than once (once per failing user record, then at the end)
    // and calls back again if the callback throws: keep the first error, throw after it returns.
    let failure: Error | undefined;
    let users: AggUserRecord[] = [];
    const payload = { data: record.data, partitionKey: record.partitionKey, sequenceNumber: record.sequenceNumber, kinesisSchemaVersion: "1.0", approximateArrivalTimestamp: 0 };
    deaggregateSync(payload, true, (err, out) => {
        if (err) failure ??= err;
        else users = out ?? [];
    });
    if (failure) {
        const reason = /checksum/i.test(failure.message) ? "KPL aggregate has a bad MD5 checksum" : `KPL aggregate cannot be decoded: ${failure.message}`;
        throw new RecordDecodeError(reason);
    }
    if (users.length === 0) throw new RecordDecodeError("KPL aggregate holds no user records");
    return users.map((u) => ({
        data: Buffer.from(u.data, "base64"),
        subSequenceNumber: u.subSequenceNumber,
        partitionKey: u.partitionKey,
        ...(u.explicitPartitionKey ? { explicitHashKey: u.explicitPartitionKey } : {}),
    }));
}
