// The local pipeline: the data plane on emulators, the traffic through the real producer client, the
// real consumer handler driven by the local event source mapping, the local Firehose into s3rver, and
// the alerts topic stand-in; then the sinks are read back and reconciled with what was produced.
import { BatchWriteCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createDocumentClient, createHandler, type ConsumerLogger, type ConsumerMetrics } from "../../functions/consumer/handler";
import { KinesisProducer } from "../../functions/shared/producer";
import { ARCHIVE_ERROR_PREFIX, ARCHIVE_PREFIX } from "../../infra/components/firehose-archive";
import { createLocalResources, KINESALITE_MAX_RETENTION_HOURS, startEmulators, type Emulators } from "./emulators";
import { LocalFailureQueue, type OnFailureMessage } from "./failure-store";
import { KinesisSource, LocalFirehose, PROCESSING_FAILED_OUTPUT_TYPE, stackTransform } from "./firehose";
import { EventSourceMapping, type EsmListener } from "./poller";
import { Progress } from "./progress";
import { readQuarantine } from "../lib/quarantine-store";
import { readArchive, replayFailures, scanEvents } from "./readback";
import type { StreamRecord } from "./reader";
import { reconcile, type Report } from "./report";
import type { EsmSettings, LocalSettings } from "./settings";
import { LocalSns } from "./sns";
import { Ledger, runTraffic, TrafficGenerator } from "./traffic";

export interface PipelineOptions {
    settings: LocalSettings;
    /** Records per second. */
    rate: number;
    /** Stop producing after this many records. */
    records?: number;
    /** Stop producing after this long. Neither records nor duration: until `stop` aborts. */
    durationMs?: number;
    /** Share of records written malformed, 0..1. */
    malformedShare: number;
    seed: number;
    /** Where progress, alerts and notes go; nothing is printed without it. */
    out?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
    /** Live progress line (default: out is a terminal). */
    live?: boolean;
    /** Aborted: stop producing, drain what was sent, report. */
    stop?: AbortSignal;
    /** Aborted: stop draining too (records in flight are then reported as lost). */
    abort?: AbortSignal;
    /** Idle poll interval of the mapping and the Firehose source. @default 1000 (Lambda's base rate) */
    pollIntervalMs?: number;
    /** Overrides of the stack's event source mapping settings (tests). */
    esm?: Partial<EsmSettings>;
}

/** What each AWS part of the run is, locally. */
export function emulationNotes(s: LocalSettings, emulators: Pick<Emulators, "kinesis" | "dynamodb" | "s3">, notes: string[]): string[] {
    const e = s.esm;
    const a = s.archive;
    const { kinesis, dynamodb, s3 } = emulators;
    return [
        `Local run of stack "${s.stack}" on emulators: no AWS account, nothing leaves this machine.`,
        `  Kinesis Data Streams  ${kinesis.name}, in-process at ${kinesis.endpoint}: stream ${s.names.stream}, ${s.stream.shards} shards, ${Math.min(s.stream.retentionHours, KINESALITE_MAX_RETENTION_HOURS)} h retention`,
        `  DynamoDB              ${dynamodb.name}, in-process at ${dynamodb.endpoint}: table ${s.names.table} (keys and index of functions/shared/results-table.ts)`,
        `  S3                    ${s3.name}, in-process at ${s3.endpoint}: bucket ${s.names.bucket}, files in ${s3.directory} (removed at exit)`,
        `  Producer              the real producer client (functions/shared/producer): KPL aggregation per shard, PutRecords, retries`,
        `  Lambda consumer       the real handler (functions/consumer) invoked in-process by a local event source mapping (Lambda has no local emulator): ` +
            `one poller per shard, batch size ${e.batchSize}, batching window ${e.batchingWindowSeconds} s, parallelization ${e.parallelizationFactor}, ` +
            `bisect on error, ReportBatchItemFailures, ${e.maxRetryAttempts} retries, max record age ${e.maxRecordAgeSeconds} s, timeout ${e.functionTimeoutSeconds} s` +
            (e.filterEventTypes.length > 0 ? `, filter event_type ${e.filterEventTypes.join("|")}` : ""),
        `  On-failure SQS queue  in memory: Lambda's on-failure messages (batch metadata; the records stay in the stream)`,
        `  Firehose              a local delivery loop (no Firehose emulator exists): buffer ${a.bufferSizeBytes / 1024 / 1024} MiB / ${a.bufferIntervalMs / 1000} s per partition, ` +
            `KPL de-aggregation, the transformation Lambda's logic (functions/firehose-transform) per record, newline delimiter, GZIP, prefix ${ARCHIVE_PREFIX}, error prefix ${ARCHIVE_ERROR_PREFIX.replace("!{firehose:error-output-type}", PROCESSING_FAILED_OUTPUT_TYPE)}; ` +
            `buffers still open at the end are delivered then`,
        `  SNS alerts topic      a local stand-in: each alert is printed here as the consumer publishes it`,
        ...notes.map((n) => `  Note: ${n}`),
        `  Not run locally: KMS, IAM, CloudWatch metrics, alarms and dashboard, API Gateway (ingest: npm run invoke -- ingest <event.json>)`,
    ];
}

/** Records the write time of every event item the consumer writes (latency: producer send → stored). */
function timingDocClient(doc: DynamoDBDocumentClient, storedAt: Map<string, number>): Pick<DynamoDBDocumentClient, "send"> {
    const note = (item: Record<string, unknown> | undefined, at: number) => {
        if (!item || typeof item.sk !== "string" || !/^\d/.test(item.sk) || typeof item.event_id !== "string") return;
        if (!storedAt.has(item.event_id)) storedAt.set(item.event_id, at);
    };
    const send = async (command: unknown) => {
        const out = await doc.send(command as Parameters<DynamoDBDocumentClient["send"]>[0]);
        const at = Date.now();
        if (command instanceof BatchWriteCommand) {
            const unprocessed = new Set<unknown>();
            for (const reqs of Object.values((out as { UnprocessedItems?: Record<string, { PutRequest?: { Item?: Record<string, unknown> } }[]> }).UnprocessedItems ?? {})) {
                for (const r of reqs) unprocessed.add(`${String(r.PutRequest?.Item?.pk)}\u0000${String(r.PutRequest?.Item?.sk)}`);
            }
            for (const reqs of Object.values(command.input.RequestItems ?? {})) {
                for (const r of reqs) {
                    const item = r.PutRequest?.Item as Record<string, unknown> | undefined;
                    if (item && !unprocessed.has(`${String(item.pk)}\u0000${String(item.sk)}`)) note(item, at);
                }
            }
        } else if (command instanceof PutCommand) {
            note(command.input.Item as Record<string, unknown> | undefined, at);
        }
        return out;
    };
    return { send: send as unknown as DynamoDBDocumentClient["send"] };
}

/** The consumer's log, kept for the report: the reason each failed Kinesis record was given. */
class ReasonLog implements ConsumerLogger {
    readonly reasons = new Map<string, string>();
    warnings = 0;
    errors = 0;
    info(): void {}
    warn(_message: string, ...extra: Record<string, unknown>[]): void {
        this.warnings++;
        this.note(extra);
    }
    error(_message: string, ...extra: Record<string, unknown>[]): void {
        this.errors++;
        this.note(extra);
    }
    private note(extra: Record<string, unknown>[]): void {
        const x = Object.assign({}, ...extra) as { shardId?: string; sequenceNumber?: string; sequenceNumbers?: string[]; reason?: string };
        if (typeof x.reason !== "string" || typeof x.shardId !== "string") return;
        if (typeof x.sequenceNumber === "string") this.reasons.set(`${x.shardId}:${x.sequenceNumber}`, x.reason);
    }
}

/** The consumer's metrics, summed over the run (what it would publish to CloudWatch). */
class MetricTotals implements ConsumerMetrics {
    readonly totals: Record<string, number> = {};
    addMetric(name: string, _unit: "Count", value: number): void {
        this.totals[name] = (this.totals[name] ?? 0) + value;
    }
    publishStoredMetrics(): void {}
}

const elapsed = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

export async function runPipeline(o: PipelineOptions): Promise<Report> {
    const s = o.settings;
    const esmSettings: EsmSettings = { ...s.esm, ...o.esm };
    const print = (line: string) => o.out?.write(`${line}\n`);
    const emulators = await startEmulators();
    // Whatever was started is stopped, even when the run fails half-way.
    const running: { stop(): Promise<unknown> }[] = [];
    let progressStop: (() => void) | undefined;
    try {
        const resources = await createLocalResources(emulators, s);
        emulationNotes({ ...s, esm: esmSettings }, emulators, resources.notes).forEach(print);

        const ledger = new Ledger();
        const storedAt = new Map<string, number>();
        const filtered = new Set<string>();
        let consumed = 0;
        let failedEvents = 0;
        let poisonDiscards = 0;
        let progress: Progress | undefined;
        const say = (line: string) => (progress ? progress.log(line) : print(line));
        const eventsIn = (records: readonly StreamRecord[]) => records.reduce((n, r) => n + Math.max(1, ledger.idsAt(r.shardId, r.sequenceNumber).length), 0);

        // The consumer: the real handler on the emulated table and the SNS stand-in.
        const sns = new LocalSns({ topicArn: s.consumer.alertsTopicArn, print: o.out ? say : undefined });
        const log = new ReasonLog();
        const metrics = new MetricTotals();
        const dynamodb = emulators.dynamodb.client();
        const { memoryMb, ...consumerConfig } = s.consumer;
        const handler = createHandler({
            config: consumerConfig,
            doc: timingDocClient(createDocumentClient(dynamodb), storedAt),
            sns: sns.asClient(),
            s3: emulators.s3.client(),
            logger: log,
            metrics,
        });

        const failures = new LocalFailureQueue();
        const listener: EsmListener = {
            onDone: (records) => {
                consumed += eventsIn(records);
            },
            onFiltered: (records) => {
                for (const r of records) filtered.add(`${r.shardId}:${r.sequenceNumber}`);
            },
            onOutcome: (_shard, records, outcome) => {
                // A batch-level failure: the reason of each record unless the consumer logged its own.
                if (outcome.kind !== "error") return;
                for (const r of records) {
                    const key = `${r.shardId}:${r.sequenceNumber}`;
                    if (!log.reasons.has(key)) log.reasons.set(key, outcome.error);
                }
            },
            onDiscard: (m: OnFailureMessage, records) => {
                // Records after a failed one are discarded with it, though a retry may have stored them.
                for (const r of records) {
                    const ids = ledger.idsAt(r.shardId, r.sequenceNumber);
                    failedEvents += ids.length === 0 ? 1 : ids.filter((id) => !storedAt.has(id)).length;
                }
                // A batch whose only unstored records are the poison the traffic sends on purpose is summed up
                // in one line at the end, not shown batch by batch (its other records were stored by a retry).
                const ids = records.flatMap((r) => ledger.idsAt(r.shardId, r.sequenceNumber));
                if (
                    records.every((r) => ledger.idsAt(r.shardId, r.sequenceNumber).length > 0) &&
                    ids.every((id) => storedAt.has(id) || ledger.entries.get(id)?.kind === "malformed")
                ) {
                    poisonDiscards++;
                    return;
                }
                const b = m.KinesisBatchInfo;
                say(
                    `ON-FAILURE ${m.requestContext.condition} after ${m.requestContext.approximateInvokeCount} invocation(s): ${b.shardId} ${b.startSequenceNumber}${b.batchSize > 1 ? `..${b.endSequenceNumber}` : ""} (${b.batchSize} record${b.batchSize > 1 ? "s" : ""})`,
                );
            },
        };
        const esm = new EventSourceMapping({
            client: emulators.kinesis.client(),
            streamName: s.names.stream,
            streamArn: s.arns.stream,
            functionName: s.names.consumerFunction,
            functionArn: s.arns.consumerFunction,
            region: s.region,
            memoryMb,
            handler,
            settings: esmSettings,
            onFailure: failures,
            listener,
            pollIntervalMs: o.pollIntervalMs ?? 1_000,
        });

        // The archive: the local Firehose reading the stream into s3rver.
        const s3 = emulators.s3.client();
        const firehose = new LocalFirehose({
            s3,
            bucket: s.names.bucket,
            deliveryStreamName: s.names.deliveryStream,
            bufferSizeBytes: s.archive.bufferSizeBytes,
            bufferIntervalMs: s.archive.bufferIntervalMs,
            prefix: ARCHIVE_PREFIX,
            errorOutputPrefix: ARCHIVE_ERROR_PREFIX,
            ...stackTransform(s),
        });
        const source = new KinesisSource(emulators.kinesis.client(), s.names.stream, firehose, o.pollIntervalMs ?? 1_000);
        running.push(esm, source, firehose);
        firehose.start();
        await source.start();
        await esm.start();

        // The traffic, through the real producer client (the producer owns the retries).
        const producer = new KinesisProducer({ client: emulators.kinesis.client({ maxAttempts: 1 }), streamName: s.names.stream });
        running.push({ stop: () => producer.close() });
        const generator = new TrafficGenerator({
            seed: o.seed,
            malformedShare: o.malformedShare,
            fraud: { amountThreshold: s.consumer.fraudAmountThreshold, ordersPerMinute: s.consumer.fraudOrdersPerMinute },
        });
        const bound = o.records !== undefined ? `${o.records} records` : o.durationMs !== undefined ? `${o.durationMs / 1000} s` : "until Ctrl-C";
        print(
            `Traffic: ${o.rate} records/s, ${bound}: user actions, orders (3% at or above ${s.consumer.fraudAmountThreshold}, 2% in bursts of ${s.consumer.fraudOrdersPerMinute + 1} in a minute), ` +
                `sensor readings, log lines, change events; ${(o.malformedShare * 100).toFixed(1)}% malformed, written raw with PutRecord. Ctrl-C stops, drains and reports.`,
        );

        const startedAt = Date.now();
        const render = () => {
            const st = esm.stats();
            const sent = ledger.sentCount;
            const age = st.oldestPendingArrivalMs === undefined ? 0 : Math.max(0, Date.now() - st.oldestPendingArrivalMs);
            return (
                `[${elapsed(startedAt)}] produced ${ledger.size} · consumed ${consumed} · stored ${storedAt.size} · archived ${firehose.stats.recordsDelivered}` +
                ` (${firehose.stats.buffered} buffered) · alerts ${sns.count} · failures ${failedEvents} · lag ${Math.max(0, sent - consumed)} events, ${(age / 1000).toFixed(1)} s`
            );
        };
        if (o.out) {
            progress = new Progress({ out: o.out, render, ...(o.live !== undefined ? { live: o.live } : {}) });
            progress.start();
            progressStop = () => progress?.stop();
        }

        let interrupted = false;
        const stopTraffic = new AbortController();
        const onStop = () => {
            interrupted = true;
            stopTraffic.abort();
            say("Stopping: no more records are sent; draining what was (Ctrl-C again to stop at once)...");
        };
        if (o.stop?.aborted) onStop();
        o.stop?.addEventListener("abort", onStop, { once: true });

        try {
            await runTraffic({
                generator,
                ledger,
                producer,
                kinesis: emulators.kinesis.client(),
                streamName: s.names.stream,
                rate: o.rate,
                ...(o.records !== undefined ? { records: o.records } : {}),
                ...(o.durationMs !== undefined ? { durationMs: o.durationMs } : {}),
                signal: stopTraffic.signal,
            });
            await producer.close();
        } finally {
            o.stop?.removeEventListener("abort", onStop);
        }
        const producingEndedAt = Date.now();

        // Every record sent is in the stream: both readers read to its end and finish their work.
        let drainDone = false;
        const drained = Promise.all([esm.drain(), source.drain()]).then(() => {
            drainDone = true;
        });
        const abort = o.abort;
        if (abort) {
            const aborted = new Promise<void>((resolve) => (abort.aborted ? resolve() : abort.addEventListener("abort", () => resolve(), { once: true })));
            const cut = aborted.then(async () => {
                if (drainDone) return;
                say("Stopped before the end of the drain: records still in flight count as unaccounted.");
                await Promise.all([esm.stop(), source.stop()]);
                await firehose.flush();
            });
            await Promise.race([drained, cut]);
        } else {
            await drained;
        }
        await firehose.stop();
        progress?.stop();
        progressStop = undefined;
        const endedAt = Date.now();

        if (poisonDiscards > 0)
            print(
                `ON-FAILURE ${poisonDiscards} batch(es) whose only unstored records are the ones malformed on purpose were discarded after their retries (expected poison: counted under failed in the report)`,
            );
        print(`Reading back the results table, the archive, the quarantine and the ${failures.messages.length} on-failure message(s) (their records re-read from the stream)...`);
        const [stored, archive, quarantine, replayed] = await Promise.all([
            scanEvents(dynamodb, s.names.table),
            readArchive(s3, s.names.bucket, ARCHIVE_PREFIX, ARCHIVE_ERROR_PREFIX),
            readQuarantine(s3, s.names.bucket),
            replayFailures(emulators.kinesis.client(), s.names.stream, failures.messages),
        ]);
        for (const u of quarantine.unreadable) print(`Quarantine: ${u.problem}`);
        const st = esm.stats();
        const pm = producer.metrics();
        return reconcile({
            ledger,
            stored,
            archive,
            failures: replayed,
            quarantine: quarantine.entries.map((e) => e.record),
            reasons: log.reasons,
            filtered,
            storedAt,
            alerts: sns.count,
            fraud: { amountThreshold: s.consumer.fraudAmountThreshold, ordersPerMinute: s.consumer.fraudOrdersPerMinute },
            startedAt,
            producingEndedAt,
            endedAt,
            interrupted,
            stages: {
                producer: {
                    userRecords: pm.recordsSent,
                    kinesisRecords: pm.kinesisRecordsSent,
                    putRecordsCalls: pm.putRecordsRequests,
                    retried: pm.recordsRetried,
                    failed: pm.recordsFailed,
                },
                mapping: {
                    kinesisRecordsRead: st.recordsRead,
                    invocations: st.invocations,
                    functionErrors: st.functionErrors,
                    partialFailures: st.partialFailures,
                    bisections: st.bisections,
                    retries: st.retries,
                    discardedBatches: st.discardedBatches,
                    discardedRecords: st.discardedRecords,
                },
                consumer: { ...metrics.totals },
                firehose: {
                    userRecordsIn: firehose.stats.recordsIn,
                    errorRecords: firehose.stats.errorRecords,
                    dropped: firehose.stats.dropped,
                    objects: firehose.stats.objects,
                    bytesIn: firehose.stats.bytesIn,
                    gzipBytes: firehose.stats.bytesDelivered,
                    deliveryFailures: firehose.stats.deliveryFailures,
                },
            },
        });
    } finally {
        progressStop?.();
        await Promise.allSettled(running.reverse().map((r) => r.stop()));
        await emulators.stop();
    }
}
