// The consumer handler end to end: Kinesis events in, the results table in dynalite, SNS stubbed
// with aws-sdk-client-mock.
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import * as kinesisAgg from "aws-kinesis-agg";
import type { KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";
import { PublishCommand, SNSClient, type PublishCommandInput } from "@aws-sdk/client-sns";
import { BatchWriteCommand, NumberValue, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { createDocumentClient, createHandler, type ConsumerLogger, type ConsumerMetrics } from "../../functions/consumer/handler";
import type { ConsumerConfig } from "../../contracts/env/consumer";
import { parseQuarantinedRecord, type QuarantinedRecord } from "../../contracts/quarantine";
import { createBucket, startS3, type S3Emulator } from "../../tools/local/emulators";
import { startDynalite, TEST_CREDENTIALS, TEST_REGION, type Dynalite } from "../../tools/local/dynalite";
import { encodeAggregate } from "../support/kpl";

type Aggregator = { addUserRecord(r: { partitionKey: string; data: Buffer }): void; build(): { data: Buffer; partitionKey: string } };
const { RecordAggregator } = kinesisAgg as unknown as { RecordAggregator: new () => Aggregator };

const NOW = Date.parse("2025-01-01T10:05:00.000Z");
const TTL = 90 * 86_400;
const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts";
const SHARD = "shardId-000000000002";
const ARRIVAL = 1735725900.25;
const SEQ_BASE = 49590338271490256608559692538361571095921575989136588800n;

/** Kinesis records with increasing sequence numbers, as one shard delivers them. */
class Shard {
    private n = 0n;
    record(data: Buffer | string, partitionKey = "pk"): KinesisStreamRecord {
        this.n += 1n;
        const sequenceNumber = (SEQ_BASE + this.n).toString();
        return {
            kinesis: {
                kinesisSchemaVersion: "1.0",
                partitionKey,
                sequenceNumber,
                data: typeof data === "string" ? data : data.toString("base64"),
                approximateArrivalTimestamp: ARRIVAL,
            },
            eventSource: "aws:kinesis",
            eventVersion: "1.0",
            eventID: `${SHARD}:${sequenceNumber}`,
            eventName: "aws:kinesis:record",
            invokeIdentityArn: "arn:aws:iam::123456789012:role/consumer",
            awsRegion: "us-east-1",
            eventSourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/events",
        };
    }
}
const seq = (n: number) => (SEQ_BASE + BigInt(n)).toString();
/** The hash key Kinesis places a partition key by, as the consumer's metadata writes it. */
const md5Key = (pk: string) => BigInt(`0x${createHash("md5").update(pk, "utf8").digest("hex")}`).toString();
const placed = (pk: string) => ({ partition_key: pk, hash_key: md5Key(pk) });
const batch = (...records: KinesisStreamRecord[]): KinesisStreamEvent => ({ Records: records });
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

function aggregate(payloads: Buffer[]): Buffer {
    const agg = new RecordAggregator();
    payloads.forEach((data, i) => agg.addUserRecord({ partitionKey: `pk-${i}`, data }));
    return agg.build().data;
}

const userAction = (id: string, user: string, action: string, at = "2025-01-01T10:00:00Z") => ({
    event_type: "user_action",
    event_id: id,
    occurred_at: at,
    source: "web",
    payload: { user_id: user, action_type: action },
});
const order = (id: string, user: string, amount: number, at = "2025-01-01T10:01:00Z") => ({
    event_type: "order",
    event_id: `evt-${id}`,
    occurred_at: at,
    source: "shop",
    payload: { order_id: id, user_id: user, amount, currency: "EUR" },
});
const sensor = (id: string) => ({
    event_type: "sensor_reading",
    event_id: id,
    occurred_at: "2025-01-01T10:02:00.5+01:00",
    source: "iot",
    payload: { device_id: "d-1", metric: "temp", value: 21.5, unit: "C" },
});

class RecordingLogger implements ConsumerLogger {
    readonly entries: { level: string; message: string; extra: Record<string, unknown> }[] = [];
    private log(level: string, message: string, extra: Record<string, unknown>[]) {
        this.entries.push({ level, message, extra: Object.assign({}, ...extra) });
    }
    info(m: string, ...x: Record<string, unknown>[]) {
        this.log("info", m, x);
    }
    warn(m: string, ...x: Record<string, unknown>[]) {
        this.log("warn", m, x);
    }
    error(m: string, ...x: Record<string, unknown>[]) {
        this.log("error", m, x);
    }
    /** Warnings and errors, each flattened to { level, message, ...extra }. */
    problems(): Record<string, unknown>[] {
        return this.entries.filter((e) => e.level !== "info").map((e) => ({ level: e.level, message: e.message, ...e.extra }));
    }
}

class RecordingMetrics implements ConsumerMetrics {
    readonly totals: Record<string, number> = {};
    published = 0;
    addMetric(name: string, _unit: "Count", value: number) {
        this.totals[name] = (this.totals[name] ?? 0) + value;
    }
    publishStoredMetrics() {
        this.published++;
    }
}

const sns = mockClient(SNSClient);
let dynalite: Dynalite;
let s3emu: S3Emulator;
let tables = 0;

/** Every quarantine object of a bucket, parsed with the contract's parser, by key. */
async function quarantineOf(s3: S3Client, bucket: string): Promise<Map<string, QuarantinedRecord>> {
    const out = new Map<string, QuarantinedRecord>();
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "quarantine/" }));
    for (const o of listed.Contents ?? []) {
        const body = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }))).Body!.transformToString();
        out.set(o.Key!, parseQuarantinedRecord(body, o.Key!));
    }
    return out;
}

interface Harness {
    table: string;
    handler: ReturnType<typeof createHandler>;
    logger: RecordingLogger;
    metrics: RecordingMetrics;
    items(): Promise<Record<string, unknown>[]>;
    /** Items of events only (not counters or markers). */
    events(): Promise<Record<string, unknown>[]>;
    published(): PublishCommandInput[];
    /** The quarantine objects written, by key. */
    quarantined(): Promise<Map<string, QuarantinedRecord>>;
}

function harness(
    options: {
        config?: Partial<ConsumerConfig>;
        wrap?: (doc: DynamoDBDocumentClient) => Pick<DynamoDBDocumentClient, "send">;
        now?: () => number;
        s3?: Pick<S3Client, "send">;
    } = {},
): Promise<Harness> {
    const table = `results-${++tables}`;
    const bucket = `archive-${tables}`;
    const s3 = s3emu.client();
    const logger = new RecordingLogger();
    const metrics = new RecordingMetrics();
    const doc = createDocumentClient(dynalite.client());
    const config: ConsumerConfig = {
        tableName: table,
        alertsTopicArn: TOPIC,
        fraudAmountThreshold: 10_000,
        fraudOrdersPerMinute: 5,
        resultsTtlDays: 90,
        quarantineBucket: bucket,
        ...options.config,
    };
    const handler = createHandler({
        config,
        doc: options.wrap ? options.wrap(doc) : doc,
        sns: new SNSClient({ region: TEST_REGION, credentials: TEST_CREDENTIALS }),
        s3: options.s3 ?? s3,
        logger,
        metrics,
        now: options.now ?? (() => NOW),
        writer: { sleep: async () => undefined },
    });
    return Promise.all([dynalite.createResultsTable(table), createBucket(s3, bucket)]).then(() => ({
        table,
        handler,
        logger,
        metrics,
        items: () => dynalite.scanAll(table),
        events: async () => (await dynalite.scanAll(table)).filter((i) => /^\d/.test(String(i.sk))),
        published: () => sns.commandCalls(PublishCommand).map((c) => ({ ...c.args[0].input })),
        quarantined: () => quarantineOf(s3, bucket),
    }));
}

/** The stored item of an event, as the consumer writes it. */
function expectedItem(
    e: { event_type: string; event_id: string; occurred_at: string; source: string; payload: Record<string, unknown> },
    pk: string,
    sequence: number,
    extra: Record<string, unknown> = {},
) {
    const instant = new Date(e.occurred_at).toISOString();
    return {
        pk,
        sk: `${instant}#${e.event_id}`,
        gsi1pk: `${e.event_type}#${instant.slice(0, 10)}`,
        gsi1sk: `${instant}#${e.event_id}`,
        ...e,
        shard_id: SHARD,
        sequence_number: seq(sequence),
        ...placed("pk"),
        approximate_arrival_timestamp: ARRIVAL,
        processed_at: new Date(NOW).toISOString(),
        expires_at: Math.floor(Date.parse(e.occurred_at) / 1000) + TTL,
        ...extra,
    };
}

const byKey = (items: Record<string, unknown>[]) => [...items].sort((a, b) => (`${a.pk}|${a.sk}` < `${b.pk}|${b.sk}` ? -1 : 1));

describe("consumer handler (dynalite, SNS stubbed)", () => {
    before(async () => {
        [dynalite, s3emu] = await Promise.all([startDynalite(), startS3()]);
    });
    after(async () => {
        sns.restore();
        await Promise.all([dynalite.stop(), s3emu.stop()]);
    });
    let messageIds = 0;
    beforeEach(() => {
        sns.reset();
        sns.on(PublishCommand).callsFake(() => ({ MessageId: `msg-${++messageIds}` }));
    });

    it("writes every event of a good batch with its Kinesis metadata and enrichment", async () => {
        const h = await harness();
        const s = new Shard();
        const login = userAction("a1", "u1", "login");
        const buy = userAction("a2", "u2", "purchase", "2025-01-01T11:00:00+01:00");
        const small = order("o1", "u1", 25.5);
        const reading = sensor("r1");
        const log = {
            event_type: "log_line",
            event_id: "l1",
            occurred_at: "2025-01-01T10:03:00Z",
            source: "app",
            payload: { service: "checkout", level: "ERROR", message: "boom" },
        };
        const change = {
            event_type: "change",
            event_id: "c1",
            occurred_at: "2025-01-01T10:04:00Z",
            source: "cdc",
            payload: { table: "customers", operation: "INSERT", keys: { id: "c-1", v: 2 }, new_image: { id: "c-1", v: 2 } },
        };

        const out = await h.handler(batch(...[login, buy, small, reading, log, change].map((e) => s.record(json(e)))));
        assert.deepEqual(out, { batchItemFailures: [] });
        assert.deepEqual(
            await h.items(),
            byKey([
                expectedItem(change, "customers#c-1#2", 6),
                expectedItem(reading, "device#d-1", 4),
                expectedItem(log, "service#checkout", 5),
                expectedItem(login, "user#u1", 1, { user_segment: "active", action_score: 3 }),
                expectedItem(small, "user#u1", 3, { fraud_suspected: false, fraud_reasons: [], orders_in_minute: 1 }),
                expectedItem(buy, "user#u2", 2, { user_segment: "high_value", action_score: 10 }),
                {
                    pk: "velocity#user#u1",
                    sk: "orders#2025-01-01T10:01",
                    orders: new Set(["2025-01-01T10:01:00.000Z#o1"]),
                    expires_at: Date.parse("2025-01-01T10:01:00Z") / 1000 + TTL,
                },
            ]),
        );
        assert.equal(h.published().length, 0);
        assert.deepEqual(h.logger.problems(), []);
        assert.deepEqual(h.metrics.totals, {
            KinesisRecords: 6,
            UserRecords: 6,
            EventsWritten: 6,
            DuplicateEvents: 0,
            RecordsFailed: 0,
            RecordsNotWritten: 0,
            WriteRetries: 0,
            FraudAlerts: 0,
            QuarantinedRecords: 0,
        });
        assert.equal(h.metrics.published, 1);
    });

    it("quarantines exactly the malformed records with their reasons, reports none of them, and commits the good ones", async () => {
        const h = await harness();
        const s = new Shard();
        const badSum = aggregate([json(userAction("k1", "u1", "login")), json(userAction("k2", "u1", "login"))]);
        badSum[badSum.length - 1]! ^= 0x01;
        const schemaBad = json({ ...order("o1", "u1", 5), payload: { order_id: "o1", user_id: "u1", amount: -5, currency: "eur" } });
        const event = batch(
            s.record(json(userAction("g1", "u1", "login"))),
            s.record("not*base64"),
            s.record(Buffer.from("{not json")),
            s.record(schemaBad),
            s.record(json(userAction("g2", "u2", "signup"))),
            s.record(badSum),
        );
        const out = await h.handler(event);
        assert.deepEqual(out, { batchItemFailures: [] });
        assert.deepEqual(
            (await h.events()).map((i) => i.event_id),
            ["g1", "g2"],
        );
        const q = await h.quarantined();
        assert.deepEqual(
            [...q.keys()].sort(),
            [2, 3, 4, 6].map((n) => `quarantine/${SHARD}/${seq(n)}-0.json`),
        );
        const at = (n: number) => q.get(`quarantine/${SHARD}/${seq(n)}-0.json`)!;
        assert.deepEqual(at(4), {
            version: 1,
            reasonCode: "schema-invalid",
            reason: "not a valid event: payload.amount: Too small: expected number to be >=0; payload.currency: must be an ISO 4217 code such as USD",
            payload: schemaBad.toString("base64"),
            streamArn: "arn:aws:kinesis:us-east-1:123456789012:stream/events",
            shardId: SHARD,
            sequenceNumber: seq(4),
            subSequenceNumber: null,
            partitionKey: "pk",
            arrivedAt: new Date(ARRIVAL * 1000).toISOString(),
            quarantinedAt: new Date(NOW).toISOString(),
        });
        assert.deepEqual(
            [2, 3, 6].map((n) => [at(n).reasonCode, at(n).reason]),
            [
                ["not-decodable", "data is not valid base64"],
                ["not-json", at(3).reason],
                ["aggregate-checksum", "KPL aggregate has a bad MD5 checksum"],
            ],
        );
        assert.match(at(3).reason, /^data is not JSON: /);
        assert.equal(Buffer.from(at(2).payload, "base64").toString(), "not*base64", "text that is not base64 is kept as it came");
        assert.deepEqual(Buffer.from(at(6).payload, "base64"), badSum, "an aggregate that cannot be opened is kept whole");
        assert.deepEqual(
            h.logger
                .problems()
                .map((p) => [p.level, p.message, p.sequenceNumber, p.reasonCode])
                .sort((a, b) => String(a[2]).localeCompare(String(b[2]))),
            [
                ["warn", "Malformed record quarantined", seq(2), "not-decodable"],
                ["warn", "Malformed record quarantined", seq(3), "not-json"],
                ["warn", "Malformed record quarantined", seq(4), "schema-invalid"],
                ["warn", "Malformed record quarantined", seq(6), "aggregate-checksum"],
            ],
        );
        assert.equal(h.metrics.totals.QuarantinedRecords, 4);
        assert.equal(h.metrics.totals.RecordsFailed, 0);
    });

    it("quarantines a poison user record of an aggregate alone and writes its neighbours, with their own keys and explicit hash keys", async () => {
        const h = await harness();
        const s = new Shard();
        const ehk = "170141183460469231731687303715884105728";
        const agg = encodeAggregate([
            { partitionKey: "user#u1", explicitHashKey: ehk, data: json(userAction("n0", "u1", "login")) },
            { partitionKey: "user#u2", data: Buffer.from("{poison") },
            { partitionKey: "user#u3", data: json(userAction("n2", "u3", "click")) },
        ]);
        const out = await h.handler(batch(s.record(agg, "user#u1")));
        assert.deepEqual(out, { batchItemFailures: [] });
        const events = await h.events();
        assert.deepEqual(
            events.map((i) => [i.event_id, i.sub_sequence_number, i.partition_key, i.explicit_hash_key, i.hash_key]),
            [
                ["n0", 0, "user#u1", ehk, ehk],
                ["n2", 2, "user#u3", undefined, md5Key("user#u3")],
            ],
        );
        const q = [...(await h.quarantined()).values()];
        assert.deepEqual(
            q.map((r) => [r.sequenceNumber, r.subSequenceNumber, r.reasonCode, r.partitionKey, r.explicitHashKey, Buffer.from(r.payload, "base64").toString()]),
            [[seq(1), 1, "not-json", "user#u2", undefined, "{poison"]],
        );
        assert.match(q[0]!.reason, /^user record 1: data is not JSON: /);
        assert.equal(h.metrics.totals.UserRecords, 3);
    });

    it("reports the record when its quarantine write fails, so nothing is lost", async () => {
        const refusing = { send: async () => Promise.reject(Object.assign(new Error("Access Denied"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } })) };
        const h = await harness({ s3: refusing });
        const s = new Shard();
        const out = await h.handler(batch(s.record(json(userAction("g1", "u1", "login"))), s.record(Buffer.from("{not json"))));
        assert.deepEqual(out, { batchItemFailures: [{ itemIdentifier: seq(2) }] });
        assert.deepEqual(
            (await h.events()).map((i) => i.event_id),
            ["g1"],
        );
        assert.deepEqual(
            h.logger.problems().map((p) => [p.level, p.message, p.sequenceNumber, p.error]),
            [["error", "Malformed record not quarantined", seq(2), "QuarantineWriteError"]],
        );
        assert.match(String(h.logger.problems()[0]!.reason), new RegExp(`^quarantining quarantine/${SHARD}/${seq(2)}-0.json failed: AccessDenied: Access Denied$`));
        assert.equal(h.metrics.totals.QuarantinedRecords, 0);
    });

    it("quarantines a batch of nothing but bad records record by record instead of throwing", async () => {
        const h = await harness();
        const s = new Shard();
        const out = await h.handler(batch(s.record("!!!!"), s.record(json({ hello: "world" }))));
        assert.deepEqual(out, { batchItemFailures: [] });
        assert.deepEqual(await h.items(), []);
        assert.equal((await h.quarantined()).size, 2);
    });

    it("deaggregates KPL records and stores each user record's subsequence number", async () => {
        const h = await harness();
        const s = new Shard();
        const first = [userAction("k0", "u1", "login"), userAction("k1", "u2", "page_view"), sensor("k2")];
        const second = [userAction("k3", "u3", "click"), userAction("k4", "u1", "premium_feature")];
        const plain = userAction("p0", "u4", "search");
        const out = await h.handler(batch(s.record(aggregate(first.map(json))), s.record(json(plain)), s.record(aggregate(second.map(json)))));
        assert.deepEqual(out, { batchItemFailures: [] });
        const items = await h.events();
        assert.deepEqual(items.map((i) => [i.event_id, i.sequence_number, i.sub_sequence_number]).sort(), [
            ["k0", seq(1), 0],
            ["k1", seq(1), 1],
            ["k2", seq(1), 2],
            ["k3", seq(3), 0],
            ["k4", seq(3), 1],
            ["p0", seq(2), undefined],
        ]);
        assert.deepEqual(
            items.find((i) => i.event_id === "k4"),
            expectedItem(second[1]!, "user#u1", 3, { sub_sequence_number: 1, ...placed("pk-1"), user_segment: "high_value", action_score: 7 }),
        );
        assert.equal(h.metrics.totals.UserRecords, 6);
    });

    it("rewrites the same items when a batch is retried: no duplicates, no second alert", async () => {
        let now = NOW;
        const h = await harness({ now: () => now });
        const s = new Shard();
        const event = batch(
            s.record(json(userAction("a1", "u1", "login"))),
            s.record(json(order("big", "u1", 50_000))),
            s.record(aggregate([json(order("o2", "u1", 10)), json(sensor("r1"))])),
        );
        assert.deepEqual(await h.handler(event), { batchItemFailures: [] });
        const first = await h.items();
        now += 60_000;
        assert.deepEqual(await h.handler(event), { batchItemFailures: [] });
        const second = await h.items();
        assert.equal(second.length, first.length);
        // Only processed_at tells the two runs apart.
        assert.deepEqual(
            second.map((i) => ({ ...i, processed_at: undefined })),
            first.map((i) => ({ ...i, processed_at: undefined })),
        );
        assert.ok(second.filter((i) => i.processed_at).every((i) => i.processed_at === new Date(now).toISOString()));
        assert.equal(h.published().length, 1);
        assert.deepEqual(h.metrics.totals.FraudAlerts, 1);
    });

    it("writes an event the producer put twice in one batch once, owned by both records", async () => {
        const h = await harness();
        const s = new Shard();
        const e = userAction("dup", "u1", "login");
        assert.deepEqual(await h.handler(batch(s.record(json(e)), s.record(json(e)))), { batchItemFailures: [] });
        assert.deepEqual(await h.events(), [expectedItem(e, "user#u1", 1, { user_segment: "active", action_score: 3 })]);
        assert.equal(h.metrics.totals.DuplicateEvents, 1);
    });

    it("alerts once for an order at or above the amount threshold", async () => {
        const h = await harness();
        const s = new Shard();
        const big = order("o-big", "u7", 10_000);
        const out = await h.handler(batch(s.record(json(order("o-small", "u7", 9_999.99, "2025-01-01T10:00:59Z"))), s.record(json(big))));
        assert.deepEqual(out, { batchItemFailures: [] });
        const published = h.published();
        assert.equal(published.length, 1);
        assert.equal(published[0]!.TopicArn, TOPIC);
        assert.equal(published[0]!.Subject, "Fraud suspected: order o-big");
        assert.deepEqual(published[0]!.MessageAttributes, { alert_type: { DataType: "String", StringValue: "fraud_suspected" } });
        assert.deepEqual(JSON.parse(String(published[0]!.Message)), {
            alert_type: "fraud_suspected",
            alert_id: "fraud#o-big",
            order_id: "o-big",
            user_id: "u7",
            amount: 10_000,
            currency: "EUR",
            event_id: "evt-o-big",
            occurred_at: "2025-01-01T10:01:00Z",
            reasons: ["amount"],
            orders_in_minute: 1,
            thresholds: { amount: 10_000, orders_per_minute: 5 },
            kinesis: { shard_id: SHARD, sequence_number: seq(2), ...placed("pk"), approximate_arrival_timestamp: ARRIVAL },
        });
        const items = await h.items();
        const marker = items.find((i) => i.pk === "alert#order#o-big");
        assert.deepEqual(
            { ...marker, attempt_id: typeof marker?.attempt_id },
            {
                pk: "alert#order#o-big",
                sk: "fraud-alert",
                status: "sent",
                attempt_id: "string",
                lease_until: NOW + 900_000 + 5_000,
                order_id: "o-big",
                user_id: "u7",
                event_id: "evt-o-big",
                reasons: ["amount"],
                claimed_at: new Date(NOW).toISOString(),
                sent_at: new Date(NOW).toISOString(),
                message_id: `msg-${messageIds}`,
                expires_at: Date.parse("2025-01-01T10:01:00Z") / 1000 + TTL,
            },
        );
        assert.equal(items.filter((i) => String(i.pk).startsWith("alert#")).length, 1);
        assert.deepEqual(
            (await h.events()).map((i) => [i.event_id, i.fraud_suspected, i.fraud_reasons]),
            [
                ["evt-o-small", false, []],
                ["evt-o-big", true, ["amount"]],
            ],
        );
    });

    it("alerts once for the user's 5th order of a minute, counted in stream order across records, aggregates and batches", async () => {
        const h = await harness();
        const s = new Shard();
        const at = (sec: number) => `2025-01-01T10:01:${String(sec).padStart(2, "0")}Z`;
        // One batch: orders 1–3 of u9 in three records (processed in parallel), another user's orders, a later minute.
        const first = batch(
            s.record(json(order("v1", "u9", 10, at(1)))),
            s.record(json(order("v2", "u9", 10, at(2)))),
            s.record(json(order("x1", "u8", 10, at(3)))),
            s.record(json(order("v3", "u9", 10, at(4)))),
            s.record(json(order("next-minute", "u9", 10, "2025-01-01T10:02:00Z"))),
        );
        assert.deepEqual(await h.handler(first), { batchItemFailures: [] });
        assert.equal(h.published().length, 0);
        // The next batch: orders 4 and 5 in one KPL aggregate, then a 6th order.
        const second = batch(s.record(aggregate([json(order("v4", "u9", 10, at(5))), json(order("v5", "u9", 10, at(6)))])), s.record(json(order("v6", "u9", 10, at(7)))));
        assert.deepEqual(await h.handler(second), { batchItemFailures: [] });

        const published = h.published();
        assert.deepEqual(
            published.map((p) => p.Subject),
            ["Fraud suspected: order v5", "Fraud suspected: order v6"],
        );
        const message = JSON.parse(String(published[0]!.Message));
        assert.deepEqual(message, {
            alert_type: "fraud_suspected",
            alert_id: "fraud#v5",
            order_id: "v5",
            user_id: "u9",
            amount: 10,
            currency: "EUR",
            event_id: "evt-v5",
            occurred_at: at(6),
            reasons: ["velocity"],
            orders_in_minute: 5,
            thresholds: { amount: 10_000, orders_per_minute: 5 },
            kinesis: { shard_id: SHARD, sequence_number: seq(6), sub_sequence_number: 1, ...placed("pk-1"), approximate_arrival_timestamp: ARRIVAL },
        });
        const ranks = Object.fromEntries((await h.events()).map((i) => [i.event_id, [i.orders_in_minute, i.fraud_suspected]]));
        assert.deepEqual(ranks, {
            "evt-v1": [1, false],
            "evt-v2": [2, false],
            "evt-x1": [1, false],
            "evt-v3": [3, false],
            "evt-next-minute": [1, false],
            "evt-v4": [4, false],
            "evt-v5": [5, true],
            "evt-v6": [6, true],
        });
        // Replaying both batches changes nothing.
        await h.handler(first);
        await h.handler(second);
        assert.equal(h.published().length, 2);
    });

    it("ranks five orders of one batch correctly although their records run in parallel", async () => {
        const h = await harness({ config: { fraudOrdersPerMinute: 5 } });
        const s = new Shard();
        const records = [1, 2, 3, 4, 5].map((n) => s.record(json(order(`p${n}`, "u5", 1, `2025-01-01T10:01:0${n}Z`))));
        assert.deepEqual(await h.handler(batch(...records)), { batchItemFailures: [] });
        assert.deepEqual(
            h.published().map((p) => p.Subject),
            ["Fraud suspected: order p5"],
        );
        assert.deepEqual(
            (await h.events()).map((i) => i.orders_in_minute),
            [1, 2, 3, 4, 5],
        );
    });

    it("fails the record when SNS refuses the alert, removes the marker, and publishes once on the retry", async () => {
        const h = await harness();
        const s = new Shard();
        sns.reset();
        sns.on(PublishCommand)
            .rejectsOnce(Object.assign(new Error("KMS key disabled"), { name: "KMSDisabledException" }))
            .resolves({ MessageId: "msg-retry" });
        const event = batch(s.record(json(userAction("a1", "u1", "login"))), s.record(json(order("o-big", "u1", 20_000))), s.record(json(userAction("a2", "u1", "login"))));

        assert.deepEqual(await h.handler(event), { batchItemFailures: [{ itemIdentifier: seq(2) }] });
        assert.equal((await h.items()).filter((i) => String(i.pk).startsWith("alert#")).length, 0);
        assert.deepEqual(
            (await h.events()).map((i) => i.event_id),
            ["a1", "a2"],
        );
        assert.deepEqual(h.logger.problems(), [
            {
                level: "error",
                message: "Record failed",
                shardId: SHARD,
                sequenceNumber: seq(2),
                reason: "publishing the alert for order o-big failed: KMS key disabled",
                error: "AlertPublishError",
            },
        ]);

        // Lambda retries from the failed record on.
        assert.deepEqual(await h.handler(batch(event.Records[1]!, event.Records[2]!)), { batchItemFailures: [] });
        assert.equal(sns.commandCalls(PublishCommand).length, 2);
        const marker = (await h.items()).find((i) => i.pk === "alert#order#o-big");
        assert.equal(marker?.status, "sent");
        assert.equal(marker?.message_id, "msg-retry");
        await h.handler(event);
        assert.equal(sns.commandCalls(PublishCommand).length, 2);
    });

    it("takes over a claim left by an invocation that died, and waits for one still running", async () => {
        const h = await harness();
        const s = new Shard();
        const doc = dynalite.documentClient();
        const claim = (orderId: string, leaseUntil: number) =>
            doc.send(
                new PutCommand({
                    TableName: h.table,
                    Item: {
                        pk: `alert#order#${orderId}`,
                        sk: "fraud-alert",
                        status: "publishing",
                        attempt_id: "dead",
                        lease_until: leaseUntil,
                        order_id: orderId,
                        user_id: "u1",
                        event_id: "x",
                        reasons: ["amount"],
                        claimed_at: "x",
                        expires_at: 1,
                    },
                }),
            );
        await claim("o-lapsed", NOW - 1);
        await claim("o-live", NOW + 60_000);
        const out = await h.handler(batch(s.record(json(order("o-lapsed", "u1", 20_000))), s.record(json(order("o-live", "u2", 20_000)))));
        assert.deepEqual(out, { batchItemFailures: [{ itemIdentifier: seq(2) }] });
        assert.deepEqual(
            h.published().map((p) => p.Subject),
            ["Fraud suspected: order o-lapsed"],
        );
        assert.deepEqual(
            h.logger.problems().map((p) => p.reason),
            ["the alert for order o-live is being published by another invocation"],
        );
    });

    it("publishes when the SDK resent its own claim after a lost response (the marker already holds its attempt)", async () => {
        // The first claim put reaches the table but its response is lost; the SDK's resend then fails
        // its condition against the marker the first one wrote.
        let resent = false;
        const wrap = (doc: DynamoDBDocumentClient): Pick<DynamoDBDocumentClient, "send"> => ({
            send: (async (command: unknown) => {
                if (resent || !(command instanceof PutCommand) || !String(command.input.Item?.pk).startsWith("alert#")) return doc.send(command as never);
                resent = true;
                await doc.send(command);
                return doc.send(command);
            }) as DynamoDBDocumentClient["send"],
        });
        const h = await harness({ wrap });
        const s = new Shard();
        assert.deepEqual(await h.handler(batch(s.record(json(order("o-resent", "u1", 20_000))))), { batchItemFailures: [] });
        assert.ok(resent, "the claim went through the resend");
        assert.deepEqual(
            h.published().map((p) => p.Subject),
            ["Fraud suspected: order o-resent"],
        );
        assert.equal((await h.items()).find((i) => i.pk === "alert#order#o-resent")?.status, "sent");
    });

    it("writes the finished records' items while an order's fraud calls are still in flight", async () => {
        // The order's velocity update is held until a BatchWriteItem call has been sent (or 2 s have passed).
        let wrote!: () => void;
        const written = new Promise<void>((resolve) => (wrote = resolve));
        let overlapped = false;
        const wrap = (doc: DynamoDBDocumentClient): Pick<DynamoDBDocumentClient, "send"> => ({
            send: (async (command: unknown) => {
                if (command instanceof BatchWriteCommand) wrote();
                if (command instanceof UpdateCommand) overlapped = await Promise.race([written.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 2_000))]);
                return doc.send(command as never);
            }) as DynamoDBDocumentClient["send"],
        });
        const h = await harness({ wrap });
        const s = new Shard();
        const records = [s.record(json(order("o1", "u0", 10)))];
        for (let i = 1; i <= 25; i++) records.push(s.record(json(userAction(`a${i}`, `u${i}`, "login"))));
        assert.deepEqual(await h.handler(batch(...records)), { batchItemFailures: [] });
        assert.ok(overlapped, "25 items were written before the order's velocity update went out");
        const events = await h.events();
        assert.equal(events.length, 26);
        assert.equal(events.find((i) => i.event_id === "evt-o1")?.orders_in_minute, 1);
        assert.equal(h.metrics.totals.EventsWritten, 26);
    });

    it("retries UnprocessedItems and fails only the records whose items never got written", async () => {
        const calls: number[] = [];
        let stubborn = "";
        // Returns part of every call as unprocessed: the second half for the first two calls, and the
        // stubborn item always.
        const wrap = (doc: DynamoDBDocumentClient): Pick<DynamoDBDocumentClient, "send"> => ({
            send: (async (command: unknown) => {
                if (!(command instanceof BatchWriteCommand)) return doc.send(command as never);
                const [table, requests] = Object.entries(command.input.RequestItems ?? {})[0]!;
                calls.push(requests.length);
                const held = requests.filter((r, i) => r.PutRequest?.Item?.event_id === stubborn || (calls.length <= 2 && i >= requests.length / 2));
                const sent = requests.filter((r) => !held.includes(r));
                if (sent.length > 0) await doc.send(new BatchWriteCommand({ RequestItems: { [table]: sent } }));
                return { UnprocessedItems: held.length > 0 ? { [table]: held } : {}, $metadata: {} };
            }) as DynamoDBDocumentClient["send"],
        });
        const h = await harness({ wrap });
        const s = new Shard();
        stubborn = "e-7";
        const events = Array.from({ length: 30 }, (_, i) => userAction(`e-${i}`, `u${i}`, "click"));
        const records = events.map((e) => s.record(json(e)));
        records.push(s.record(json(events[7]))); // the stubborn event again, in a later record
        const out = await h.handler(batch(...records));
        assert.deepEqual(out, { batchItemFailures: [{ itemIdentifier: seq(8) }, { itemIdentifier: seq(31) }] });
        assert.equal((await h.events()).length, 29);
        assert.deepEqual(calls.slice(0, 2), [25, 5]);
        assert.equal(calls.length, 8 + 2); // the chunk holding the stubborn item: all 8 attempts; the other chunk: 2
        assert.deepEqual(h.logger.problems(), [
            {
                level: "error",
                message: "Items not written",
                count: 1,
                sequenceNumbers: [seq(8), seq(31)],
                items: [{ eventId: "e-7", sequenceNumbers: [seq(8), seq(31)], reason: "still unprocessed after 8 BatchWriteItem calls" }],
            },
        ]);
        assert.equal(h.metrics.totals.RecordsNotWritten, 2);
        assert.ok(h.metrics.totals.WriteRetries! > 0);
    });

    it("quarantines a record whose item would exceed DynamoDB's 400 KB and writes the rest", async () => {
        const h = await harness();
        const s = new Shard();
        const image = { id: "c-1", blob: "x".repeat(250_000) };
        const huge = {
            event_type: "change",
            event_id: "c-huge",
            occurred_at: "2025-01-01T10:00:00Z",
            source: "cdc",
            payload: { table: "t", operation: "MODIFY", keys: { id: "c-1" }, new_image: image, old_image: image },
        };
        const out = await h.handler(batch(s.record(json(userAction("a1", "u1", "login"))), s.record(json(huge))));
        assert.deepEqual(out, { batchItemFailures: [] });
        const [q] = [...(await h.quarantined()).values()];
        assert.equal(q!.reasonCode, "schema-invalid");
        assert.match(q!.reason, /^event c-huge makes an item of about \d+ bytes, over DynamoDB's 409600$/);
        assert.deepEqual(
            (await h.events()).map((i) => i.event_id),
            ["a1"],
        );
    });

    it("reports an aggregate whose items DynamoDB keeps throttling, and still quarantines its poison record", async () => {
        const throttled = (doc: DynamoDBDocumentClient): Pick<DynamoDBDocumentClient, "send"> => ({
            send: (async (command: unknown) => {
                if (command instanceof BatchWriteCommand)
                    throw Object.assign(new Error("Rate of requests exceeds the allowed throughput."), {
                        name: "ProvisionedThroughputExceededException",
                        $metadata: { httpStatusCode: 400 },
                    });
                return doc.send(command as never);
            }) as DynamoDBDocumentClient["send"],
        });
        const h = await harness({ wrap: throttled });
        const s = new Shard();
        const agg = encodeAggregate([
            { partitionKey: "user#u1", data: json(userAction("t0", "u1", "login")) },
            { partitionKey: "user#u2", data: json({ event_type: "user_action" }) },
        ]);
        const out = await h.handler(batch(s.record(agg), s.record(Buffer.from("[]"))));
        assert.deepEqual(out, { batchItemFailures: [{ itemIdentifier: seq(1) }] }, "only the transient failure is reported");
        assert.deepEqual(
            [...(await h.quarantined()).values()].map((r) => [r.sequenceNumber, r.subSequenceNumber, r.reasonCode]),
            [
                [seq(1), 1, "schema-invalid"],
                [seq(2), null, "schema-invalid"],
            ],
        );
        assert.equal(h.metrics.totals.RecordsNotWritten, 1);
    });

    it("fails only the record whose item DynamoDB cannot hold (a number out of range), not its call's neighbours", async () => {
        const h = await harness();
        const s = new Shard();
        const infinite = Buffer.from(
            '{"event_type":"change","event_id":"c-inf","occurred_at":"2025-01-01T10:00:00Z","source":"app","payload":{"table":"t","operation":"INSERT","keys":{"id":"x"},"new_image":{"n":1e400}}}',
        );
        const out = await h.handler(batch(s.record(json(userAction("a1", "u1", "login"))), s.record(infinite), s.record(json(userAction("a2", "u2", "login")))));
        assert.deepEqual(out, { batchItemFailures: [{ itemIdentifier: seq(2) }] });
        assert.deepEqual(
            (await h.events()).map((i) => i.event_id),
            ["a1", "a2"],
        );
        assert.deepEqual(
            h.logger.problems().map((p) => p.items),
            [[{ eventId: "c-inf", sequenceNumbers: [seq(2)], reason: "Error: Special numeric value Infinity is not allowed" }]],
        );
    });

    it("adapts DynamoDB change records", async () => {
        const h = await harness();
        const s = new Shard();
        const cdc = {
            awsRegion: "us-east-1",
            eventID: "5f1b3a9e-0c1d-4b8e-9f7a-2a6c1e0d9b11",
            eventName: "MODIFY",
            userIdentity: null,
            recordFormat: "application/json",
            tableName: "customers",
            dynamodb: {
                ApproximateCreationDateTime: 1735725840123,
                Keys: { id: { S: "c-1" } },
                NewImage: { id: { S: "c-1" }, tier: { S: "gold" }, points: { N: "12345678901234567890" }, tags: { SS: ["a", "b"] } },
                OldImage: { id: { S: "c-1" }, tier: { S: "silver" }, points: { N: "10" } },
                SizeBytes: 80,
            },
            eventSource: "aws:dynamodb",
        };
        assert.deepEqual(await h.handler(batch(s.record(json(cdc)))), { batchItemFailures: [] });
        assert.deepEqual(await h.events(), [
            expectedItem(
                {
                    event_type: "change",
                    event_id: cdc.eventID,
                    occurred_at: "2025-01-01T10:04:00.123Z",
                    source: "dynamodb-cdc",
                    payload: {
                        table: "customers",
                        operation: "MODIFY",
                        keys: { id: "c-1" },
                        new_image: { id: "c-1", tier: "gold", points: NumberValue.from("12345678901234567890"), tags: new Set(["a", "b"]) },
                        old_image: { id: "c-1", tier: "silver", points: 10 },
                    },
                },
                "customers#c-1",
                1,
            ),
        ]);
    });

    it("adapts CloudWatch Logs subscription records and accepts control messages", async () => {
        const h = await harness();
        const s = new Shard();
        const data = gzipSync(
            json({
                messageType: "DATA_MESSAGE",
                owner: "123456789012",
                logGroup: "/aws/lambda/checkout",
                logStream: "2025/01/01/[$LATEST]abcdef",
                subscriptionFilters: ["kinesis-streaming-dev-to-kinesis"],
                logEvents: [
                    { id: "38000000000000000000000000000000000000000000000000000001", timestamp: 1735725600000, message: "2025-01-01T10:00:00.000Z\tr-1\tINFO\tstarted" },
                    { id: "38000000000000000000000000000000000000000000000000000002", timestamp: 1735725600001, message: '{"level":"ERROR","message":"card declined"}' },
                ],
            }),
        );
        const control = gzipSync(
            json({
                messageType: "CONTROL_MESSAGE",
                owner: "CloudwatchLogs",
                logGroup: "",
                logStream: "",
                subscriptionFilters: [],
                logEvents: [{ id: "", timestamp: 1735725600000, message: "CWL CONTROL MESSAGE: Checking health of destination Kinesis stream." }],
            }),
        );
        assert.deepEqual(await h.handler(batch(s.record(control), s.record(data))), { batchItemFailures: [] });
        const items = await h.events();
        assert.deepEqual(
            items.map((i) => [i.pk, i.event_id, (i.payload as { level: string }).level, i.sequence_number]),
            [
                ["service#/aws/lambda/checkout", "38000000000000000000000000000000000000000000000000000001", "INFO", seq(2)],
                ["service#/aws/lambda/checkout", "38000000000000000000000000000000000000000000000000000002", "ERROR", seq(2)],
            ],
        );
        assert.deepEqual(h.metrics.totals.UserRecords, 2);
    });

    describe("sample events under events/consumer", () => {
        const load = (name: string) => JSON.parse(readFileSync(join(__dirname, "../../events/consumer", name), "utf8")) as KinesisStreamEvent;

        it("good-batch.json: every record committed", async () => {
            const h = await harness();
            const event = load("good-batch.json");
            assert.deepEqual(await h.handler(event), { batchItemFailures: [] });
            assert.equal((await h.events()).length, h.metrics.totals.EventsWritten);
            assert.deepEqual(h.logger.problems(), []);
        });

        it("malformed-batch.json: the malformed records are quarantined, none reported, the rest committed", async () => {
            const h = await harness();
            const event = load("malformed-batch.json");
            const out = await h.handler(event);
            assert.deepEqual(out, { batchItemFailures: [] });
            const q = [...(await h.quarantined()).values()];
            assert.deepEqual(q.map((r) => event.Records.findIndex((e) => e.kinesis.sequenceNumber === r.sequenceNumber)).sort(), [1, 2, 3, 4]);
            assert.equal((await h.events()).length, 2);
        });

        it("kpl-aggregated-batch.json: every user record committed", async () => {
            const h = await harness();
            const event = load("kpl-aggregated-batch.json");
            assert.deepEqual(await h.handler(event), { batchItemFailures: [] });
            assert.ok(h.metrics.totals.UserRecords! > event.Records.length);
            assert.equal((await h.events()).length, h.metrics.totals.UserRecords);
        });
    });
});
