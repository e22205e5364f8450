// A local Firehose delivery stream (AWS has no local Firehose): it reads the Kinesis stream like the
// deployed one (infra/components/firehose-archive.ts) and applies the same configuration:
//
// - KPL aggregates are de-aggregated (Firehose does that for a Kinesis source, before the transform).
// - The transformation Lambda's logic (functions/firehose-transform, the function the stack deploys)
//   on each user record: Ok records are delivered as the transform returned them, under the prefix
//   rendered with the partition keys it returned (`!{partitionKeyFromLambda:...}`); Dropped records
//   leave no trace; ProcessingFailed records go to the error prefix as Firehose's error document
//   (errorCode Lambda.ProcessingFailedStatus, rawData the input in base64, under processing-failed).
//   Firehose batches records per invocation (0.25 MiB): locally the transform runs per record, so the
//   function's guard of Lambda's 6 MB response (tested with the handler) never applies here.
// - The newline delimiter (AppendDelimiterToRecord), GZIP, and object keys
//   `<prefix><delivery stream>-1-<yyyy-MM-dd-HH-mm-ss>-<random>.gz` under ARCHIVE_PREFIX /
//   ARCHIVE_ERROR_PREFIX with their `!{...}` expressions rendered.
// - Buffering per partition: a buffer is delivered when its data reaches the buffer size or when
//   its oldest record has waited the buffer interval; drain() delivers what is left (the deployed
//   stream would deliver it at the end of the interval).
import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import { transformUserRecord, type PartitionKeys, type Transformed, type UserRecord } from "../../functions/firehose-transform/transform";
import { userRecordsOf } from "../../functions/shared/deaggregate";
import { physicalName } from "../../infra/lib/naming";
import { listShardIds, ShardReader, type StreamRecord } from "./reader";
import type { LocalSettings } from "./settings";

/** `!{firehose:error-output-type}` of records the transform returned ProcessingFailed. */
export const PROCESSING_FAILED_OUTPUT_TYPE = "processing-failed";
export const PROCESSING_FAILED_ERROR_CODE = "Lambda.ProcessingFailedStatus";
/** AppendDelimiterToRecord with "\\n". */
const DELIMITER = Buffer.from("\n");
/** Delivery attempts of one object before its records are counted as not delivered. */
const PUT_ATTEMPTS = 5;

// ---------------------------------------------------------------- prefixes

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** Java DateTimeFormatter letters Firehose prefixes use (yyyy MM dd HH mm ss), in UTC. */
export function formatTimestamp(format: string, ms: number): string {
    const d = new Date(ms);
    return format.replace(/yyyy|MM|dd|HH|mm|ss/g, (t) => {
        switch (t) {
            case "yyyy":
                return String(d.getUTCFullYear());
            case "MM":
                return pad(d.getUTCMonth() + 1);
            case "dd":
                return pad(d.getUTCDate());
            case "HH":
                return pad(d.getUTCHours());
            case "mm":
                return pad(d.getUTCMinutes());
            default:
                return pad(d.getUTCSeconds());
        }
    });
}

/** Renders a Firehose S3 prefix's `!{namespace:value}` expressions; throws on one it does not know. */
export function renderPrefix(template: string, ctx: { keys?: Record<string, string>; arrivalMs: number; errorOutputType?: string }): string {
    return template.replace(/!\{([\w-]+):([^}]*)\}/g, (_, ns: string, value: string) => {
        if (ns === "partitionKeyFromLambda") {
            const v = ctx.keys?.[value];
            if (v === undefined) throw new Error(`prefix needs partition key ${value}, which the transform did not return`);
            return v;
        }
        if (ns === "timestamp") return formatTimestamp(value, ctx.arrivalMs);
        if (ns === "firehose" && value === "error-output-type") {
            if (ctx.errorOutputType === undefined) throw new Error("!{firehose:error-output-type} is only valid in the error output prefix");
            return ctx.errorOutputType;
        }
        if (ns === "firehose" && value === "random-string") return randomUUID().replace(/-/g, "").slice(0, 11);
        throw new Error(`Unsupported prefix expression !{${ns}:${value}}`);
    });
}

// ---------------------------------------------------------------- the transform

/** The stack's transformation Lambda for a local Firehose: its logic, with the stack's IoT topic filter, and its ARN. */
export function stackTransform(s: LocalSettings): Pick<LocalFirehoseOptions, "transform" | "lambdaArn"> {
    const iotTopicFilter = s.settings.producers.iotTopicFilter;
    return {
        transform: (record) => transformUserRecord(record, { iotTopicFilter }),
        lambdaArn: `arn:aws:lambda:${s.region}:${s.accountId}:function:${physicalName(s.settings, "firehose-transform")}:$LATEST`,
    };
}

// ---------------------------------------------------------------- delivery

/** One user record as Firehose receives it (and passes it to the transform). */
export type FirehoseRecord = UserRecord;

export interface DeliveredObject {
    key: string;
    records: number;
    /** Uncompressed bytes (records and delimiters). */
    bytes: number;
    compressedBytes: number;
    error: boolean;
}

export interface LocalFirehoseOptions {
    s3: Pick<S3Client, "send">;
    bucket: string;
    deliveryStreamName: string;
    bufferSizeBytes: number;
    bufferIntervalMs: number;
    prefix: string;
    errorOutputPrefix: string;
    /** The transformation Lambda's logic on one user record. */
    transform: (record: FirehoseRecord) => Transformed;
    /** Named in the error documents of records the transform failed. */
    lambdaArn: string;
    /** Epoch ms. @default Date.now */
    now?: () => number;
    onDelivered?: (object: DeliveredObject) => void;
    /** How often buffers are checked against the interval (at most this late). @default 250 */
    tickMs?: number;
}

interface Buffer_ {
    prefix: string;
    error: boolean;
    lines: Buffer[];
    bytes: number;
    openedAt: number;
    firstArrivalMs: number;
}

export interface FirehoseStats {
    recordsIn: number;
    /** Records the transform dropped (CloudWatch Logs control messages). */
    dropped: number;
    recordsDelivered: number;
    errorRecords: number;
    objects: number;
    bytesIn: number;
    bytesDelivered: number;
    /** Records buffered, not yet delivered. */
    buffered: number;
    /** Records whose object could not be written after retries. */
    deliveryFailures: number;
}

export class LocalFirehose {
    private readonly now: () => number;
    private readonly buffers = new Map<string, Buffer_>();
    private readonly deliveries = new Set<Promise<void>>();
    private timer: NodeJS.Timeout | undefined;
    readonly stats: FirehoseStats = { recordsIn: 0, dropped: 0, recordsDelivered: 0, errorRecords: 0, objects: 0, bytesIn: 0, bytesDelivered: 0, buffered: 0, deliveryFailures: 0 };

    constructor(private readonly o: LocalFirehoseOptions) {
        this.now = o.now ?? Date.now;
        // Fail now on an expression the prefixes use and this stand-in does not render, or a key the transform does not return.
        renderPrefix(o.prefix, { keys: { event_type: "t", event_date: "d" } satisfies PartitionKeys, arrivalMs: 0 });
        renderPrefix(o.errorOutputPrefix, { arrivalMs: 0, errorOutputType: PROCESSING_FAILED_OUTPUT_TYPE });
        if (!Number.isFinite(o.bufferSizeBytes) || o.bufferSizeBytes <= 0) throw new TypeError(`bufferSizeBytes must be positive (got ${o.bufferSizeBytes})`);
    }

    /** Starts the interval check (tick) on a timer. */
    start(): void {
        const every = this.o.tickMs ?? 250;
        this.timer = setInterval(() => this.tick(), every);
        this.timer.unref();
    }

    /** Transforms one record and buffers it under its partition; a buffer that reaches the size is delivered. */
    put(record: FirehoseRecord): void {
        this.stats.recordsIn++;
        const routed = this.route(record);
        if (routed === undefined) {
            this.stats.dropped++;
            return;
        }
        this.stats.buffered++;
        if (routed.error) this.stats.errorRecords++;
        const key = `${routed.error ? "error" : "ok"}\u0000${routed.prefix}`;
        let buffer = this.buffers.get(key);
        if (!buffer) {
            buffer = { prefix: routed.prefix, error: routed.error, lines: [], bytes: 0, openedAt: this.now(), firstArrivalMs: record.arrivalMs };
            this.buffers.set(key, buffer);
        }
        const line = Buffer.concat([routed.line, DELIMITER]);
        buffer.lines.push(line);
        buffer.bytes += line.length;
        this.stats.bytesIn += line.length;
        if (buffer.bytes >= this.o.bufferSizeBytes) this.deliver(key);
    }

    /** Where a record goes: its partition's prefix, the error prefix as Firehose's error document, or nowhere (dropped). */
    private route(record: FirehoseRecord): { prefix: string; line: Buffer; error: boolean } | undefined {
        const t = this.o.transform(record);
        if (t.result === "Dropped") return undefined;
        if (t.result === "Ok") return { prefix: renderPrefix(this.o.prefix, { keys: { ...t.partitionKeys }, arrivalMs: record.arrivalMs }), line: t.data, error: false };
        const document = {
            attemptsMade: 1,
            arrivalTimestamp: record.arrivalMs,
            errorCode: PROCESSING_FAILED_ERROR_CODE,
            errorMessage: "ProcessingFailed status set for record",
            attemptEndingTimestamp: this.now(),
            rawData: record.data.toString("base64"),
            lambdaArn: this.o.lambdaArn,
        };
        return {
            prefix: renderPrefix(this.o.errorOutputPrefix, { arrivalMs: record.arrivalMs, errorOutputType: PROCESSING_FAILED_OUTPUT_TYPE }),
            line: Buffer.from(JSON.stringify(document)),
            error: true,
        };
    }

    /** Delivers every buffer whose oldest record has waited the buffer interval. */
    tick(): void {
        const t = this.now();
        for (const [key, b] of this.buffers) if (t - b.openedAt >= this.o.bufferIntervalMs) this.deliver(key);
    }

    /** Delivers every buffer now and waits for all deliveries. */
    async flush(): Promise<void> {
        for (const key of [...this.buffers.keys()]) this.deliver(key);
        await this.settled();
    }

    /** Waits for the deliveries under way (buffers stay as they are). */
    async settled(): Promise<void> {
        while (this.deliveries.size > 0) await Promise.all([...this.deliveries]);
    }

    async stop(): Promise<void> {
        if (this.timer) clearInterval(this.timer);
        await this.flush();
    }

    private deliver(key: string): void {
        const b = this.buffers.get(key);
        if (!b) return;
        this.buffers.delete(key);
        const p = this.write(b).finally(() => this.deliveries.delete(p));
        this.deliveries.add(p);
    }

    private async write(b: Buffer_): Promise<void> {
        const body = gzipSync(Buffer.concat(b.lines));
        const objectKey = `${b.prefix}${this.o.deliveryStreamName}-1-${formatTimestamp("yyyy-MM-dd-HH-mm-ss", b.firstArrivalMs)}-${randomUUID()}.gz`;
        for (let attempt = 1; ; attempt++) {
            try {
                await this.o.s3.send(new PutObjectCommand({ Bucket: this.o.bucket, Key: objectKey, Body: body, ContentType: "application/octet-stream" }));
                break;
            } catch {
                if (attempt >= PUT_ATTEMPTS) {
                    this.stats.buffered -= b.lines.length;
                    this.stats.deliveryFailures += b.lines.length;
                    return;
                }
                await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
            }
        }
        this.stats.buffered -= b.lines.length;
        this.stats.recordsDelivered += b.lines.length;
        this.stats.objects++;
        this.stats.bytesDelivered += body.length;
        this.o.onDelivered?.({ key: objectKey, records: b.lines.length, bytes: b.bytes, compressedBytes: body.length, error: b.error });
    }
}

// ---------------------------------------------------------------- the Kinesis source

/** The user records of a Kinesis record: de-aggregated when it is a KPL aggregate; as is otherwise (or when the aggregate is broken). */
export function userRecordsFor(r: StreamRecord): FirehoseRecord[] {
    const data = Buffer.from(r.data);
    try {
        return userRecordsOf({ data: data.toString("base64"), partitionKey: r.partitionKey }).map((u) => ({ data: u.data, partitionKey: u.partitionKey, arrivalMs: r.arrivalMs }));
    } catch {
        return [{ data, partitionKey: r.partitionKey, arrivalMs: r.arrivalMs }];
    }
}

/** Reads every shard of the stream into the Firehose, like a delivery stream with a Kinesis source. */
export class KinesisSource {
    private readers: ShardReader[] = [];
    private runs: Promise<void>[] = [];
    private draining = false;
    private stopped = false;
    recordsRead = 0;

    constructor(
        private readonly client: KinesisClient,
        private readonly streamName: string,
        private readonly firehose: LocalFirehose,
        /** Firehose reads each shard about once a second. */
        private readonly pollIntervalMs = 1_000,
    ) {}

    async start(): Promise<void> {
        for (const id of await listShardIds(this.client, this.streamName)) {
            const reader = new ShardReader(this.client, this.streamName, id);
            await reader.open({ type: "TRIM_HORIZON" });
            this.readers.push(reader);
        }
        this.runs = this.readers.map((r) => this.run(r));
    }

    private async run(reader: ShardReader): Promise<void> {
        while (!this.stopped) {
            const draining = this.draining;
            let records: StreamRecord[] = [];
            try {
                records = await reader.read();
            } catch {
                // retried at the next poll
            }
            this.recordsRead += records.length;
            for (const r of records) for (const user of userRecordsFor(r)) this.firehose.put(user);
            if (reader.ended || (draining && records.length === 0)) return;
            if (records.length === 0) await new Promise((res) => setTimeout(res, this.pollIntervalMs));
        }
    }

    /** Reads every shard to its end, then delivers every buffer. */
    async drain(): Promise<void> {
        this.draining = true;
        await Promise.all(this.runs);
        await this.firehose.flush();
    }

    async stop(): Promise<void> {
        this.stopped = true;
        await Promise.all(this.runs);
    }
}
