// The consumer's pure modules, without AWS: decoding, adapters, enrichment, the fraud rule, items,
// configuration, the in-order gate and the batch writer (on a scripted client).
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import * as fc from "fast-check";
import * as kinesisAgg from "aws-kinesis-agg";
import type { KinesisStreamRecord } from "aws-lambda";
import { BatchWriteCommand, NumberValue, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { adaptUserRecord, instantFromCreationTime, levelOf, serviceOf } from "../../functions/shared/adapters";
import { decodeBase64, RecordDecodeError, userRecordsOf } from "../../functions/shared/deaggregate";
import { ACTION_TYPES, partitionKeyOf, type StreamEvent } from "../../functions/shared/events";
import { eventKeys, minuteOf, utcInstant } from "../../functions/shared/results-table";
import { backoffDelay, type BatchWriterOptions, classify, ItemWriter, type WriteOutcome } from "../../functions/consumer/batch-writer";
import { consumerEnvironment, readConsumerEnv as readConfig } from "../../contracts/env/consumer";
import { decodeRecord, shardIdOf } from "../../functions/consumer/decode";
import { actionScore, userSegment } from "../../functions/consumer/enrich";
import { alertMessage, fraudReasons, rankOf, velocityMember } from "../../functions/consumer/fraud-rule";
import { InOrderPerKey } from "../../functions/consumer/in-order";
import { attributeSize, buildEventItem, expiresAtOf, itemSize, MergedWrites } from "../../functions/consumer/items";

/** Every item through one ItemWriter, as the handler hands them over. */
async function writeItems(
    doc: ConstructorParameters<typeof ItemWriter>[0],
    tableName: string,
    items: readonly object[],
    options: Partial<BatchWriterOptions> = {},
    deadline = Infinity,
): Promise<WriteOutcome> {
    const writer = new ItemWriter(doc, tableName, options, deadline);
    for (const item of items) writer.add(item);
    return writer.finish();
}
import type { Order } from "../../functions/consumer/types";

type Aggregator = { addUserRecord(r: { partitionKey: string; data: Buffer }): void; build(): { data: Buffer; partitionKey: string } };
const { RecordAggregator } = kinesisAgg as unknown as { RecordAggregator: new () => Aggregator };

const SEQ = "49590338271490256608559692538361571095921575989136588898";

/** md5("pk") as a decimal: the hash key a record with partition key "pk" and no explicit hash key is placed by. */
const PK_HASH = BigInt(`0x${createHash("md5").update("pk").digest("hex")}`).toString();

function kinesisRecord(data: Buffer | string, sequenceNumber = SEQ): KinesisStreamRecord {
    return {
        kinesis: {
            kinesisSchemaVersion: "1.0",
            partitionKey: "pk",
            sequenceNumber,
            data: typeof data === "string" ? data : data.toString("base64"),
            approximateArrivalTimestamp: 1735725600.5,
        },
        eventSource: "aws:kinesis",
        eventVersion: "1.0",
        eventID: `shardId-000000000003:${sequenceNumber}`,
        eventName: "aws:kinesis:record",
        invokeIdentityArn: "arn:aws:iam::123456789012:role/consumer",
        awsRegion: "us-east-1",
        eventSourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/events",
    };
}

const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

const action = (id: string, act: string, at = "2025-01-01T10:00:00Z"): Record<string, unknown> => ({
    event_type: "user_action",
    event_id: id,
    occurred_at: at,
    source: "web",
    payload: { user_id: "u1", action_type: act },
});

function order(id: string, amount: number, at = "2025-01-01T10:00:00Z", user = "u1"): Order {
    return { event_type: "order", event_id: `e-${id}`, occurred_at: at, source: "shop", payload: { order_id: id, user_id: user, amount, currency: "EUR" } };
}

function aggregate(payloads: Buffer[]): Buffer {
    const agg = new RecordAggregator();
    payloads.forEach((data, i) => agg.addUserRecord({ partitionKey: `user#u${i}`, data }));
    return agg.build().data;
}

describe("consumer: decoding", () => {
    it("accepts strict base64 only", () => {
        assert.deepEqual(decodeBase64("eyJhIjoxfQ=="), Buffer.from('{"a":1}'));
        assert.deepEqual(decodeBase64(""), Buffer.alloc(0));
        for (const bad of ["eyJhIjoxfQ", "ey$hIjoxfQ==", "e=Jh", "eyJh IjoxfQ=="]) {
            assert.throws(
                () => decodeBase64(bad),
                (e: Error) => e instanceof RecordDecodeError && e.message === "data is not valid base64",
                bad,
            );
        }
    });

    it("reads a plain record as one user record and an aggregate as its user records", () => {
        const plain = userRecordsOf({ data: json({ a: 1 }).toString("base64"), partitionKey: "k" });
        assert.deepEqual(plain, [{ data: json({ a: 1 }), subSequenceNumber: undefined, partitionKey: "k" }]);

        const agg = aggregate([json({ n: 0 }), json({ n: 1 }), json({ n: 2 })]);
        const users = userRecordsOf({ data: agg.toString("base64"), partitionKey: "user#u0" });
        assert.deepEqual(
            users.map((u) => [u.subSequenceNumber, u.partitionKey, JSON.parse(u.data.toString())]),
            [0, 1, 2].map((n) => [n, `user#u${n}`, { n }]),
        );
    });

    it("rejects an aggregate with a bad checksum or a broken body", () => {
        const agg = aggregate([json({ n: 0 }), json({ n: 1 })]);
        const badSum = Buffer.from(agg);
        badSum[badSum.length - 1]! ^= 0xff;
        const badBody = Buffer.from(agg);
        badBody[8]! ^= 0xff;
        const truncated = agg.subarray(0, 10);
        const cases: [string, Buffer, RegExp][] = [
            ["checksum", badSum, /^KPL aggregate has a bad MD5 checksum$/],
            ["body", badBody, /^KPL aggregate has a bad MD5 checksum$/],
            ["truncated", truncated, /^KPL aggregate (cannot be decoded|has a bad MD5 checksum)/],
        ];
        for (const [name, data, reason] of cases) {
            assert.throws(
                () => userRecordsOf({ data: data.toString("base64"), partitionKey: "k" }),
                (e: Error) => e instanceof RecordDecodeError && reason.test(e.message),
                name,
            );
        }
    });

    it("takes the shard id from the eventID", () => {
        assert.equal(shardIdOf(`shardId-000000000006:${SEQ}`), "shardId-000000000006");
        assert.equal(shardIdOf("no-colon"), "no-colon");
    });

    it("decodes a record into validated events with their Kinesis metadata", () => {
        const d = decodeRecord(kinesisRecord(json({ ...action("e1", "login"), extra: "dropped" })));
        assert.deepEqual(d, {
            shardId: "shardId-000000000003",
            sequenceNumber: SEQ,
            userRecords: 1,
            users: [
                {
                    user: { data: json({ ...action("e1", "login"), extra: "dropped" }), subSequenceNumber: undefined, partitionKey: "pk" },
                    events: [
                        {
                            event: action("e1", "login"),
                            meta: { shard_id: "shardId-000000000003", sequence_number: SEQ, partition_key: "pk", hash_key: PK_HASH, approximate_arrival_timestamp: 1735725600.5 },
                            feed: "envelope",
                        },
                    ],
                },
            ],
            poison: [],
        });
        const agg = decodeRecord(kinesisRecord(aggregate([json(action("a", "login")), json(action("b", "purchase"))])));
        assert.deepEqual(
            agg.users.flatMap((u) => u.events).map((e) => [e.event.event_id, e.meta.sub_sequence_number, e.meta.partition_key]),
            [
                ["a", 0, "user#u0"],
                ["b", 1, "user#u1"],
            ],
        );
    });

    it("names why a user record is poison, and sorts it into its reason code", () => {
        // JSON.parse's own wording differs between Node versions: only its prefix is pinned.
        const cases: [string, Buffer | string, string, RegExp, number | null][] = [
            ["not base64", "%%%%", "not-decodable", /^data is not valid base64$/, null],
            ["not JSON", Buffer.from("hello"), "not-json", /^data is not JSON: Unexpected token/, null],
            ["not UTF-8", Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), "not-json", /^data is not UTF-8 text$/, null],
            ["schema", json({ ...action("e1", "login"), occurred_at: "yesterday" }), "schema-invalid", /^not a valid event: occurred_at: Invalid ISO datetime$/, null],
            [
                "unknown type",
                json({ event_type: "nope", event_id: "x" }),
                "schema-invalid",
                /^not a valid event: event_type: Invalid discriminator value\. Expected 'user_action' \| 'order' \| 'sensor_reading' \| 'log_line' \| 'change'$/,
                null,
            ],
            ["malformed CDC", json({ eventSource: "aws:dynamodb", eventName: "NOPE" }), "schema-invalid", /^DynamoDB change record is malformed: /, null],
            ["aggregate member", aggregate([json(action("a", "login")), Buffer.from("{")]), "not-json", /^user record 1: data is not JSON: /, 1],
        ];
        for (const [name, data, code, reason, sub] of cases) {
            const d = decodeRecord(kinesisRecord(data));
            assert.equal(d.poison.length, 1, name);
            const [p] = d.poison;
            assert.deepEqual([p!.reasonCode, p!.subSequenceNumber], [code, sub], name);
            assert.match(p!.reason, reason, name);
        }
    });
});

describe("consumer: feed adapters", () => {
    const cdc = (over: Record<string, unknown> = {}, dynamodb: Record<string, unknown> = {}) => ({
        awsRegion: "us-east-1",
        eventID: "c1b2a3",
        eventName: "MODIFY",
        userIdentity: null,
        recordFormat: "application/json",
        tableName: "customers",
        dynamodb: {
            ApproximateCreationDateTime: 1735725600123,
            Keys: { id: { S: "c-1" }, version: { N: "3" } },
            NewImage: {
                id: { S: "c-1" },
                version: { N: "3" },
                tier: { S: "gold" },
                tags: { SS: ["a", "b"] },
                big: { N: "12345678901234567890" },
                pic: { B: "AAEC" },
                gone: { NULL: true },
            },
            OldImage: { id: { S: "c-1" }, version: { N: "2" }, tier: { S: "silver" } },
            SizeBytes: 90,
            ...dynamodb,
        },
        eventSource: "aws:dynamodb",
        ...over,
    });

    it("turns a DynamoDB change record into a change event with unmarshalled keys and images", () => {
        const out = adaptUserRecord(json(cdc()));
        assert.equal(out.kind, "dynamodb-cdc");
        assert.deepEqual(out.events, [
            {
                event_type: "change",
                event_id: "c1b2a3",
                occurred_at: "2025-01-01T10:00:00.123Z",
                source: "dynamodb-cdc",
                payload: {
                    table: "customers",
                    operation: "MODIFY",
                    keys: { id: "c-1", version: 3 },
                    new_image: { id: "c-1", version: 3, tier: "gold", tags: new Set(["a", "b"]), big: NumberValue.from("12345678901234567890"), pic: "AAEC", gone: null },
                    old_image: { id: "c-1", version: 2, tier: "silver" },
                },
            },
        ]);
    });

    it("adapts INSERT and REMOVE, and keys that are binary or too big for a JS number", () => {
        const insert = adaptUserRecord(json(cdc({ eventName: "INSERT" }, { OldImage: undefined }))).events[0] as StreamEvent;
        assert.equal(insert.event_type === "change" && insert.payload.operation, "INSERT");
        assert.equal(insert.event_type === "change" && insert.payload.old_image, undefined);
        const remove = adaptUserRecord(json(cdc({ eventName: "REMOVE" }, { NewImage: undefined, Keys: { id: { B: "AQI=" }, n: { N: "98765432109876543210" } } })))
            .events[0] as StreamEvent;
        assert.deepEqual(remove.event_type === "change" && remove.payload, {
            table: "customers",
            operation: "REMOVE",
            keys: { id: "AQI=", n: "98765432109876543210" },
            old_image: { id: "c-1", version: 2, tier: "silver" },
        });
    });

    it("reads ApproximateCreationDateTime in seconds, milliseconds or microseconds", () => {
        for (const v of [1735725600.123, 1735725600123, 1735725600123456]) assert.equal(instantFromCreationTime(v), "2025-01-01T10:00:00.123Z", String(v));
    });

    it("rejects a malformed change record", () => {
        assert.throws(() => adaptUserRecord(json(cdc({ eventName: "UPSERT" }))), /DynamoDB change record is malformed: eventName: Invalid option/);
        assert.throws(() => adaptUserRecord(json(cdc({}, { Keys: { id: { Q: "x" } } }))), /dynamodb.Keys is not DynamoDB JSON: Unsupported type passed: Q/);
    });

    const logs = (message: Record<string, unknown>): Buffer => gzipSync(json(message));

    it("turns a CloudWatch Logs data message into one log_line per log event, and a control message into none", () => {
        const out = adaptUserRecord(
            logs({
                messageType: "DATA_MESSAGE",
                owner: "123456789012",
                logGroup: "/aws/lambda/checkout",
                logStream: "2025/01/01/[$LATEST]abc",
                subscriptionFilters: ["to-kinesis"],
                logEvents: [
                    { id: "3700000000000000000000000000000000000000000000000000001", timestamp: 1735725600000, message: "2025-01-01T10:00:00.000Z\treq-1\tERROR\tboom" },
                    { id: "3700000000000000000000000000000000000000000000000000002", timestamp: 1735725601000, message: '{"level":"WARN","message":"slow"}' },
                ],
            }),
        );
        assert.equal(out.kind, "cloudwatch-logs");
        assert.deepEqual(out.events, [
            {
                event_type: "log_line",
                event_id: "3700000000000000000000000000000000000000000000000000001",
                occurred_at: "2025-01-01T10:00:00.000Z",
                source: "cloudwatch-logs",
                payload: { service: "/aws/lambda/checkout", level: "ERROR", message: "2025-01-01T10:00:00.000Z\treq-1\tERROR\tboom" },
            },
            {
                event_type: "log_line",
                event_id: "3700000000000000000000000000000000000000000000000000002",
                occurred_at: "2025-01-01T10:00:01.000Z",
                source: "cloudwatch-logs",
                payload: { service: "/aws/lambda/checkout", level: "WARN", message: '{"level":"WARN","message":"slow"}' },
            },
        ]);
        assert.deepEqual(
            adaptUserRecord(
                logs({
                    messageType: "CONTROL_MESSAGE",
                    owner: "CloudwatchLogs",
                    logGroup: "",
                    logStream: "",
                    logEvents: [{ id: "", timestamp: 1, message: "CWL CONTROL MESSAGE: Checking health of destination Kinesis stream." }],
                }),
            ),
            { kind: "cloudwatch-logs", events: [] },
        );
    });

    it("rejects broken gzip and malformed Logs messages", () => {
        const gz = logs({ messageType: "DATA_MESSAGE" });
        assert.throws(() => adaptUserRecord(gz.subarray(0, gz.length - 6)), /^RecordDecodeError: gzip data cannot be inflated: unexpected end of file$/);
        assert.throws(() => adaptUserRecord(gz), /CloudWatch Logs record is malformed: logGroup: Invalid input/);
        assert.throws(() => adaptUserRecord(gzipSync("nope")), /gzip-inflated data is not JSON/);
    });

    it("reads the level of a log line", () => {
        const cases: [string, string][] = [
            ['{"level":"ERROR","msg":"x"}', "ERROR"],
            ['{"level":"warning"}', "WARN"],
            ['{"severity":"CRITICAL"}', "FATAL"],
            ['{"levelname":"DEBUG"}', "DEBUG"],
            ['{"level":30}', "INFO"],
            ["2025-01-01T10:00:00.000Z\treq\tWARN\tslow", "WARN"],
            ["START RequestId: 1 Version: $LATEST", "INFO"],
            ["[ERROR] Runtime.ImportModuleError", "ERROR"],
            ["TRACE entering", "DEBUG"],
            ["error in lower case is not a level word", "INFO"],
            [`${"x".repeat(250)} ERROR late`, "INFO"],
            ["{not json ERROR", "ERROR"],
        ];
        for (const [message, level] of cases) assert.equal(levelOf(message), level, message);
    });

    it("shortens long log group names to a stable 128-character service name", () => {
        assert.equal(serviceOf("/aws/lambda/x"), "/aws/lambda/x");
        const long = `/aws/${"g".repeat(300)}`;
        assert.equal(serviceOf(long).length, 128);
        assert.equal(serviceOf(long), serviceOf(long));
        assert.notEqual(serviceOf(long), serviceOf(`${long}2`));
    });
});

describe("consumer: enrichment and the fraud rule", () => {
    it("segments and scores every action type as the reference does", () => {
        const expected: Record<(typeof ACTION_TYPES)[number], [string, number]> = {
            page_view: ["active", 1],
            click: ["standard", 0],
            search: ["standard", 0],
            add_to_cart: ["standard", 0],
            login: ["active", 3],
            signup: ["standard", 8],
            premium_feature: ["high_value", 7],
            purchase: ["high_value", 10],
        };
        for (const a of ACTION_TYPES) assert.deepEqual([userSegment(a), actionScore(a)], expected[a], a);
    });

    it("flags an order at or above the amount and the Nth order of a minute", () => {
        const t = { amount: 10_000, ordersPerMinute: 5 };
        const cases: [number, number, string[]][] = [
            [9_999.99, 4, []],
            [10_000, 1, ["amount"]],
            [10_000.01, 1, ["amount"]],
            [5, 5, ["velocity"]],
            [5, 6, ["velocity"]],
            [20_000, 9, ["amount", "velocity"]],
            [0, 0, []],
        ];
        for (const [amount, rank, reasons] of cases) assert.deepEqual(fraudReasons(amount, rank, t), reasons, `${amount}/${rank}`);
    });

    it("ranks an order by time then id, whatever was counted after it", () => {
        const members = ["2025-01-01T10:00:05.000Z#b", "2025-01-01T10:00:01.000Z#z", "2025-01-01T10:00:05.000Z#a"];
        assert.equal(rankOf(members, "2025-01-01T10:00:05.000Z#a"), 2);
        assert.equal(velocityMember(order("o1", 1, "2025-01-01T11:00:05+01:00")), "2025-01-01T10:00:05.000Z#o1");
        fc.assert(
            fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 59_999 }), { minLength: 1, maxLength: 30 }), fc.nat(), (offsets, pick) => {
                const members = offsets.map((ms, i) => `${new Date(Date.UTC(2025, 0, 1, 10, 0) + ms).toISOString()}#o${i}`);
                const me = members[pick % members.length]!;
                const earlierOrSame = members.filter((m) => m <= me);
                // Counting later orders too (a retry after they were added) gives the same rank.
                return rankOf(earlierOrSame, me) === rankOf(members, me);
            }),
        );
    });

    it("writes one alert message per order with a stable alert id", () => {
        const meta = { shard_id: "shardId-000000000001", sequence_number: SEQ, partition_key: "pk", hash_key: PK_HASH, approximate_arrival_timestamp: 1 };
        const m = alertMessage(order("o-7", 12_000), ["amount"], 1, { amount: 10_000, ordersPerMinute: 5 }, meta);
        assert.equal(m.subject, "Fraud suspected: order o-7");
        assert.deepEqual(JSON.parse(m.message), {
            alert_type: "fraud_suspected",
            alert_id: "fraud#o-7",
            order_id: "o-7",
            user_id: "u1",
            amount: 12_000,
            currency: "EUR",
            event_id: "e-o-7",
            occurred_at: "2025-01-01T10:00:00Z",
            reasons: ["amount"],
            orders_in_minute: 1,
            thresholds: { amount: 10_000, orders_per_minute: 5 },
            kinesis: meta,
        });
        assert.deepEqual(m.attributes, { alert_type: { DataType: "String", StringValue: "fraud_suspected" } });
        assert.equal(alertMessage(order(`ü${"x".repeat(200)}`, 1), ["amount"], 1, { amount: 1, ordersPerMinute: 5 }, meta).subject, `Fraud suspected: order ?${"x".repeat(76)}`);
    });
});

describe("consumer: items and keys", () => {
    it("derives keys from the event alone, comparable as instants", () => {
        assert.deepEqual(eventKeys("user#u1", { event_type: "order", event_id: "e1", occurred_at: "2025-01-01T01:30:00+02:00" }), {
            pk: "user#u1",
            sk: "2024-12-31T23:30:00.000Z#e1",
            gsi1pk: "order#2024-12-31",
            gsi1sk: "2024-12-31T23:30:00.000Z#e1",
        });
        assert.equal(minuteOf("2025-01-01T10:05:59.999Z"), "2025-01-01T10:05");
        assert.equal(utcInstant("2025-01-01T10:00:00.123456Z"), "2025-01-01T10:00:00.123Z");
        fc.assert(
            fc.property(
                fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T23:59:59Z"), noInvalidDate: true }),
                fc.integer({ min: -12, max: 14 }),
                fc.string({ minLength: 1, maxLength: 20 }),
                (d, hours, id) => {
                    const z = d.toISOString();
                    const local = new Date(d.getTime() + hours * 3_600_000).toISOString().replace("Z", `${hours < 0 ? "-" : "+"}${String(Math.abs(hours)).padStart(2, "0")}:00`);
                    const a = eventKeys("p", { event_type: "log_line", event_id: id, occurred_at: z });
                    const b = eventKeys("p", { event_type: "log_line", event_id: id, occurred_at: local });
                    return JSON.stringify(a) === JSON.stringify(b) && a.sk.startsWith(z) && /^\d/.test(a.sk);
                },
            ),
        );
    });

    it("builds the exact item of an event", () => {
        const [d] = decodeRecord(kinesisRecord(json(action("e1", "purchase")))).users[0]!.events;
        const item = buildEventItem(d!, { user_segment: "high_value", action_score: 10 }, "2025-01-01T10:00:30.000Z", 90);
        assert.deepEqual(item, {
            pk: "user#u1",
            sk: "2025-01-01T10:00:00.000Z#e1",
            gsi1pk: "user_action#2025-01-01",
            gsi1sk: "2025-01-01T10:00:00.000Z#e1",
            event_type: "user_action",
            event_id: "e1",
            occurred_at: "2025-01-01T10:00:00Z",
            source: "web",
            payload: { user_id: "u1", action_type: "purchase" },
            shard_id: "shardId-000000000003",
            sequence_number: SEQ,
            partition_key: "pk",
            hash_key: PK_HASH,
            approximate_arrival_timestamp: 1735725600.5,
            processed_at: "2025-01-01T10:00:30.000Z",
            expires_at: 1735725600 + 90 * 86_400,
            user_segment: "high_value",
            action_score: 10,
        });
        assert.equal(item.pk, partitionKeyOf(d!.event));
        assert.equal(expiresAtOf("2025-01-01T10:00:00.999Z", 1), 1735725600 + 86_400);
    });

    it("estimates item size at or above DynamoDB's", () => {
        assert.equal(attributeSize("héllo"), 6);
        assert.equal(attributeSize(new Set(["ab", "c"])), 3);
        assert.equal(attributeSize(NumberValue.from("1")), 21);
        assert.equal(attributeSize({ a: [1, "xy"] }), 3 + 1 + 1 + 3 + 1 + 21 + 1 + 2);
        assert.equal(itemSize({ pk: "ab", n: 1, gone: undefined }), 2 + 2 + 1 + 21);
    });

    it("merges puts of the same key and keeps every record that carried it", () => {
        const base = { sk: "s", event_type: "x" } as never as Record<string, unknown>;
        const item = (pk: string, tag: string) => ({ ...base, pk, tag }) as never;
        const merged = new MergedWrites();
        const tags = (items: object[]) => items.map((i) => (i as { tag: string }).tag);
        assert.deepEqual(tags(merged.add("1", [item("a", "first"), item("b", "b")])), ["first", "b"]);
        assert.deepEqual(tags(merged.add("2", [item("a", "second")])), [], "a key already added is not written again");
        assert.deepEqual(tags(merged.add("2", [item("a", "third"), item("c", "c")])), ["c"]);
        assert.deepEqual(
            merged.writes.map((w) => [(w.item as unknown as { pk: string }).pk, (w.item as unknown as { tag: string }).tag, w.owners]),
            [
                ["a", "first", ["1", "2"]],
                ["b", "b", ["1"]],
                ["c", "c", ["2"]],
            ],
        );
    });
});

describe("consumer: configuration", () => {
    const base = { RESULTS_TABLE: "results", ALERTS_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:alerts", QUARANTINE_BUCKET: "archive" };

    it("defaults the thresholds and TTL", () => {
        assert.deepEqual(readConfig(base), {
            tableName: "results",
            alertsTopicArn: base.ALERTS_TOPIC_ARN,
            fraudAmountThreshold: 10_000,
            fraudOrdersPerMinute: 5,
            resultsTtlDays: 90,
            quarantineBucket: "archive",
        });
        assert.equal(readConfig({ ...base, QUARANTINE_KMS_KEY_ARN: " arn:aws:kms:us-east-1:123456789012:key/k " }).quarantineKmsKeyArn, "arn:aws:kms:us-east-1:123456789012:key/k");
        assert.deepEqual(readConfig({ ...base, FRAUD_AMOUNT_THRESHOLD: "2500.5", FRAUD_ORDERS_PER_MINUTE: "3", RESULTS_TTL_DAYS: " 7 " }), {
            tableName: "results",
            alertsTopicArn: base.ALERTS_TOPIC_ARN,
            fraudAmountThreshold: 2500.5,
            fraudOrdersPerMinute: 3,
            resultsTtlDays: 7,
            quarantineBucket: "archive",
        });
    });

    it("reads back what the stack sets", () => {
        const env = {
            ...consumerEnvironment({ tableName: "results", alertsTopicArn: base.ALERTS_TOPIC_ARN, fraudAmountThreshold: 99.5, fraudOrdersPerMinute: 2, resultsTtlDays: 3 }),
            QUARANTINE_BUCKET: "archive",
        };
        assert.deepEqual(readConfig(env), {
            tableName: "results",
            alertsTopicArn: base.ALERTS_TOPIC_ARN,
            fraudAmountThreshold: 99.5,
            fraudOrdersPerMinute: 2,
            resultsTtlDays: 3,
            quarantineBucket: "archive",
        });
    });

    it("refuses missing and invalid values, one clear line each", () => {
        const cases: [Record<string, string>, string[]][] = [
            [{ ALERTS_TOPIC_ARN: "x", QUARANTINE_BUCKET: "b" }, ["RESULTS_TABLE is not set"]],
            [{ RESULTS_TABLE: "t", ALERTS_TOPIC_ARN: " ", QUARANTINE_BUCKET: "b" }, ["ALERTS_TOPIC_ARN is not set"]],
            [{ ...base, QUARANTINE_BUCKET: "" }, ["QUARANTINE_BUCKET is not set: the name of the bucket poison records are quarantined in (the archive bucket)"]],
            [{ ...base, FRAUD_AMOUNT_THRESHOLD: "lots" }, ["FRAUD_AMOUNT_THRESHOLD=lots: must be a positive number"]],
            [{ ...base, FRAUD_AMOUNT_THRESHOLD: "0" }, ["FRAUD_AMOUNT_THRESHOLD=0: must be a positive number"]],
            [{ ...base, FRAUD_ORDERS_PER_MINUTE: "2.5" }, ["FRAUD_ORDERS_PER_MINUTE=2.5: must be a positive integer"]],
            [{ ...base, RESULTS_TTL_DAYS: "-1" }, ["RESULTS_TTL_DAYS=-1: must be a positive integer"]],
            [
                { RESULTS_TABLE: "t", FRAUD_ORDERS_PER_MINUTE: "0" },
                [
                    "ALERTS_TOPIC_ARN is not set",
                    "FRAUD_ORDERS_PER_MINUTE=0: must be a positive integer",
                    "QUARANTINE_BUCKET is not set: the name of the bucket poison records are quarantined in (the archive bucket)",
                ],
            ],
        ];
        for (const [env, lines] of cases) assert.throws(() => readConfig(env), { name: "EnvError", message: ["consumer environment:", ...lines].join("\n  ") });
    });
});

describe("consumer: in-order gate", () => {
    it("runs each key's tasks in record order whatever the scheduling, and never stalls", async () => {
        await fc.assert(
            fc.asyncProperty(
                fc.array(
                    fc.record({
                        keys: fc.array(fc.constantFrom("a", "b", "c"), { maxLength: 3 }),
                        startDelay: fc.nat(3),
                        taskDelay: fc.nat(3),
                        fails: fc.boolean(),
                        bad: fc.boolean(),
                    }),
                    { minLength: 1, maxLength: 12 },
                ),
                async (records) => {
                    const gate = new InOrderPerKey(records.length);
                    const seen: Record<string, number[]> = {};
                    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
                    await Promise.allSettled(
                        records.map(async (r, i) => {
                            try {
                                await sleep(r.startDelay);
                                if (r.bad) throw new Error("malformed"); // a record that never registers tasks
                                await gate.run(
                                    i,
                                    r.keys.map((key) => ({
                                        key,
                                        task: async () => {
                                            (seen[key] ??= []).push(i);
                                            await sleep(r.taskDelay);
                                            if (r.fails) throw new Error("task failed");
                                        },
                                    })),
                                );
                            } finally {
                                gate.skip(i);
                            }
                        }),
                    );
                    for (const key of Object.keys(seen)) {
                        const expected = records.flatMap((r, i) => (r.bad ? [] : r.keys.filter((k) => k === key).map(() => i)));
                        assert.deepEqual(seen[key], expected, key);
                    }
                },
            ),
            { numRuns: 40 },
        );
    });
});

describe("consumer: batch writer", () => {
    type Call = { items: Record<string, unknown>[] };
    const awsError = (name: string, status?: number, message = name) =>
        Object.assign(new Error(message), { name, $metadata: status === undefined ? { attempts: 3 } : { httpStatusCode: status } });
    /**
     * A client that answers BatchWriteItem from a script (per call: how many of the call's last items
     * come back unprocessed, or an error), and PutItem by refusing items marked `bad`.
     */
    function scripted(script: ((items: Record<string, unknown>[]) => { unprocessed?: number; error?: Error })[]) {
        const calls: Call[] = [];
        const puts: Record<string, unknown>[] = [];
        const client = {
            send: async (cmd: { input: { RequestItems?: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]>; Item?: Record<string, unknown> } }) => {
                if (!(cmd instanceof BatchWriteCommand)) {
                    const item = cmd.input.Item!;
                    if (item.bad) throw new Error("Special numeric value Infinity is not allowed");
                    puts.push(item);
                    return {};
                }
                const items = cmd.input.RequestItems!.t!.map((r) => r.PutRequest.Item);
                calls.push({ items });
                const step = script[calls.length - 1]?.(items) ?? {};
                if (step.error) throw step.error;
                const n = step.unprocessed ?? 0;
                return { UnprocessedItems: n > 0 ? { t: items.slice(items.length - n).map((Item) => ({ PutRequest: { Item } })) } : {} };
            },
        } as unknown as Pick<DynamoDBDocumentClient, "send">;
        return { client, calls, puts };
    }
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ pk: `p${i}`, sk: "s" }));
    const fast = { sleep: async () => undefined, random: () => 0.5 };
    const outcome = (failed: number[], reasons: [number, string][], calls: number, retriedItems: number): WriteOutcome => ({
        failed,
        reasons: new Map(reasons),
        calls,
        retriedItems,
    });

    it("writes 25 items per call", async () => {
        const s = scripted([]);
        const out = await writeItems(s.client, "t", items(60), { ...fast, concurrency: 1 });
        assert.deepEqual(
            s.calls.map((c) => c.items.length),
            [25, 25, 10],
        );
        assert.deepEqual(out, outcome([], [], 3, 0));
    });

    it("sends each full call as items arrive, at most `concurrency` at a time, and the rest on finish", async () => {
        let inFlight = 0;
        let most = 0;
        const release: (() => void)[] = [];
        const sizes: number[] = [];
        const client = {
            send: async (cmd: BatchWriteCommand) => {
                sizes.push(cmd.input.RequestItems!.t!.length);
                most = Math.max(most, ++inFlight);
                await new Promise<void>((resolve) => release.push(resolve));
                inFlight--;
                return {};
            },
        } as unknown as Pick<DynamoDBDocumentClient, "send">;
        const writer = new ItemWriter(client, "t", { ...fast, concurrency: 2 });
        items(24).forEach((i) => writer.add(i));
        await new Promise((r) => setImmediate(r));
        assert.deepEqual(sizes, [], "no call before 25 items");
        items(77).forEach((i, j) => writer.add({ ...i, pk: `q${j}` }));
        await new Promise((r) => setImmediate(r));
        assert.deepEqual(sizes, [25, 25], "two full calls out before finish, the third waits for a slot");
        const done = writer.finish();
        while (release.length > 0 || inFlight > 0) {
            release.shift()?.();
            await new Promise((r) => setImmediate(r));
        }
        assert.deepEqual(await done, outcome([], [], 5, 0));
        assert.deepEqual(sizes, [25, 25, 25, 25, 1]);
        assert.equal(most, 2);
    });

    it("rejects finish, not the process, when writing fails outside a call (a broken sleep)", async () => {
        const s = scripted([() => ({ unprocessed: 1 })]);
        const writer = new ItemWriter(s.client, "t", { ...fast, sleep: () => Promise.reject(new Error("timer broke")) });
        items(25).forEach((i) => writer.add(i));
        await new Promise((r) => setTimeout(r, 10));
        await assert.rejects(writer.finish(), /timer broke/);
    });

    it("retries unprocessed items with growing, jittered delays, and reports what is left after the last attempt", async () => {
        const delays: number[] = [];
        const s = scripted([() => ({ unprocessed: 10 }), () => ({ unprocessed: 4 }), () => ({})]);
        const out = await writeItems(s.client, "t", items(25), { ...fast, sleep: async (ms) => void delays.push(ms) });
        assert.deepEqual(
            s.calls.map((c) => c.items.map((i) => i.pk)),
            [
                items(25).map((i) => i.pk),
                items(25)
                    .slice(15)
                    .map((i) => i.pk),
                items(25)
                    .slice(21)
                    .map((i) => i.pk),
            ],
        );
        assert.deepEqual(delays, [25, 50]);
        assert.deepEqual(out, outcome([], [], 3, 14));

        const stuck = scripted(Array.from({ length: 10 }, () => () => ({ unprocessed: 2 })));
        const gaveUp = await writeItems(stuck.client, "t", items(5), { ...fast, maxAttempts: 4 });
        const why = "still unprocessed after 4 BatchWriteItem calls";
        assert.deepEqual(
            gaveUp,
            outcome(
                [3, 4],
                [
                    [3, why],
                    [4, why],
                ],
                4,
                6,
            ),
        );
    });

    it("stops retrying at the deadline", async () => {
        const s = scripted(Array.from({ length: 10 }, () => () => ({ unprocessed: 1 })));
        let clock = 0;
        const out = await writeItems(s.client, "t", items(3), { random: () => 0.99, now: () => clock, sleep: async (ms) => void (clock += ms) }, 200);
        // delays 49 + 99 = 148; the next one (198) would end past 200
        assert.deepEqual(out, outcome([2], [[2, "still unprocessed after 3 BatchWriteItem calls, no time left to retry"]], 3, 2));
        assert.equal(clock, 148);
    });

    it("retries throttling, 5xx and network errors", async () => {
        const s = scripted([
            () => ({ error: awsError("ProvisionedThroughputExceededException", 400) }),
            () => ({ error: awsError("InternalServerError", 500) }),
            () => ({ error: awsError("Error", undefined, "socket hang up") }),
            () => ({}),
        ]);
        assert.deepEqual(await writeItems(s.client, "t", items(3), fast), outcome([], [], 4, 9));
        const down = scripted(Array.from({ length: 3 }, () => () => ({ error: awsError("ServiceUnavailable", 503) })));
        const why = "ServiceUnavailable: ServiceUnavailable";
        assert.deepEqual(
            await writeItems(down.client, "t", items(2), { ...fast, maxAttempts: 3 }),
            outcome(
                [0, 1],
                [
                    [0, why],
                    [1, why],
                ],
                3,
                4,
            ),
        );
    });

    it("isolates the bad item of a call refused as invalid or never sent, one PutItem per item", async () => {
        for (const error of [awsError("ValidationException", 400, "Item size has exceeded the maximum allowed size"), new Error("Special numeric value Infinity is not allowed")]) {
            const v = scripted([() => ({ error })]);
            const list = [...items(3), { pk: "bad", sk: "s", bad: true }];
            assert.deepEqual(await writeItems(v.client, "t", list, fast), outcome([3], [[3, "Error: Special numeric value Infinity is not allowed"]], 1, 0), error.message);
            assert.deepEqual(
                v.puts.map((i) => i.pk),
                ["p0", "p1", "p2"],
            );
        }
    });

    it("fails the items of a call refused for good", async () => {
        const d = scripted([() => ({ error: awsError("AccessDeniedException", 400, "not allowed") })]);
        const why = "AccessDeniedException: not allowed";
        assert.deepEqual(
            await writeItems(d.client, "t", items(2), fast),
            outcome(
                [0, 1],
                [
                    [0, why],
                    [1, why],
                ],
                1,
                0,
            ),
        );
    });

    it("classifies errors", () => {
        const cases: [unknown, string][] = [
            [awsError("ProvisionedThroughputExceededException", 400), "retry"],
            [awsError("ThrottlingException", 400), "retry"],
            [awsError("InternalServerError", 500), "retry"],
            [awsError("Whatever", 503), "retry"],
            [awsError("TimeoutError"), "retry"],
            [awsError("Error"), "retry"],
            [awsError("ValidationException", 400), "isolate"],
            [new Error("Special numeric value Infinity is not allowed"), "isolate"],
            [awsError("AccessDeniedException", 400), "fail"],
            [awsError("ResourceNotFoundException", 400), "fail"],
        ];
        for (const [e, action] of cases) assert.equal(classify(e), action, (e as Error).name);
    });

    it("keeps backoff delays within [0, min(max, base·2^(n−1)))", () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (retry, r) => {
                const d = backoffDelay(retry, { baseDelayMs: 50, maxDelayMs: 2_000, random: () => r });
                return d >= 0 && d < Math.min(2_000, 50 * 2 ** (retry - 1));
            }),
        );
    });
});
