// The local Firehose (tools/local/firehose.ts): the transformation Lambda's logic and the partition
// keys it returns, prefixes, buffering by size and by interval, GZIP and the newline delimiter, the
// error prefix, KPL de-aggregation; objects written to s3rver and read back.
import * as assert from "node:assert/strict";
import { gunzipSync, gzipSync } from "node:zlib";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import * as kinesisAgg from "aws-kinesis-agg";
import { transformUserRecord } from "../../functions/firehose-transform/transform";
import { ARCHIVE_ERROR_PREFIX, ARCHIVE_PREFIX } from "../../infra/components/firehose-archive";
import { createBucket, startEmulators, type Emulators } from "../../tools/local/emulators";
import { formatTimestamp, LocalFirehose, PROCESSING_FAILED_ERROR_CODE, renderPrefix, userRecordsFor, type DeliveredObject } from "../../tools/local/firehose";
import { listKeys, readArchive } from "../../tools/local/readback";

type Aggregator = { addUserRecord(r: { partitionKey: string; data: Buffer }): void; build(): { data: Buffer; partitionKey: string } };
const { RecordAggregator } = kinesisAgg as unknown as { RecordAggregator: new () => Aggregator };

const ARRIVAL = Date.parse("2025-03-04T05:06:07.000Z");
const LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:kinesis-streaming-dev-firehose-transform:$LATEST";
/** A valid event of the schema (the transform passes only those through to a partition). */
const PAYLOADS: Record<string, unknown> = { order: { order_id: "o-1", user_id: "u-1", amount: 1, currency: "EUR" }, log_line: { service: "app", level: "INFO", message: "ok" } };
const event = (id: string, type = "order", at = "2025-01-31T23:59:59.500+00:00") =>
    Buffer.from(JSON.stringify({ event_type: type, event_id: id, occurred_at: at, source: "t", payload: PAYLOADS[type] }));

let emulators: Emulators;
let s3: S3Client;
let buckets = 0;

async function firehose(options: { bufferSizeBytes?: number; bufferIntervalMs?: number; now?: () => number } = {}) {
    const bucket = `archive-${++buckets}`;
    await createBucket(s3, bucket);
    const delivered: DeliveredObject[] = [];
    const f = new LocalFirehose({
        s3,
        bucket,
        deliveryStreamName: "kinesis-streaming-dev-archive",
        bufferSizeBytes: options.bufferSizeBytes ?? 64 * 1024 * 1024,
        bufferIntervalMs: options.bufferIntervalMs ?? 60_000,
        prefix: ARCHIVE_PREFIX,
        errorOutputPrefix: ARCHIVE_ERROR_PREFIX,
        transform: (r) => transformUserRecord(r, { iotTopicFilter: "devices/+/telemetry" }),
        lambdaArn: LAMBDA_ARN,
        onDelivered: (o) => delivered.push(o),
        ...(options.now ? { now: options.now } : {}),
    });
    /** Waits for deliveries started by put() or tick(). */
    const settle = () => f.settled();
    return { f, bucket, delivered, settle };
}

async function objectText(bucket: string, key: string): Promise<string> {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return gunzipSync(Buffer.from(await out.Body!.transformToByteArray())).toString("utf8");
}

describe("local Firehose", function () {
    this.timeout(30_000);

    before(async () => {
        emulators = await startEmulators();
        s3 = emulators.s3.client();
    });
    after(async () => {
        await emulators.stop();
    });

    it("renders the stack's prefixes", () => {
        assert.equal(renderPrefix(ARCHIVE_PREFIX, { keys: { event_type: "order", event_date: "2025-01-31" }, arrivalMs: ARRIVAL }), "events/event_type=order/dt=2025-01-31/");
        assert.equal(renderPrefix(ARCHIVE_ERROR_PREFIX, { arrivalMs: ARRIVAL, errorOutputType: "processing-failed" }), "errors/processing-failed/dt=2025-03-04/");
        assert.equal(formatTimestamp("yyyy-MM-dd-HH-mm-ss", ARRIVAL), "2025-03-04-05-06-07");
        assert.throws(() => renderPrefix("x/!{partitionKeyFromLambda:a}/", { arrivalMs: 0 }), /partition key a, which the transform did not return/);
        assert.throws(() => renderPrefix("x/!{partitionKeyFromQuery:a}/", { arrivalMs: 0 }), /Unsupported prefix expression/);
    });

    it("delivers a partition's buffer when it reaches the buffer size, GZIP, one record per line", async () => {
        // The fourth line (with its delimiter) fills the buffer.
        const size = 4 * (event("a").length + 1);
        const { f, bucket, delivered, settle } = await firehose({ bufferSizeBytes: size });
        const records = [event("a"), event("b"), event("c"), event("d")];
        for (const data of records.slice(0, 2)) f.put({ data, arrivalMs: ARRIVAL });
        await settle();
        assert.equal(delivered.length, 0, "under the size: still buffered");
        for (const data of records.slice(2)) f.put({ data, arrivalMs: ARRIVAL });
        await settle();
        assert.equal(delivered.length, 1);
        const o = delivered[0]!;
        assert.match(o.key, /^events\/event_type=order\/dt=2025-01-31\/kinesis-streaming-dev-archive-1-2025-03-04-05-06-07-[0-9a-f-]{36}\.gz$/);
        assert.equal(await objectText(bucket, o.key), records.map((r) => `${r.toString()}\n`).join(""));
        assert.ok(o.bytes >= size && o.compressedBytes < o.bytes);
    });

    it("delivers a buffer once its oldest record has waited the buffer interval", async () => {
        let now = 1_000_000;
        const { f, delivered, settle } = await firehose({ bufferIntervalMs: 60_000, now: () => now });
        f.put({ data: event("a"), arrivalMs: ARRIVAL });
        now += 30_000;
        f.put({ data: event("b"), arrivalMs: ARRIVAL });
        now += 29_999;
        f.tick();
        await settle();
        assert.equal(delivered.length, 0);
        now += 1;
        f.tick();
        await settle();
        assert.equal(delivered.length, 1);
        assert.equal(delivered[0]!.records, 2);
    });

    it("buffers each partition apart and sends what the transform failed to the error prefix with Firehose's error document", async () => {
        const { f, bucket } = await firehose();
        const notJson = Buffer.from("malformed-7: not JSON");
        const noKeys = Buffer.from(JSON.stringify({ event_id: "malformed-8" }));
        f.put({ data: event("a", "order"), arrivalMs: ARRIVAL });
        f.put({ data: event("b", "log_line", "2025-02-01T00:00:00Z"), arrivalMs: ARRIVAL });
        f.put({ data: notJson, arrivalMs: ARRIVAL });
        f.put({ data: noKeys, arrivalMs: ARRIVAL });
        await f.flush();
        const keys = await listKeys(s3, bucket);
        assert.deepEqual(keys.map((k) => k.slice(0, k.lastIndexOf("/") + 1)).sort(), [
            "errors/processing-failed/dt=2025-03-04/",
            "events/event_type=log_line/dt=2025-02-01/",
            "events/event_type=order/dt=2025-01-31/",
        ]);
        const errorKey = keys.find((k) => k.startsWith("errors/"))!;
        const docs = (await objectText(bucket, errorKey))
            .trimEnd()
            .split("\n")
            .map((l) => JSON.parse(l) as Record<string, unknown>);
        assert.equal(docs.length, 2);
        assert.deepEqual(Object.keys(docs[0]!).sort(), ["arrivalTimestamp", "attemptEndingTimestamp", "attemptsMade", "errorCode", "errorMessage", "lambdaArn", "rawData"]);
        assert.deepEqual([docs[0]!.errorCode, docs[0]!.errorMessage, docs[0]!.lambdaArn], [PROCESSING_FAILED_ERROR_CODE, "ProcessingFailed status set for record", LAMBDA_ARN]);
        assert.equal(docs[0]!.arrivalTimestamp, ARRIVAL);
        assert.deepEqual(Buffer.from(docs[0]!.rawData as string, "base64"), notJson);
        assert.deepEqual(Buffer.from(docs[1]!.rawData as string, "base64"), noKeys);

        const archive = await readArchive(s3, bucket, ARCHIVE_PREFIX, ARCHIVE_ERROR_PREFIX);
        assert.deepEqual(archive.map((a) => [a.id, a.error, a.partitionMatches]).sort(), [
            ["a", false, true],
            ["b", false, true],
            ["malformed-7", true, true],
            ["malformed-8", true, true],
        ]);
    });

    it("lands every feed partitioned: Logs events and CDC changes under their event type, IoT messages under raw_iot; control messages leave no trace", async () => {
        const { f, bucket } = await firehose();
        const logs = (messageType: string, logEvents: unknown[]) =>
            gzipSync(JSON.stringify({ messageType, owner: "1", logGroup: "/aws/lambda/app", logStream: "s", subscriptionFilters: ["f"], logEvents }));
        f.put({
            data: logs("DATA_MESSAGE", [
                { id: "l1", timestamp: Date.parse("2025-01-31T10:00:00Z"), message: "ERROR boom" },
                { id: "l2", timestamp: Date.parse("2025-01-31T10:00:01Z"), message: "INFO ok" },
            ]),
            arrivalMs: ARRIVAL,
        });
        f.put({ data: logs("CONTROL_MESSAGE", [{ id: "", timestamp: 0, message: "CWL CONTROL MESSAGE: Checking health of destination Kinesis stream." }]), arrivalMs: ARRIVAL });
        const change = {
            eventID: "c1",
            eventName: "INSERT",
            tableName: "customers",
            eventSource: "aws:dynamodb",
            dynamodb: { ApproximateCreationDateTime: Date.parse("2025-01-30T08:00:00Z"), Keys: { id: { S: "c-1" } }, NewImage: { id: { S: "c-1" } } },
        };
        f.put({ data: Buffer.from(JSON.stringify(change)), arrivalMs: ARRIVAL });
        const device = Buffer.from(JSON.stringify({ deviceId: "dev-7", temperature: 21.4 }));
        f.put({ data: device, arrivalMs: ARRIVAL, partitionKey: "devices/dev-7/telemetry" });
        await f.flush();
        assert.deepEqual([f.stats.recordsIn, f.stats.dropped, f.stats.recordsDelivered, f.stats.errorRecords], [4, 1, 3, 0]);
        const keys = await listKeys(s3, bucket);
        const at = (prefix: string) => keys.find((k) => k.startsWith(prefix))!;
        const logLines = (await objectText(bucket, at("events/event_type=log_line/dt=2025-01-31/"))).split("\n");
        assert.deepEqual(
            logLines.slice(0, 2).map((l) => (JSON.parse(l) as { event_id: string }).event_id),
            ["l1", "l2"],
        );
        assert.equal(logLines[2], "", "one delimiter after the record's last line");
        assert.equal((JSON.parse(await objectText(bucket, at("events/event_type=change/dt=2025-01-30/"))) as { event_id: string }).event_id, "c1");
        assert.equal(await objectText(bucket, at("events/event_type=raw_iot/dt=2025-03-04/")), `${device.toString()}\n`);
        assert.equal(keys.length, 3);
    });

    it("de-aggregates KPL records as Firehose does for a Kinesis source", () => {
        const agg = new RecordAggregator();
        agg.addUserRecord({ partitionKey: "p1", data: event("x") });
        agg.addUserRecord({ partitionKey: "p2", data: event("y") });
        const built = agg.build();
        const users = userRecordsFor({ shardId: "s", sequenceNumber: "1", partitionKey: built.partitionKey, data: built.data, arrivalMs: 0 });
        assert.deepEqual(
            users.map((u) => [u.data.toString(), u.partitionKey]),
            [
                [event("x").toString(), "p1"],
                [event("y").toString(), "p2"],
            ],
        );
        assert.deepEqual(userRecordsFor({ shardId: "s", sequenceNumber: "2", partitionKey: "p", data: Buffer.from("plain"), arrivalMs: 7 }), [
            { data: Buffer.from("plain"), partitionKey: "p", arrivalMs: 7 },
        ]);
    });
});
