import * as z from "zod/mini";

/**
 * The quarantine contract: what the consumer writes for a poison user record (a permanent failure:
 * not decodable, bad aggregate checksum, not JSON, schema-invalid), where, and how the redrive tool
 * marks what it has re-put. One S3 object per quarantined user record, in the archive bucket, because
 * records can exceed SQS's message limit once large records are on. Shared by the consumer (writer),
 * infra (bucket lifecycle, IAM, alarm) and tools (list, redrive, local reconciliation); imports nothing
 * of theirs.
 */

/** Environment variable naming the bucket the consumer quarantines into. */
export const QUARANTINE_BUCKET_ENV = "QUARANTINE_BUCKET";
/** Every quarantine object lives under this prefix (its own lifecycle rule; excluded from the archive's transitions). */
export const QUARANTINE_PREFIX = "quarantine/";
/** Redrive markers: an object here means the record with the same path below QUARANTINE_PREFIX was re-put. */
export const REDRIVE_MARKER_PREFIX = "quarantine/_redriven/";
/** Metric (Count) the consumer adds per quarantined user record, in its Powertools namespace. */
export const QUARANTINED_METRIC = "QuarantinedRecords";
/** Days a quarantined record is kept. @default 30 */
export const DEFAULT_QUARANTINE_RETENTION_DAYS = 30;

/** Why a user record is poison; each is permanent (retrying cannot help). */
export const QUARANTINE_REASON_CODES = ["not-decodable", "aggregate-checksum", "not-json", "schema-invalid"] as const;
export type QuarantineReasonCode = (typeof QUARANTINE_REASON_CODES)[number];

export const quarantinedRecordSchema = z.object({
    version: z.literal(1),
    reasonCode: z.enum(QUARANTINE_REASON_CODES),
    /** One line for people: what is wrong with the record. */
    reason: z.string(),
    /** The user record's bytes, base64; for an aggregate that could not be decoded, the whole Kinesis record's. */
    payload: z.string(),
    /** The event source ARN (the stream) the record was read from, when known. */
    streamArn: z.optional(z.string()),
    shardId: z.string(),
    sequenceNumber: z.string(),
    /** Index inside a KPL aggregate; null for a plain record or an aggregate that could not be decoded as a whole. */
    subSequenceNumber: z.nullable(z.number()),
    partitionKey: z.string(),
    /** Present only when the producer gave the user record one (absent means: placed by md5(partitionKey)). */
    explicitHashKey: z.optional(z.string()),
    /** ISO-8601: when Kinesis accepted the record (ApproximateArrivalTimestamp). */
    arrivedAt: z.string(),
    /** ISO-8601: when the consumer quarantined it. */
    quarantinedAt: z.string(),
});
export type QuarantinedRecord = z.infer<typeof quarantinedRecordSchema>;

/** `quarantine/<shard>/<sequence>-<subsequence>.json`; a record with no subsequence number uses 0. */
export function quarantineKey(record: Pick<QuarantinedRecord, "shardId" | "sequenceNumber" | "subSequenceNumber">): string {
    return `${QUARANTINE_PREFIX}${record.shardId}/${record.sequenceNumber}-${record.subSequenceNumber ?? 0}.json`;
}

/** The marker key recording that the quarantined object at `key` was re-put onto the stream. */
export function redriveMarkerKey(key: string): string {
    if (!key.startsWith(QUARANTINE_PREFIX) || key.startsWith(REDRIVE_MARKER_PREFIX)) throw new Error(`not a quarantine object key: ${key}`);
    return REDRIVE_MARKER_PREFIX + key.slice(QUARANTINE_PREFIX.length);
}

/** Parses a quarantine object's body; throws one line naming what is wrong. */
export function parseQuarantinedRecord(body: string, key: string): QuarantinedRecord {
    let json: unknown;
    try {
        json = JSON.parse(body);
    } catch {
        throw new Error(`${key}: not JSON`);
    }
    const parsed = quarantinedRecordSchema.safeParse(json);
    if (!parsed.success) {
        const first = parsed.error.issues[0];
        throw new Error(`${key}: not a quarantined record (${first ? `${first.path.join(".") || "body"}: ${first.message}` : "invalid"})`);
    }
    return parsed.data;
}
