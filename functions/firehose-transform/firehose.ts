import type { FirehoseTransformationEvent, FirehoseTransformationResult, FirehoseTransformationResultRecord } from "aws-lambda";
import * as z from "zod/mini";
import "../shared/zod-locale";
import { transformUserRecord, type Feed, type TransformOptions } from "./transform";

/**
 * Firehose's transformation contract around transformUserRecord: one output record per input
 * `recordId`, in order, with `result` Ok / Dropped / ProcessingFailed, `data` base64, and the
 * partition keys for dynamic partitioning in `metadata.partitionKeys` (the S3 prefix reads them
 * as `!{partitionKeyFromLambda:...}`). With a Kinesis source Firehose de-aggregates KPL records
 * before invoking the function, so each input record is one user record.
 */

/** A Firehose invocation, checked at the edge: each record must at least say which record it is. */
const FirehoseEvent = z.object({
    invocationId: z.string(),
    deliveryStreamArn: z.string(),
    records: z.array(
        z.object({
            recordId: z.string().check(z.minLength(1)),
            approximateArrivalTimestamp: z.number(),
            data: z.string(),
            kinesisRecordMetadata: z.nullish(z.partial(z.object({ partitionKey: z.string() }))),
        }),
    ),
});

/** The event, or an Error naming the first field that is wrong. */
export function parseFirehoseEvent(event: unknown): FirehoseTransformationEvent {
    const parsed = FirehoseEvent.safeParse(event);
    if (parsed.success) return event as FirehoseTransformationEvent;
    const issue = parsed.error.issues[0]!;
    throw new TypeError(
        `not a Firehose transformation event: ${issue.path.join(".") || "(event)"}: ${issue.message} (expected {invocationId, deliveryStreamArn, records: [{recordId, approximateArrivalTimestamp, data (base64)}]})`,
    );
}

/**
 * Lambda's synchronous response limit is 6 MB; a response over it fails the whole invocation (and
 * every record in it). Output that would cross this budget (kept under the limit for the JSON
 * around the records) is returned ProcessingFailed instead, so only those records go to the error
 * prefix, raw, and the rest are delivered.
 */
export const RESPONSE_BUDGET_BYTES = 6_000_000;

export interface Failure {
    recordId: string;
    reason: string;
}

export interface TransformSummary {
    response: FirehoseTransformationResult;
    ok: number;
    dropped: number;
    failed: Failure[];
    /** Events written (a Logs record carries many; a raw IoT message counts none). */
    events: number;
    byFeed: Partial<Record<Feed, number>>;
}

// The JSON around one output record: {"recordId":"…","result":"ProcessingFailed","data":"…","metadata":{"partitionKeys":{…}}},
const RECORD_OVERHEAD_BYTES = 200;

export function transformEvent(event: FirehoseTransformationEvent, options: TransformOptions = {}): TransformSummary {
    const summary: TransformSummary = { response: { records: [] }, ok: 0, dropped: 0, failed: [], events: 0, byFeed: {} };
    // The response's size if every record came back as it went in (a failed record does): each Ok
    // output then adds what it grew by, so the budget holds whatever the later records turn out to be.
    let bytes = event.records.reduce((n, r) => n + r.data.length + r.recordId.length + RECORD_OVERHEAD_BYTES, 20);
    for (const r of event.records) {
        const t = transformUserRecord(
            { data: Buffer.from(r.data, "base64"), arrivalMs: r.approximateArrivalTimestamp, partitionKey: r.kinesisRecordMetadata?.partitionKey },
            options,
        );
        let out: FirehoseTransformationResultRecord;
        if (t.result === "Ok") {
            const data = t.data.toString("base64");
            const growth = data.length - r.data.length;
            if (bytes + growth > RESPONSE_BUDGET_BYTES) {
                out = { recordId: r.recordId, result: "ProcessingFailed", data: r.data };
                summary.failed.push({ recordId: r.recordId, reason: `its output (${t.data.length} bytes) would take the response past Lambda's 6 MB limit` });
            } else {
                bytes += growth;
                out = { recordId: r.recordId, result: "Ok", data, metadata: { partitionKeys: { ...t.partitionKeys } } };
                summary.ok++;
                summary.events += t.events;
                summary.byFeed[t.feed] = (summary.byFeed[t.feed] ?? 0) + 1;
            }
        } else if (t.result === "Dropped") {
            bytes -= r.data.length;
            out = { recordId: r.recordId, result: "Dropped", data: "" };
            summary.dropped++;
            summary.byFeed[t.feed] = (summary.byFeed[t.feed] ?? 0) + 1;
        } else {
            // Firehose writes the input under the error prefix (rawData): the record goes back unchanged.
            out = { recordId: r.recordId, result: "ProcessingFailed", data: r.data };
            summary.failed.push({ recordId: r.recordId, reason: t.reason });
        }
        summary.response.records.push(out);
    }
    return summary;
}
