// The local Firehose (tools/local/firehose.ts): the JQ-equivalent partition keys, prefixes, buffering
// by size and by interval, GZIP and the newline delimiter, the error prefix, KPL de-aggregation;
// objects written to s3rver and read back.
import * as assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import * as kinesisAgg from "aws-kinesis-agg";
import { ARCHIVE_ERROR_PREFIX, ARCHIVE_PREFIX, PARTITION_QUERY } from "../../infra/components/firehose-archive";
import { createBucket, startEmulators, type Emulators } from "../../tools/local/emulators";
import { compilePartitionQuery, EXTRACTION_ERROR_CODE, formatTimestamp, LocalFirehose, renderPrefix, userRecordsFor, type DeliveredObject } from "../../tools/local/firehose";
import { listKeys, readArchive } from "../../tools/local/readback";

type Aggregator = { addUserRecord(r: { partitionKey: string; data: Buffer }): void; build(): { data: Buffer; partitionKey: string } };
const { RecordAggregator } = kinesisAgg as unknown as { RecordAggregator: new () => Aggregator };

const ARRIVAL = Date.parse("2025-03-04T05:06:07.000Z");
const event = (id: string, type = "order", at = "2025-01-31T23:59:59.500+00:00") => Buffer.from(JSON.stringify({ event_type: type, event_id: id, occurred_at: at, source: "t", payload: {} }));

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
        partitionQuery: PARTITION_QUERY,
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

    describe("the partition query (JQ subset)", () => {
        const extract = compilePartitionQuery(PARTITION_QUERY);
        it("extracts event_type and the date of occurred_at", () => {
            assert.deepEqual(extract({ event_type: "order", occurred_at: "2025-01-31T23:59:59Z" }), { ok: true, keys: { event_type: "order", event_date: "2025-01-31" } });
        });
        const failures: [string, unknown, RegExp][] = [
            ["a missing occurred_at", { event_type: "order" }, /event_date is null or missing/],
            ["a null event_type", { event_type: null, occurred_at: "2025-01-01" }, /event_type is null or missing/],
            ["a number to slice", { event_type: "order", occurred_at: 20250101 }, /Cannot index number with object/],
            ["a record that is not an object", ["order"], /Cannot index array with "event_type"/],
            ["an object as a key", { event_type: { a: 1 }, occurred_at: "2025-01-01" }, /not a scalar/],
        ];
        for (const [what, record, reason] of failures) {
            it(`fails on ${what}`, () => {
                const out = extract(record);
                assert.equal(out.ok, false);
                assert.match((out as { reason: string }).reason, reason);
            });
        }
        it("refuses a query outside the subset it implements", () => {
            assert.throws(() => compilePartitionQuery("{a: .b | ascii_downcase}"), /Unsupported partition query term/);
            assert.throws(() => compilePartitionQuery(".a"), /Unsupported partition query/);
        });
    });

    it("renders the stack's prefixes", () => {
        assert.equal(renderPrefix(ARCHIVE_PREFIX, { keys: { event_type: "order", event_date: "2025-01-31" }, arrivalMs: ARRIVAL }), "events/event_type=order/dt=2025-01-31/");
        assert.equal(renderPrefix(ARCHIVE_ERROR_PREFIX, { arrivalMs: ARRIVAL, errorOutputType: "partitioning-failed" }), "errors/partitioning-failed/dt=2025-03-04/");
        assert.equal(formatTimestamp("yyyy-MM-dd-HH-mm-ss", ARRIVAL), "2025-03-04-05-06-07");
        assert.throws(() => renderPrefix("x/!{partitionKeyFromLambda:a}/", { arrivalMs: 0 }), /Unsupported prefix expression/);
    });

    it("delivers a partition's buffer when it reaches the buffer size, GZIP, one record per line", async () => {
        const { f, bucket, delivered, settle } = await firehose({ bufferSizeBytes: 400 });
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
        assert.ok(o.bytes >= 400 && o.compressedBytes < o.bytes);
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

    it("buffers each partition apart and sends what it cannot partition to the error prefix with Firehose's error document", async () => {
        const { f, bucket } = await firehose();
        const notJson = Buffer.from("malformed-7: not JSON");
        const noKeys = Buffer.from(JSON.stringify({ event_id: "malformed-8" }));
        f.put({ data: event("a", "order"), arrivalMs: ARRIVAL });
        f.put({ data: event("b", "log_line", "2025-02-01T00:00:00Z"), arrivalMs: ARRIVAL });
        f.put({ data: notJson, arrivalMs: ARRIVAL });
        f.put({ data: noKeys, arrivalMs: ARRIVAL });
        await f.flush();
        const keys = await listKeys(s3, bucket);
        assert.deepEqual(
            keys.map((k) => k.slice(0, k.lastIndexOf("/") + 1)).sort(),
            ["errors/partitioning-failed/dt=2025-03-04/", "events/event_type=log_line/dt=2025-02-01/", "events/event_type=order/dt=2025-01-31/"],
        );
        const errorKey = keys.find((k) => k.startsWith("errors/"))!;
        const docs = (await objectText(bucket, errorKey)).trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
        assert.equal(docs.length, 2);
        assert.deepEqual(Object.keys(docs[0]!).sort(), ["arrivalTimestamp", "attemptEndingTimestamp", "attemptsMade", "errorCode", "errorMessage", "rawData"]);
        assert.equal(docs[0]!.errorCode, EXTRACTION_ERROR_CODE);
        assert.equal(docs[0]!.errorMessage, "Non JSON record provided");
        assert.equal(docs[0]!.arrivalTimestamp, ARRIVAL);
        assert.deepEqual(Buffer.from(docs[0]!.rawData as string, "base64"), notJson);
        assert.match(docs[1]!.errorMessage as string, /event_type is null or missing/);

        const archive = await readArchive(s3, bucket, ARCHIVE_PREFIX, ARCHIVE_ERROR_PREFIX);
        assert.deepEqual(archive.map((a) => [a.id, a.error, a.partitionMatches]).sort(), [
            ["a", false, true],
            ["b", false, true],
            ["malformed-7", true, true],
            ["malformed-8", true, true],
        ]);
    });

    it("de-aggregates KPL records as Firehose does for a Kinesis source", () => {
        const agg = new RecordAggregator();
        agg.addUserRecord({ partitionKey: "p1", data: event("x") });
        agg.addUserRecord({ partitionKey: "p2", data: event("y") });
        const built = agg.build();
        const users = userRecordsFor({ shardId: "s", sequenceNumber: "1", partitionKey: built.partitionKey, data: built.data, arrivalMs: 0 });
        assert.deepEqual(users.map((u) => u.toString()), [event("x").toString(), event("y").toString()]);
        assert.deepEqual(userRecordsFor({ shardId: "s", sequenceNumber: "2", partitionKey: "p", data: Buffer.from("plain"), arrivalMs: 0 }), [Buffer.from("plain")]);
    });
});
