// Each Lambda handler wired to the emulators for one local invocation (npm run invoke): the tables and
// streams it needs are created first; logs go to `log` (stderr), so the response is all stdout carries.
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import type { SNSClient } from "@aws-sdk/client-sns";
import { GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Context, KinesisStreamEvent } from "aws-lambda";
import { autoscalerEnvironment, readAutoscalerEnv } from "../../contracts/env/autoscaler";
import { createHandler as createAutoscaler } from "../../functions/autoscaler/handler";
import { createDocumentClient, createHandler as createConsumer } from "../../functions/consumer/handler";
import { decodeRecord } from "../../functions/consumer/decode";
import { createHandler as createFirehoseTransform } from "../../functions/firehose-transform/handler";
import { createHandler as createIngest } from "../../functions/ingest/handler";
import { replicate } from "../../functions/replicator/replicate";
import { partitionKeyOf } from "../../functions/shared/events";
import { KinesisProducer } from "../../functions/shared/producer";
import { eventKeys } from "../../functions/shared/results-table";
import { parseQuarantinedRecord, QUARANTINE_PREFIX } from "../../contracts/quarantine";
import { physicalName } from "../../infra/lib/naming";
import { standInCloudWatch, standInMetrics } from "./cloudwatch-stand-in";
import { createBucket, createResultsTable, createStream, type Emulators } from "./emulators";
import { checkHttpEvent, checkKinesisEvent, type FunctionName } from "./event-shapes";
import { listShardIds, ShardReader } from "./reader";
import type { LocalSettings } from "./settings";
import { LocalSns } from "./sns";

export interface InvokeEnv {
    emulators: Emulators;
    settings: LocalSettings;
    /** One line to the user (stderr). */
    log: (line: string) => void;
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x);

/** Powertools-like JSON log lines, to stderr. */
function stderrLogger(service: string, log: (line: string) => void) {
    const line =
        (level: string) =>
        (message: string, ...extra: unknown[]) =>
            log(JSON.stringify({ level, service, message, ...Object.assign({}, ...extra.map((x) => (isObj(x) ? x : { detail: String(x) }))) }));
    return { debug: line("DEBUG"), info: line("INFO"), warn: line("WARN"), error: line("ERROR"), addContext: () => undefined };
}

/** Metrics summed and shown once, on stderr (there is no CloudWatch here). */
function stderrMetrics(log: (line: string) => void) {
    const totals: Record<string, number> = {};
    return {
        addMetric: (name: string, _unit: unknown, value: number) => {
            totals[name] = (totals[name] ?? 0) + value;
        },
        addDimension: () => undefined,
        publishStoredMetrics: () => {
            if (Object.keys(totals).length > 0)
                log(
                    `metrics: ${Object.entries(totals)
                        .map(([k, v]) => `${k}=${v}`)
                        .join(" ")}`,
                );
            for (const k of Object.keys(totals)) delete totals[k];
        },
    };
}

function context(fn: string, timeoutMs = 60_000): Context {
    const started = Date.now();
    return {
        callbackWaitsForEmptyEventLoop: true,
        functionName: fn,
        functionVersion: "$LATEST",
        invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${fn}`,
        memoryLimitInMB: "512",
        awsRequestId: "local-invoke",
        logGroupName: `/aws/lambda/${fn}`,
        logStreamName: "local",
        getRemainingTimeInMillis: () => Math.max(0, started + timeoutMs - Date.now()),
        done: () => undefined,
        fail: () => undefined,
        succeed: () => undefined,
    };
}

async function readStream(env: InvokeEnv, stream: string): Promise<number> {
    const client = env.emulators.kinesis.client();
    let n = 0;
    for (const id of await listShardIds(client, stream)) {
        const reader = new ShardReader(client, stream, id);
        await reader.open({ type: "TRIM_HORIZON" });
        for (;;) {
            const page = await reader.read();
            n += page.length;
            if (page.length === 0 || reader.ended) break;
        }
    }
    return n;
}

/** What one consumer invocation left behind (`npm run invoke -- consumer <event> --json`). */
export interface ConsumerOutcome {
    /** Distinct user records of the event whose result items are all in the table (velocity and alert markers not counted). */
    written: number;
    quarantined: { sequenceNumber: string; subSequenceNumber: number | null; reason: string }[];
    /** The alert messages published, as JSON. */
    alerts: unknown[];
}

export interface InvokeResult {
    response: unknown;
    /** The consumer's only. */
    consumer?: ConsumerOutcome;
}

/** User records of the event whose every event has its item in the table, read back after the invocation. */
async function writtenUserRecords(doc: Pick<DynamoDBDocumentClient, "send">, table: string, event: KinesisStreamEvent): Promise<number> {
    let written = 0;
    for (const record of event.Records) {
        for (const { events } of decodeRecord(record).users) {
            if (events.length === 0) continue;
            const found = await Promise.all(
                events.map(async ({ event: e }) => {
                    const { pk, sk } = eventKeys(partitionKeyOf(e), e);
                    return (await doc.send(new GetCommand({ TableName: table, Key: { pk, sk }, ConsistentRead: true }))).Item !== undefined;
                }),
            );
            if (found.every(Boolean)) written++;
        }
    }
    return written;
}

/** The quarantine objects in the bucket (one page: a local invocation quarantines at most its batch). */
async function quarantinedIn(s3: S3Client, bucket: string): Promise<ConsumerOutcome["quarantined"]> {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: QUARANTINE_PREFIX }));
    const out: ConsumerOutcome["quarantined"] = [];
    for (const o of listed.Contents ?? []) {
        const body = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }))).Body!.transformToString();
        const q = parseQuarantinedRecord(body, o.Key!);
        out.push({ sequenceNumber: q.sequenceNumber, subSequenceNumber: q.subSequenceNumber, reason: q.reason });
    }
    return out.sort((a, b) => (a.sequenceNumber === b.sequenceNumber ? (a.subSequenceNumber ?? -1) - (b.subSequenceNumber ?? -1) : a.sequenceNumber < b.sequenceNumber ? -1 : 1));
}

/** Runs one handler on the event against the emulators; resolves with its response (and, for the consumer, what it left behind). */
export async function invokeFunction(fn: FunctionName, event: unknown, env: InvokeEnv): Promise<InvokeResult> {
    const { emulators, settings: s, log } = env;
    const sns = new LocalSns({ topicArn: s.consumer.alertsTopicArn, print: (line) => log(line) });
    switch (fn) {
        case "consumer": {
            const dynamodb = emulators.dynamodb.client();
            const s3 = emulators.s3.client();
            await Promise.all([createResultsTable(dynamodb, s.names.table), createBucket(s3, s.consumer.quarantineBucket)]);
            const { memoryMb, ...config } = s.consumer;
            log(
                `consumer: table ${s.names.table} on ${emulators.dynamodb.name} at ${emulators.dynamodb.endpoint}; quarantine in bucket ${config.quarantineBucket} on ${emulators.s3.name}; alerts to the local SNS stand-in; ${memoryMb} MB, 60 s timeout`,
            );
            const doc = createDocumentClient(dynamodb);
            const handler = createConsumer({ config, doc, sns: sns.asClient(), s3, logger: stderrLogger("consumer", log), metrics: stderrMetrics(log) });
            const kinesisEvent = checkKinesisEvent(event);
            const response = await handler(kinesisEvent, context(s.names.consumerFunction));
            const consumer: ConsumerOutcome = {
                written: await writtenUserRecords(doc, config.tableName, kinesisEvent),
                quarantined: await quarantinedIn(s3, config.quarantineBucket),
                alerts: sns.published.map((a) => a.message),
            };
            log(`consumer: ${consumer.written} user record(s) in the results table, ${consumer.quarantined.length} quarantined, ${sns.count} alert(s) published`);
            return { response, consumer };
        }
        case "ingest": {
            const kinesis = emulators.kinesis.client({ maxAttempts: 1 });
            await createStream(emulators.kinesis.client(), s.names.stream, s.stream.shards, s.stream.retentionHours);
            log(
                `ingest: stream ${s.names.stream} (${s.stream.shards} shards) on ${emulators.kinesis.name} at ${emulators.kinesis.endpoint}; max body ${s.settings.ingest.maxBodyBytes} bytes`,
            );
            const producer = new KinesisProducer({ client: kinesis, streamName: s.names.stream, maxBufferedTimeMs: 0, recordTtlMs: 10_000 });
            try {
                const handler = createIngest({
                    producer,
                    maxBodyBytes: s.settings.ingest.maxBodyBytes,
                    logger: stderrLogger("ingest", log) as unknown as Logger,
                    metrics: stderrMetrics(log) as unknown as Metrics,
                });
                const response = await handler(checkHttpEvent(event) as never);
                log(`ingest: the stream now holds ${await readStream(env, s.names.stream)} Kinesis record(s)`);
                return { response };
            } finally {
                await producer.close();
            }
        }
        case "replicator": {
            const replica = physicalName(s.settings, "events-replica");
            await createStream(emulators.kinesis.client(), replica, s.stream.shards, s.stream.retentionHours);
            log(
                `replicator: replica stream ${replica} (${s.stream.shards} shards) on ${emulators.kinesis.name} at ${emulators.kinesis.endpoint} (the replica region is emulated by the same kinesalite)`,
            );
            const producer = new KinesisProducer({
                client: emulators.kinesis.client({ maxAttempts: 1 }),
                streamName: replica,
                ordered: true,
                maxBufferedTimeMs: 0,
                recordTtlMs: 20_000,
            });
            try {
                const result = await replicate(checkKinesisEvent(event).Records, producer);
                log(`replicator: ${result.copied} user record(s) copied, ${result.failed} not; the replica now holds ${await readStream(env, replica)} Kinesis record(s)`);
                return { response: result.response };
            } finally {
                await producer.close();
            }
        }
        case "firehose-transform": {
            // Pure computation: no emulator involved. The stack's IoT topic filter decides which messages are device messages.
            const iotTopicFilter = s.settings.producers.iotTopicFilter;
            log(`firehose-transform: ${iotTopicFilter ? `IoT topic filter ${iotTopicFilter}` : `stack ${s.stack} has no IoT feed: messages without the envelope fail`}`);
            const handler = createFirehoseTransform({
                options: { iotTopicFilter },
                logger: stderrLogger("firehose-transform", log),
                metrics: stderrMetrics(log) as unknown as Pick<Metrics, "addMetric" | "publishStoredMetrics">,
            });
            return { response: await handler(event) };
        }
        case "autoscaler": {
            // kinesalite has no UpdateShardCount and there is no CloudWatch here: a dry run (decide and
            // report, no call) on a provisioned stream, with a CloudWatch stand-in showing the metrics the
            // event implies (cloudwatch-stand-in.ts).
            await createStream(emulators.kinesis.client(), s.names.stream, s.stream.shards, s.stream.retentionHours);
            const config = readAutoscalerEnv(autoscalerEnvironment({ streamName: s.names.stream, alertsTopicArn: s.consumer.alertsTopicArn, dryRun: true }));
            const shown = standInMetrics(event, s.stream.shards);
            log(
                `autoscaler: dry run on stream ${s.names.stream} (${s.stream.shards} provisioned shards) on ${emulators.kinesis.name}; ${shown.description}; notifications to the local SNS stand-in`,
            );
            const cloudwatch = standInCloudWatch(shown);
            const handler = createAutoscaler({
                kinesis: emulators.kinesis.client(),
                cloudwatch,
                sns: sns.asClient() as SNSClient,
                config,
                logger: stderrLogger("autoscaler", log),
                metrics: stderrMetrics(log) as unknown as Pick<Metrics, "addDimension" | "addMetric" | "publishStoredMetrics">,
            });
            return { response: await handler(event) };
        }
    }
}
