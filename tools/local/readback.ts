// Reading the sinks back at the end of a run, the way their users would: the results table (Scan),
// the archive (ListObjectsV2 + GetObject, gunzip, one record per line) and the on-failure messages
// (the records re-read from the stream by their KinesisBatchInfo, as a replay would).
import { gunzipSync } from "node:zlib";
import { ScanCommand, type AttributeValue, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { OnFailureMessage } from "./failure-store";
import { readRange, type StreamRecord } from "./reader";
import { MALFORMED_ID } from "./traffic";

/** An event item of the results table (counters and alert markers left out). */
export interface StoredEvent {
    event_id: string;
    event_type: string;
    fraud_suspected?: boolean;
}

/** Every event item of the table (event sort keys start with a digit; counters and markers with a letter). */
export async function scanEvents(dynamodb: DynamoDBClient, tableName: string): Promise<StoredEvent[]> {
    const out: StoredEvent[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
        const page = await dynamodb.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }));
        for (const raw of page.Items ?? []) {
            const sk = raw.sk?.S ?? "";
            if (!/^\d/.test(sk)) continue;
            const item = unmarshall(raw) as StoredEvent;
            out.push({ event_id: item.event_id, event_type: item.event_type, ...(item.fraud_suspected !== undefined ? { fraud_suspected: item.fraud_suspected } : {}) });
        }
        start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return out;
}

/** One record found in the archive. */
export interface ArchivedRecord {
    objectKey: string;
    /** Under the error output prefix. */
    error: boolean;
    /** The record's event_id, or the malformed record's id found in its bytes; undefined when unrecognisable. */
    id: string | undefined;
    /** Events prefix only: the object's prefix matches the record's event_type and occurred_at date. */
    partitionMatches: boolean;
}

/** The fixed start of a prefix template (before its first `!{...}`). */
export function staticPart(template: string): string {
    const i = template.indexOf("!{");
    return i < 0 ? template : template.slice(0, i);
}

function idIn(bytes: Buffer): string | undefined {
    try {
        const parsed = JSON.parse(bytes.toString("utf8")) as { event_id?: unknown };
        if (typeof parsed?.event_id === "string") return parsed.event_id;
    } catch {
        // not JSON: look for a malformed record's id in its bytes
    }
    return MALFORMED_ID.exec(bytes.toString("latin1"))?.[0];
}

/** Every object of the bucket (under `prefix`), page by page (StartAfter: s3rver's continuation tokens need a legacy cipher). */
export async function listKeys(s3: S3Client, bucket: string, prefix?: string): Promise<string[]> {
    const keys: string[] = [];
    let startAfter: string | undefined;
    for (;;) {
        const page = await s3.send(
            new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000, ...(prefix ? { Prefix: prefix } : {}), ...(startAfter ? { StartAfter: startAfter } : {}) }),
        );
        const batch = (page.Contents ?? []).map((c) => c.Key ?? "").filter((k) => k !== "");
        keys.push(...batch);
        if (!page.IsTruncated || batch.length === 0) return keys;
        startAfter = batch[batch.length - 1];
    }
}

/** Reads one object: gunzip, then one record per line. */
export async function readObjectLines(s3: S3Client, bucket: string, key: string): Promise<Buffer[]> {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = Buffer.from(await out.Body!.transformToByteArray());
    const text = gunzipSync(body);
    const lines: Buffer[] = [];
    let from = 0;
    for (let i = 0; i < text.length; i++) {
        if (text[i] === 0x0a) {
            lines.push(text.subarray(from, i));
            from = i + 1;
        }
    }
    if (from < text.length) lines.push(text.subarray(from));
    return lines;
}

/** Every record of the archive, from the objects under the events and error prefixes. */
export async function readArchive(s3: S3Client, bucket: string, prefix: string, errorPrefix: string): Promise<ArchivedRecord[]> {
    const eventsRoot = staticPart(prefix);
    const errorsRoot = staticPart(errorPrefix);
    const out: ArchivedRecord[] = [];
    for (const key of await listKeys(s3, bucket)) {
        const error = key.startsWith(errorsRoot);
        if (!error && !key.startsWith(eventsRoot)) continue;
        for (const line of await readObjectLines(s3, bucket, key)) {
            if (error) {
                let raw: Buffer | undefined;
                try {
                    raw = Buffer.from((JSON.parse(line.toString("utf8")) as { rawData: string }).rawData, "base64");
                } catch {
                    raw = undefined;
                }
                out.push({ objectKey: key, error, id: raw && idIn(raw), partitionMatches: true });
                continue;
            }
            let id: string | undefined;
            let partitionMatches = false;
            try {
                const r = JSON.parse(line.toString("utf8")) as { event_id?: unknown; event_type?: unknown; occurred_at?: unknown };
                id = typeof r.event_id === "string" ? r.event_id : undefined;
                partitionMatches = typeof r.occurred_at === "string" && key.includes(`event_type=${String(r.event_type)}/dt=${r.occurred_at.slice(0, 10)}/`);
            } catch {
                id = idIn(line);
            }
            out.push({ objectKey: key, error, id, partitionMatches });
        }
    }
    return out;
}

/** An on-failure message with the records of its range, re-read from the stream. */
export interface ReplayedFailure {
    message: OnFailureMessage;
    records: StreamRecord[];
}

export async function replayFailures(kinesis: KinesisClient, streamName: string, messages: readonly OnFailureMessage[]): Promise<ReplayedFailure[]> {
    const out: ReplayedFailure[] = [];
    for (const message of messages) {
        const b = message.KinesisBatchInfo;
        out.push({ message, records: await readRange(kinesis, streamName, b.shardId, b.startSequenceNumber, b.endSequenceNumber, b.batchSize) });
    }
    return out;
}
