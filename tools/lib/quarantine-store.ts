// The consumer's quarantine as its operators see it: the quarantined records of a bucket (contracts/
// quarantine.ts), filtered by reason, time or key, each with whether it was re-driven already; and the
// redrive, which re-puts a record onto the stream with its own partition key (and explicit hash key
// when it had one) and then records it with a marker object, so a second run skips it.
import { PutRecordCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { parseQuarantinedRecord, QUARANTINE_PREFIX, QUARANTINE_REASON_CODES, redriveMarkerKey, REDRIVE_MARKER_PREFIX, type QuarantinedRecord } from "../../contracts/quarantine";
import { listKeys } from "../local/readback";
import { compareSequence } from "../local/reader";

/** Which quarantined records a command applies to; every given criterion must hold. */
export interface QuarantineFilter {
    /** A reason code (exact) or text found in the reason (any case). */
    reason?: string;
    /** Quarantined at or after this instant (epoch ms). */
    sinceMs?: number;
    /** Object keys, `quarantine/` optional: `<shard>/<sequence>-<subsequence>.json`. */
    ids?: string[];
}

export interface QuarantineEntry {
    key: string;
    record: QuarantinedRecord;
    /** A redrive marker exists: the record was re-put already. */
    redriven: boolean;
}

/** An object under the prefix that is not a quarantined record: listed as a problem, never re-driven. */
export interface UnreadableEntry {
    key: string;
    problem: string;
}

/** `--id` as a full key: the `quarantine/` prefix and the `.json` suffix may be left out. */
export function normalizeId(id: string): string {
    const withPrefix = id.startsWith(QUARANTINE_PREFIX) ? id : QUARANTINE_PREFIX + id;
    return withPrefix.endsWith(".json") ? withPrefix : `${withPrefix}.json`;
}

export function matches(entry: QuarantineEntry, f: QuarantineFilter): boolean {
    const r = entry.record;
    if (f.ids && f.ids.length > 0 && !f.ids.map(normalizeId).includes(entry.key)) return false;
    if (f.sinceMs !== undefined && !(Date.parse(r.quarantinedAt) >= f.sinceMs)) return false;
    if (f.reason !== undefined) {
        const isCode = (QUARANTINE_REASON_CODES as readonly string[]).includes(f.reason);
        if (isCode ? r.reasonCode !== f.reason : !r.reason.toLowerCase().includes(f.reason.toLowerCase())) return false;
    }
    return true;
}

/** Stream order: shard, then sequence number (numerically), then position in the aggregate. */
function byStreamOrder(a: QuarantineEntry, b: QuarantineEntry): number {
    const x = a.record;
    const y = b.record;
    if (x.shardId !== y.shardId) return x.shardId < y.shardId ? -1 : 1;
    return compareSequence(x.sequenceNumber, y.sequenceNumber) || (x.subSequenceNumber ?? 0) - (y.subSequenceNumber ?? 0);
}

/** What a payload starts with, for a person: UTF-8 text, or hex when it is binary. */
export function payloadPreview(base64: string, max = 80): string {
    const bytes = Buffer.from(base64, "base64");
    const text = bytes.toString("utf8");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what marks a payload as binary.
    const printable = !text.includes("\uFFFD") && !/[\u0000-\u0008\u000E-\u001F]/.test(text);
    if (printable) return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
    return `0x${bytes.subarray(0, 24).toString("hex")}${bytes.length > 24 ? "…" : ""} (${bytes.length} bytes, binary)`;
}

/** Every quarantined record of the bucket in stream order, and the objects under the prefix that are not records. */
export async function readQuarantine(s3: S3Client, bucket: string): Promise<{ entries: QuarantineEntry[]; unreadable: UnreadableEntry[] }> {
    const keys = await listKeys(s3, bucket, QUARANTINE_PREFIX);
    const markers = new Set(keys.filter((k) => k.startsWith(REDRIVE_MARKER_PREFIX)));
    const entries: QuarantineEntry[] = [];
    const unreadable: UnreadableEntry[] = [];
    for (const key of keys.filter((k) => !k.startsWith(REDRIVE_MARKER_PREFIX))) {
        const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const body = await out.Body!.transformToString("utf8");
        try {
            entries.push({ key, record: parseQuarantinedRecord(body, key), redriven: markers.has(redriveMarkerKey(key)) });
        } catch (e) {
            unreadable.push({ key, problem: (e as Error).message });
        }
    }
    return { entries: entries.sort(byStreamOrder), unreadable };
}

/** The outcome of re-driving one record. */
export type RedriveOutcome =
    | { key: string; status: "redriven"; shardId: string; sequenceNumber: string }
    | { key: string; status: "skipped"; why: string }
    | { key: string; status: "failed"; why: string };

/**
 * Re-puts each entry not re-driven yet, in stream order, then writes its marker. A put that fails
 * leaves no marker (the next run tries again); a marker that cannot be written after a put is a
 * failure too (the next run would put the record a second time, which the consumer's idempotent
 * writes absorb).
 */
export async function redrive(
    entries: readonly QuarantineEntry[],
    deps: { s3: S3Client; bucket: string; kinesis: KinesisClient; streamName: string; now?: () => number },
): Promise<RedriveOutcome[]> {
    const now = deps.now ?? Date.now;
    const outcomes: RedriveOutcome[] = [];
    for (const e of entries) {
        if (e.redriven) {
            outcomes.push({ key: e.key, status: "skipped", why: "re-driven already (its marker exists)" });
            continue;
        }
        const r = e.record;
        let put: { ShardId?: string; SequenceNumber?: string };
        try {
            put = await deps.kinesis.send(
                new PutRecordCommand({
                    StreamName: deps.streamName,
                    Data: Buffer.from(r.payload, "base64"),
                    PartitionKey: r.partitionKey,
                    ...(r.explicitHashKey !== undefined ? { ExplicitHashKey: r.explicitHashKey } : {}),
                }),
            );
        } catch (err) {
            outcomes.push({ key: e.key, status: "failed", why: `PutRecord to ${deps.streamName} failed: ${(err as Error).name}: ${(err as Error).message}` });
            continue;
        }
        const marker = { redrivenAt: new Date(now()).toISOString(), streamName: deps.streamName, shardId: put.ShardId, sequenceNumber: put.SequenceNumber, from: e.key };
        try {
            await deps.s3.send(new PutObjectCommand({ Bucket: deps.bucket, Key: redriveMarkerKey(e.key), Body: JSON.stringify(marker), ContentType: "application/json" }));
        } catch (err) {
            outcomes.push({
                key: e.key,
                status: "failed",
                why: `re-put as ${put.SequenceNumber}, but its marker could not be written (${(err as Error).message}): a second run would put it again`,
            });
            continue;
        }
        outcomes.push({ key: e.key, status: "redriven", shardId: put.ShardId ?? "?", sequenceNumber: put.SequenceNumber ?? "?" });
    }
    return outcomes;
}
