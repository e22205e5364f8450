// The local run's traffic generator and its reconciliation, without emulators.
import * as assert from "node:assert/strict";
import type { KinesisStreamRecord } from "aws-lambda";
import { decodeRecord } from "../../functions/consumer/decode";
import { partitionKeyOf, validateEvent } from "../../functions/shared/events";
import type { OnFailureMessage } from "../../tools/local/failure-store";
import { formatReport, percentile, reasonKind, reconcile, type ReconcileInput } from "../../tools/local/report";
import { expectedAlerts, Ledger, MALFORMATIONS, MALFORMED_ID, TRAFFIC_MIX, TrafficGenerator, type LedgerEntry } from "../../tools/local/traffic";

const FRAUD = { amountThreshold: 10_000, ordersPerMinute: 5 };

function kinesisRecord(data: Buffer): KinesisStreamRecord {
    return {
        kinesis: { kinesisSchemaVersion: "1.0", partitionKey: "p", sequenceNumber: "1", data: data.toString("base64"), approximateArrivalTimestamp: 0 },
        eventSource: "aws:kinesis",
        eventVersion: "1.0",
        eventID: "shardId-000000000000:1",
        eventName: "aws:kinesis:record",
        invokeIdentityArn: "arn:aws:iam::123456789012:role/r",
        awsRegion: "us-east-1",
        eventSourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/s",
    };
}

describe("local traffic", () => {
    const generator = new TrafficGenerator({ seed: 3, malformedShare: 0.05, fraud: FRAUD, now: () => Date.parse("2025-01-01T10:00:30Z") });
    const planned = Array.from({ length: 10_000 }, () => generator.next());

    it("mixes the reference document's event types in their shares", () => {
        const events = planned.filter((p) => p.kind === "event");
        for (const [type, share] of Object.entries(TRAFFIC_MIX)) {
            const got = events.filter((p) => p.type === type).length / events.length;
            assert.ok(Math.abs(got - share) < 0.03, `${type}: ${got.toFixed(3)} vs ${share}`);
        }
    });

    it("makes only valid events, each under the partition key the ingest API would give it", () => {
        for (const p of planned) {
            if (p.kind !== "event") continue;
            assert.equal(validateEvent(JSON.parse(p.data), 0).ok, true, p.data);
            assert.equal(p.partitionKey, partitionKeyOf(p.event));
        }
        assert.equal(new Set(planned.map((p) => p.id)).size, planned.length, "ids are unique");
    });

    it("makes the configured share of malformed records, of every kind, each rejected by the consumer and carrying its id", () => {
        const malformed = planned.filter((p) => p.kind === "malformed");
        assert.ok(Math.abs(malformed.length / planned.length - 0.05) < 0.01, `${malformed.length}`);
        assert.deepEqual([...new Set(malformed.map((m) => m.malformation))].sort(), [...MALFORMATIONS].sort());
        for (const m of malformed) {
            assert.equal(decodeRecord(kinesisRecord(m.data)).poison.length, 1, m.malformation);
            assert.equal(MALFORMED_ID.exec(m.data.toString("latin1"))?.[0], m.id);
        }
    });

    it("is the same traffic for the same seed", () => {
        const again = new TrafficGenerator({ seed: 3, malformedShare: 0.05, fraud: FRAUD, now: () => Date.parse("2025-01-01T10:00:30Z") });
        assert.deepEqual(
            Array.from({ length: 500 }, () => again.next().id),
            planned.slice(0, 500).map((p) => p.id),
        );
    });

    it("includes fraud patterns: big orders and bursts past the velocity threshold", () => {
        const orders = planned.flatMap((p) => (p.kind === "event" && p.event.event_type === "order" ? [p.event.payload] : []));
        assert.ok(orders.some((o) => o.amount >= FRAUD.amountThreshold));
        const perUser = new Map<string, number>();
        for (const o of orders) perUser.set(o.user_id, (perUser.get(o.user_id) ?? 0) + 1);
        assert.ok([...perUser.values()].some((n) => n > FRAUD.ordersPerMinute));
    });

    it("expects an alert per big order and per order ranked at or past the threshold in its user's minute", () => {
        const order = (id: string, user: string, amount: number, at: string): LedgerEntry => ({
            id,
            kind: "order",
            sentAt: 0,
            order: { orderId: id, userId: user, amount, occurredAt: at },
            outcome: { ok: true, shardId: "s", sequenceNumber: id },
        });
        const entries = [
            order("o1", "u1", 20_000, "2025-01-01T10:00:00Z"),
            ...["a", "b", "c", "d", "e", "f"].map((x, i) => order(`v-${x}`, "u2", 10, `2025-01-01T10:05:0${i}Z`)),
            order("o9", "u2", 10, "2025-01-01T10:06:00Z"), // next minute: rank 1
        ];
        assert.equal(expectedAlerts(entries, FRAUD), 1 + 2);
        // An order whose put failed after a lost response but reached the consumer still ranks and alerts.
        const lostResponse = { ...order("o-unknown", "u3", 20_000, "2025-01-01T10:00:00Z"), outcome: { ok: false as const, reason: "RequestOutcomeUnknown" } };
        assert.equal(expectedAlerts([...entries, lostResponse], FRAUD), 1 + 2);
        assert.equal(
            expectedAlerts([...entries, lostResponse], FRAUD, () => true),
            1 + 2 + 1,
        );
    });
});

describe("local run reconciliation", () => {
    function input(over: Partial<ReconcileInput> = {}): ReconcileInput {
        const ledger = new Ledger();
        ledger.add({ id: "evt-1", kind: "user_action", sentAt: 1_000 });
        ledger.settle("evt-1", { ok: true, shardId: "s0", sequenceNumber: "10", subSequenceNumber: 0 });
        ledger.add({ id: "evt-2", kind: "sensor_reading", sentAt: 1_000 });
        ledger.settle("evt-2", { ok: true, shardId: "s0", sequenceNumber: "10", subSequenceNumber: 1 });
        ledger.add({ id: "malformed-1", kind: "malformed", malformation: "not-json", sentAt: 1_100 });
        ledger.settle("malformed-1", { ok: true, shardId: "s0", sequenceNumber: "11" });
        const message = {
            requestContext: { condition: "RetryAttemptsExhausted" },
            responseContext: { statusCode: 200, executedVersion: "$LATEST" },
            KinesisBatchInfo: { shardId: "s0", startSequenceNumber: "11", endSequenceNumber: "11", batchSize: 1 },
        } as OnFailureMessage;
        return {
            ledger,
            stored: [
                { event_id: "evt-1", event_type: "user_action" },
                { event_id: "evt-2", event_type: "sensor_reading" },
            ],
            archive: ["evt-1", "evt-2", "malformed-1"].map((id) => ({ objectKey: "k", error: id.startsWith("m"), id, partitionMatches: true })),
            failures: [{ message, records: [{ shardId: "s0", sequenceNumber: "11", partitionKey: "p", data: new Uint8Array(), arrivalMs: 0 }] }],
            quarantine: [],
            reasons: new Map([["s0:11", "data is not JSON: Unexpected token 'm', \"malformed-1\"... is not valid JSON"]]),
            filtered: new Set(),
            storedAt: new Map([
                ["evt-1", 1_500],
                ["evt-2", 2_000],
            ]),
            alerts: 0,
            fraud: FRAUD,
            startedAt: 1_000,
            producingEndedAt: 2_000,
            endedAt: 3_000,
            interrupted: false,
            stages: {},
            ...over,
        };
    }

    it("accounts for every record: stored, failed with its reason, archived", () => {
        const r = reconcile(input());
        assert.deepEqual([r.produced, r.stored, r.failed, r.archived, r.lost], [3, 2, 1, 3, 0]);
        assert.deepEqual(r.failedByReason, { "data is not JSON: Unexpected token": 1 });
        assert.deepEqual([r.p50Ms, r.p99Ms], [500, 1000]);
    });

    it("counts quarantined records with their reason code, the expected poison among them, and the figures add up", () => {
        // The malformed plain record, and the second user record of the aggregate, quarantined by the consumer.
        const r = reconcile(
            input({
                failures: [],
                stored: [{ event_id: "evt-1", event_type: "user_action" }],
                quarantine: [
                    { shardId: "s0", sequenceNumber: "11", subSequenceNumber: null, reasonCode: "not-json" },
                    { shardId: "s0", sequenceNumber: "10", subSequenceNumber: 1, reasonCode: "schema-invalid" },
                ],
            }),
        );
        assert.deepEqual([r.produced, r.stored, r.quarantined, r.failed, r.lost], [3, 1, 2, 0, 0]);
        assert.deepEqual(r.quarantinedByReason, { "not-json": 1, "schema-invalid": 1 });
        assert.deepEqual(r.expectedPoison, { sent: 1, quarantined: 1, failed: 0, stored: 0 });
        const text = formatReport(r);
        assert.match(
            text,
            /\n {2}quarantined 2 poison records under quarantine\/ with their reason \(not-json 1, schema-invalid 1\); expected poison: 1 records malformed on purpose, 1 quarantined\n/,
        );
        assert.match(text, /\n {14}= 1 stored \+ 2 quarantined \+ 0 failed \+ 0 lost = 3 of 3 produced\n/);
        assert.match(text, /Reconciliation: OK\. .*\(1 stored \+ 2 quarantined \+ 0 failed\)/);
        // A whole aggregate that could not be decoded (no subsequence number) accounts for every record it carried.
        const whole = reconcile(
            input({ failures: [], stored: [], quarantine: [{ shardId: "s0", sequenceNumber: "10", subSequenceNumber: null, reasonCode: "aggregate-checksum" }] }),
        );
        assert.deepEqual([whole.quarantined, whole.lostFromConsumer, whole.lostSample], [2, 1, ["malformed-1"]]);
    });

    it("says what every figure counts, stage by stage, and shows the sums that tie the stages together", () => {
        const stages = {
            producer: { userRecords: 2, kinesisRecords: 1, putRecordsCalls: 1, retried: 0, failed: 0 },
            mapping: { kinesisRecordsRead: 2, invocations: 3, functionErrors: 0, partialFailures: 2, bisections: 0, retries: 2, discardedBatches: 1, discardedRecords: 1 },
            consumer: {
                KinesisRecords: 4,
                UserRecords: 4,
                EventsWritten: 2,
                DuplicateEvents: 0,
                RecordsFailed: 2,
                RecordsNotWritten: 0,
                WriteRetries: 0,
                FraudAlerts: 0,
                QuarantinedRecords: 0,
            },
            firehose: { userRecordsIn: 3, errorRecords: 1, dropped: 0, objects: 2, bytesIn: 300, gzipBytes: 120, deliveryFailures: 0 },
            custom: { widgets: 7 },
        };
        const text = formatReport(reconcile(input({ stages })));
        const lines = text.split("\n");
        const expect = [
            /^ {2}failed {6}1 records in the on-failure store with their reason \(from 1 on-failure message\(s\), one per discarded batch\), or refused by the producer:$/,
            /^ {2}latency {5}of the 2 stored events, producer send → result stored: p50 500 ms, p95 1000 ms, p99 1000 ms, max 1000 ms$/,
            /^ {2}throughput {2}[\d.]+ events stored per second, first send to last write$/,
            /^ {2}producer {4}2 user records went through the producer client \(KPL aggregation\) as 1 Kinesis records in 1 PutRecords calls; 0 user records retried, 0 refused$/,
            /^ {14}with the 1 malformed records written raw with PutRecord: 2 through the client \+ 1 raw = 3 produced$/,
            /^ {2}mapping {5}the local event source mapping read 2 Kinesis records \(1 aggregates from the producer \+ 1 raw = 2\) and invoked the consumer 3 times$/,
            /^ {14}0 invocations threw, 2 answered with batchItemFailures, 0 batches were bisected, 2 retried$/,
            /^ {14}discarded after the retries or the record age: 1 batches of 1 Kinesis records in all, each an on-failure message \(the "failed" line counts their user records\)$/,
            /^ {2}consumer {4}the handler's own metrics \(CloudWatch names\), summed over its invocations, so a retried batch counts again:$/,
            /^ {14}KinesisRecords 4 Kinesis records received holding UserRecords 4 user records$/,
            /^ {14}EventsWritten 2 events written to the table, QuarantinedRecords 0 user records quarantined, RecordsFailed 2 Kinesis records reported as failed$/,
            /^ {2}firehose {4}3 user records taken in \(de-aggregated from the stream\): 2 under events\/ \+ 1 under the error prefix = 3$/,
            /^ {14}in 2 GZIP objects \(300 bytes of JSON lines, 120 bytes compressed\); 0 records failed delivery$/,
            /^ {2}custom {6}widgets 7$/,
        ];
        for (const re of expect)
            assert.ok(
                lines.some((l) => re.test(l)),
                `no line matches ${re}\n${text}`,
            );
        // Retried batches count again in the handler's metrics: no sum claimed for them.
        assert.ok(!lines.some((l) => /user records received/.test(l)), text);
    });

    it("a stage sum that does not add up says what it expected", () => {
        const stages = {
            firehose: { userRecordsIn: 3, errorRecords: 1, dropped: 1, objects: 1, bytesIn: 1, gzipBytes: 1, deliveryFailures: 0 },
            producer: { userRecords: 1, kinesisRecords: 1, putRecordsCalls: 1, retried: 0, failed: 0 },
        };
        const text = formatReport(reconcile(input({ stages })));
        assert.match(text, /: 1 under events\/ \+ 1 under the error prefix \+ 1 dropped by the transform = 3\n/);
        assert.match(text, /1 through the client \+ 1 raw = 2 produced \(expected 3\)/);
    });

    it("with no retries the handler's metrics add up to the user records it received", () => {
        const stages = {
            mapping: { kinesisRecordsRead: 2, invocations: 1, functionErrors: 0, partialFailures: 0, bisections: 0, retries: 0, discardedBatches: 0, discardedRecords: 0 },
            consumer: {
                KinesisRecords: 2,
                UserRecords: 3,
                EventsWritten: 1,
                DuplicateEvents: 1,
                RecordsFailed: 0,
                RecordsNotWritten: 0,
                WriteRetries: 0,
                FraudAlerts: 0,
                QuarantinedRecords: 1,
            },
        };
        assert.match(formatReport(reconcile(input({ stages }))), /\n {14}2 written \(duplicates included\) \+ 1 quarantined = 3 user records received\n/);
    });

    it("counts a record missing from either reader as lost", () => {
        const noArchive = reconcile(input({ archive: [] }));
        assert.deepEqual([noArchive.lost, noArchive.lostFromArchive, noArchive.lostFromConsumer], [3, 3, 0]);
        const noFailure = reconcile(input({ failures: [] }));
        assert.deepEqual([noFailure.lost, noFailure.lostFromConsumer, noFailure.lostSample], [1, 1, ["malformed-1"]]);
    });

    it("counts a record the producer could not write as failed with the producer's reason, not lost", () => {
        const i = input();
        i.ledger.add({ id: "evt-3", kind: "order", sentAt: 1_200 });
        i.ledger.settle("evt-3", { ok: false, reason: "ProvisionedThroughputExceededException: Rate exceeded" });
        const r = reconcile(i);
        assert.deepEqual([r.failed, r.lost], [2, 0]);
        assert.equal(r.failedByReason["producer: ProvisionedThroughputExceededException: Rate exceeded"], 1);
    });

    it("takes nearest-rank percentiles and groups reasons without ids", () => {
        assert.equal(percentile([], 50), null);
        assert.equal(percentile([1, 2, 3, 4], 50), 2);
        assert.equal(percentile([1, 2, 3, 4], 99), 4);
        assert.equal(reasonKind("not a valid event: payload.amount: Too small"), "not a valid event: payload.amount");
        assert.equal(reasonKind("data is not JSON: Unterminated string in JSON at position 41"), "data is not JSON: Unterminated string in JSON at position N");
    });
});
