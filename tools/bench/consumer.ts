// Consumer throughput against dynalite: the Lambda handler (Powertools batch processing,
// BatchWriteItem 25 items per call) against one PutItem per record, the reference document's
// approach, in the same run on the same records. Run alone with `npx tsx tools/bench/consumer.ts`.
import { PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";
import * as kinesisAgg from "aws-kinesis-agg";
import { readConsumerEnv } from "../../contracts/env/consumer";
import { actionScore, userSegment } from "../../functions/consumer/enrich";
import { createDocumentClient, createHandler } from "../../functions/consumer/handler";
import { startDynalite } from "../local/dynalite";
import { figure, type BenchFigure, type BenchSection } from "./types";

/** Lambda's default BatchSize for Kinesis. */
const BATCH_SIZE = 100;
/** User records per KPL aggregate in the aggregated run. */
const PER_AGGREGATE = 10;
const RECORDS = 20_000;
/** Each measurement stops after this long or RECORDS records, whichever comes first. */
const TIME_BOX_MS = 5_000;
const WARM_UP_RECORDS = 300;

type Aggregator = { addUserRecord(r: { partitionKey: string; data: Buffer }): void; build(): { data: Buffer; partitionKey: string } };
const { RecordAggregator } = kinesisAgg as unknown as { RecordAggregator: new () => Aggregator };

/** Events as the pipeline carries them (~250 bytes): user actions, sensor readings and log lines, no orders. */
function makeEvent(i: number): { data: Buffer; partitionKey: string } {
    const at = new Date(Date.UTC(2025, 0, 1, 10) + i * 7).toISOString();
    const kind = i % 10;
    const event =
        kind < 6
            ? {
                  event_type: "user_action",
                  event_id: `ua-${i}`,
                  occurred_at: at,
                  source: "web",
                  payload: {
                      user_id: `u-${i % 997}`,
                      action_type: ["page_view", "click", "login", "purchase", "signup", "search"][i % 6],
                      session_id: `s-${i % 3001}`,
                      page: `/products/${i % 500}`,
                  },
              }
            : kind < 9
              ? {
                    event_type: "sensor_reading",
                    event_id: `sr-${i}`,
                    occurred_at: at,
                    source: "iot",
                    payload: { device_id: `dev-${i % 211}`, metric: "temperature", value: 20 + (i % 100) / 10, unit: "C" },
                }
              : {
                    event_type: "log_line",
                    event_id: `ll-${i}`,
                    occurred_at: at,
                    source: "app",
                    payload: { service: `svc-${i % 7}`, level: "INFO", message: `request ${i} served in ${i % 300} ms` },
                };
    return { data: Buffer.from(JSON.stringify(event)), partitionKey: `pk-${i % 997}` };
}

let sequence = 0n;
function kinesisRecord(data: Buffer, partitionKey: string): KinesisStreamRecord {
    sequence += 1n;
    const sequenceNumber = (49590338271490256608559692538361571095921575989136588800n + sequence).toString();
    return {
        kinesis: { kinesisSchemaVersion: "1.0", partitionKey, sequenceNumber, data: data.toString("base64"), approximateArrivalTimestamp: 1735725600.5 },
        eventSource: "aws:kinesis",
        eventVersion: "1.0",
        eventID: `shardId-000000000000:${sequenceNumber}`,
        eventName: "aws:kinesis:record",
        invokeIdentityArn: "arn:aws:iam::123456789012:role/consumer",
        awsRegion: "us-east-1",
        eventSourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/events",
    };
}

/** Lambda batches of BATCH_SIZE Kinesis records: one user record each, or PER_AGGREGATE per KPL aggregate. */
function batches(first: number, count: number, aggregated: boolean): { event: KinesisStreamEvent; userRecords: number }[] {
    const records: { record: KinesisStreamRecord; users: number }[] = [];
    const step = aggregated ? PER_AGGREGATE : 1;
    for (let i = first; i < first + count; i += step) {
        const users = Array.from({ length: Math.min(step, first + count - i) }, (_, j) => makeEvent(i + j));
        if (!aggregated) {
            records.push({ record: kinesisRecord(users[0]!.data, users[0]!.partitionKey), users: 1 });
            continue;
        }
        const agg = new RecordAggregator();
        for (const u of users) agg.addUserRecord(u);
        const built = agg.build();
        records.push({ record: kinesisRecord(built.data, built.partitionKey), users: users.length });
    }
    const out: { event: KinesisStreamEvent; userRecords: number }[] = [];
    for (let i = 0; i < records.length; i += BATCH_SIZE) {
        const slice = records.slice(i, i + BATCH_SIZE);
        out.push({ event: { Records: slice.map((r) => r.record) }, userRecords: slice.reduce((n, r) => n + r.users, 0) });
    }
    return out;
}

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const noMetrics = { addMetric: () => undefined, publishStoredMetrics: () => undefined };
const noSns = { send: async () => ({}) } as unknown as Pick<SNSClient, "send">;
/** The bench's records are all valid: nothing is quarantined. */
const noS3 = { send: async () => ({}) } as unknown as Pick<S3Client, "send">;

/** User records per second through the handler, batch after batch, as one shard's ESM would invoke it. */
async function viaHandler(doc: DynamoDBDocumentClient, table: string, input: { event: KinesisStreamEvent; userRecords: number }[]): Promise<{ rate: number; records: number }> {
    const handler = createHandler({
        config: readConsumerEnv({ RESULTS_TABLE: table, ALERTS_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:alerts", QUARANTINE_BUCKET: "bench-archive" }),
        doc,
        sns: noSns,
        s3: noS3,
        logger: quiet,
        metrics: noMetrics,
    });
    const started = performance.now();
    let done = 0;
    for (const b of input) {
        if (performance.now() - started > TIME_BOX_MS) break;
        const out = await handler(b.event);
        if (out.batchItemFailures.length > 0) throw new Error(`consumer bench: ${out.batchItemFailures.length} records failed`);
        done += b.userRecords;
    }
    return { rate: (done / (performance.now() - started)) * 1000, records: done };
}

/**
 * The reference document's consumer: per record, base64 and JSON decoding, its enrichment, and
 * one awaited PutItem (its store_processed_records, one item per record), the same item shape.
 */
async function viaPutItem(doc: DynamoDBDocumentClient, table: string, first: number, count: number): Promise<number> {
    const started = performance.now();
    let done = 0;
    for (let i = first; i < first + count && performance.now() - started < TIME_BOX_MS; i++) {
        const u = makeEvent(i);
        const r = kinesisRecord(u.data, u.partitionKey);
        const data = JSON.parse(Buffer.from(r.kinesis.data, "base64").toString("utf8")) as {
            event_type: string;
            event_id: string;
            occurred_at: string;
            payload: { action_type?: never };
        };
        const item: Record<string, unknown> = {
            pk: u.partitionKey,
            sk: `${data.occurred_at}#${data.event_id}`,
            ...data,
            shard_id: r.eventID.split(":")[0],
            sequence_number: r.kinesis.sequenceNumber,
            approximate_arrival_timestamp: r.kinesis.approximateArrivalTimestamp,
            processed_at: new Date().toISOString(),
        };
        if (data.event_type === "user_action") Object.assign(item, { user_segment: userSegment(data.payload.action_type!), action_score: actionScore(data.payload.action_type!) });
        await doc.send(new PutCommand({ TableName: table, Item: item }));
        done++;
    }
    return (done / (performance.now() - started)) * 1000;
}

export async function consumerBench(): Promise<BenchSection> {
    const dynalite = await startDynalite();
    const figures: BenchFigure[] = [];
    try {
        const doc = createDocumentClient(dynalite.client());
        for (const t of ["bench-handler", "bench-put", "bench-kpl"]) await dynalite.createResultsTable(t);
        // Warm-up: JIT, sockets, dynalite's first writes. Distinct records from the measured ones.
        await viaHandler(doc, "bench-handler", batches(RECORDS * 10, WARM_UP_RECORDS, false));
        await viaPutItem(doc, "bench-put", RECORDS * 10 + WARM_UP_RECORDS, WARM_UP_RECORDS);

        const baseline = await viaPutItem(doc, "bench-put", 0, RECORDS);
        const plain = await viaHandler(doc, "bench-handler", batches(0, RECORDS, false));
        const aggregated = await viaHandler(doc, "bench-kpl", batches(0, RECORDS, true));
        figures.push(figure("plain records: records/s into the results table", "records/s", Math.round(plain.rate), "one PutItem per record", Math.round(baseline)));
        figures.push(
            figure(
                `KPL aggregates of ${PER_AGGREGATE}: user records/s into the results table`,
                "records/s",
                Math.round(aggregated.rate),
                "one PutItem per record",
                Math.round(baseline),
            ),
        );
    } finally {
        await dynalite.stop();
    }
    return {
        key: "consumer",
        title: "Consumer: batch processing and BatchWriteItem against one PutItem per record",
        method:
            `In-process dynalite 4.0.0 (in-memory DynamoDB) on 127.0.0.1, one SDK v3 DynamoDB document client shared by both ` +
            `methods, a results table per method, the same generated events (~250-byte JSON: 60 % user actions, 30 % sensor ` +
            `readings, 10 % log lines; no orders, so no fraud-rule calls). The handler is invoked as one shard's event source ` +
            `mapping would, one awaited Lambda batch of ${BATCH_SIZE} Kinesis records after another (decode, validate, enrich, ` +
            `then BatchWriteItem of 25 items, 4 calls in flight), on plain records and on KPL aggregates of ${PER_AGGREGATE} user ` +
            `records built with aws-kinesis-agg's RecordAggregator. The baseline is the reference document's consumer: per ` +
            `record, decode and enrich, then one awaited PutItem of the same item. Each measurement runs for up to ` +
            `${RECORDS.toLocaleString("en")} user records or ${TIME_BOX_MS / 1000} s after a ${WARM_UP_RECORDS}-record warm-up; ` +
            `records/s counts user records written over the wall time. dynalite runs in the same process, so the consumer's CPU ` +
            `time competes with the emulator's, and it has none of DynamoDB's network latency (which batching saves far more of: ` +
            `one round trip per 25 items); absolute numbers depend on this shared machine, the ratio is the figure to quote.`,
        figures,
    };
}

if (require.main === module) {
    consumerBench().then(
        (section) => console.log(JSON.stringify(section, null, 2)),
        (err: unknown) => {
            console.error(err);
            process.exitCode = 1;
        },
    );
}
