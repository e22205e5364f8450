// The Firehose transformation (functions/firehose-transform) on real-shaped samples of every feed
// (events/firehose-transform/*.json): one output per recordId, the partition keys, what lands.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import type { FirehoseTransformationEvent, FirehoseTransformationResultRecord } from "aws-lambda";
import { RESPONSE_BUDGET_BYTES, parseFirehoseEvent, transformEvent } from "../../functions/firehose-transform/firehose";
import { createHandler } from "../../functions/firehose-transform/handler";
import { RAW_IOT_PARTITION, transformUserRecord } from "../../functions/firehose-transform/transform";
import { eventJson, matchesTopicFilter } from "../../functions/shared/adapters";
import { NumberValue } from "@aws-sdk/lib-dynamodb";
import { validateEvent } from "../../functions/shared/events";

const EVENTS = path.resolve(__dirname, "..", "..", "events", "firehose-transform");
const sample = (name: string) => JSON.parse(fs.readFileSync(path.join(EVENTS, name), "utf8")) as FirehoseTransformationEvent;
const IOT = { iotTopicFilter: "devices/+/telemetry" };
const decoded = (r: FirehoseTransformationResultRecord) => Buffer.from(r.data ?? "", "base64").toString("utf8");
const lines = (r: FirehoseTransformationResultRecord) =>
    decoded(r)
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>);

/** The output keeps Firehose's contract: exactly the input recordIds, in order, each with a known result and base64 data. */
function assertContract(event: FirehoseTransformationEvent, out: FirehoseTransformationResultRecord[]) {
    assert.deepEqual(
        out.map((r) => r.recordId),
        event.records.map((r) => r.recordId),
    );
    for (const r of out) {
        assert.ok(["Ok", "Dropped", "ProcessingFailed"].includes(r.result), r.result);
        assert.match(r.data ?? "(none)", /^[A-Za-z0-9+/]*={0,2}$/);
    }
}

describe("firehose-transform", () => {
    describe("the sample of each feed", () => {
        it("CloudWatch Logs: a DATA_MESSAGE becomes its log_line events, newline-delimited in one record; a CONTROL_MESSAGE is dropped", () => {
            const event = sample("cloudwatch-logs.json");
            const { response } = transformEvent(event);
            assertContract(event, response.records);
            const [data, control] = response.records;
            assert.equal(data!.result, "Ok");
            assert.deepEqual(data!.metadata, { partitionKeys: { event_type: "log_line", event_date: "2025-01-01" } });
            assert.ok(!decoded(data!).endsWith("\n"), "Firehose's delimiter ends the last line");
            const events = lines(data!);
            assert.deepEqual(
                events.map((e) => [e.event_id, (e.payload as { level: string }).level]),
                [
                    ["38721947104659386409233562712098017497236437012283817984", "INFO"],
                    ["38721947104659386409233562712098017497236437012283817985", "ERROR"],
                    ["38721947104659386409233562712098017497236437012283817986", "INFO"],
                ],
            );
            for (const e of events) assert.ok(validateEvent(e, 0).ok);
            assert.equal(events[0]!.occurred_at, "2025-01-01T09:59:59.001Z");
            assert.deepEqual([control!.result, control!.data], ["Dropped", ""]);
        });

        it("DynamoDB CDC: INSERT, MODIFY and REMOVE become change events, exact numbers and sets kept", () => {
            const event = sample("dynamodb-cdc.json");
            const { response } = transformEvent(event);
            assertContract(event, response.records);
            assert.deepEqual(
                response.records.map((r) => r.metadata),
                Array(3).fill({ partitionKeys: { event_type: "change", event_date: "2025-01-01" } }),
            );
            const [insert, modify, remove] = response.records.map((r) => lines(r)[0]!);
            assert.deepEqual(insert!.payload, {
                table: "customers",
                operation: "INSERT",
                keys: { id: "c-1" },
                new_image: { id: "c-1", tier: "silver", credit: "12345678901234567890", tags: ["new", "web"] },
            });
            assert.deepEqual([modify!.event_id, (modify!.payload as { operation: string }).operation], ["4b5c6d7e-0002-4000-8000-00000000a002", "MODIFY"]);
            assert.deepEqual(remove!.payload, { table: "customers", operation: "REMOVE", keys: { id: "c-1" }, old_image: { id: "c-1", tier: "gold" } });
            assert.equal(insert!.occurred_at, "2025-01-01T10:00:00.123Z");
        });

        it("IoT: a device message without the envelope lands as is under raw_iot, dated by arrival; an enveloped one by its type", () => {
            const event = sample("iot.json");
            const { response, byFeed } = transformEvent(event, IOT);
            assertContract(event, response.records);
            const [raw, enveloped] = response.records;
            assert.deepEqual(
                [raw!.result, raw!.data, raw!.metadata],
                ["Ok", event.records[0]!.data, { partitionKeys: { event_type: RAW_IOT_PARTITION, event_date: "2025-01-01" } }],
            );
            assert.deepEqual([enveloped!.data, enveloped!.metadata], [event.records[1]!.data, { partitionKeys: { event_type: "sensor_reading", event_date: "2025-01-01" } }]);
            assert.deepEqual(byFeed, { iot: 1, envelope: 1 });
        });

        it("IoT: without an IoT feed (or from another topic) a message that is no event fails, so it is not mistaken for a device's", () => {
            const event = sample("iot.json");
            assert.equal(transformEvent(event).response.records[0]!.result, "ProcessingFailed");
            assert.equal(transformEvent(event, { iotTopicFilter: "devices/+/status" }).response.records[0]!.result, "ProcessingFailed");
        });

        it("an envelope event is archived byte for byte, partitioned by its type and date", () => {
            const event = sample("envelope.json");
            const { response } = transformEvent(event);
            assertContract(event, response.records);
            assert.deepEqual(response.records[0], {
                recordId: event.records[0]!.recordId,
                result: "Ok",
                data: event.records[0]!.data,
                metadata: { partitionKeys: { event_type: "order", event_date: "2025-01-01" } },
            });
        });

        it("malformed records fail one by one, returned unchanged (Firehose writes them raw under the error prefix), each with its reason", () => {
            const event = sample("malformed.json");
            const { response, failed } = transformEvent(event, IOT);
            assertContract(event, response.records);
            assert.deepEqual(
                response.records.map((r) => r.result),
                Array(4).fill("ProcessingFailed"),
            );
            assert.deepEqual(
                response.records.map((r) => r.data),
                event.records.map((r) => r.data),
            );
            assert.deepEqual(
                failed.map((f) => f.recordId),
                event.records.map((r) => r.recordId),
            );
            const reasons = failed.map((f) => f.reason);
            assert.match(reasons[0]!, /data is not JSON/);
            assert.match(reasons[1]!, /gzip data cannot be inflated/);
            assert.match(reasons[2]!, /DynamoDB change record is malformed: dynamodb\.Keys/);
            assert.match(reasons[3]!, /not a valid event: event_type/);
        });
    });

    it("a Logs record whose events span midnight goes to the earliest event's date", () => {
        const message = {
            messageType: "DATA_MESSAGE",
            owner: "123456789012",
            logGroup: "/aws/lambda/x",
            logStream: "s",
            subscriptionFilters: ["f"],
            logEvents: [
                { id: "2", timestamp: Date.parse("2025-01-02T00:00:00.100Z"), message: "after" },
                { id: "1", timestamp: Date.parse("2025-01-01T23:59:59.900Z"), message: "before" },
            ],
        };
        const out = transformUserRecord({ data: gzipSync(JSON.stringify(message)), arrivalMs: 0 });
        assert.equal(out.result, "Ok");
        assert.deepEqual(out.result === "Ok" && out.partitionKeys, { event_type: "log_line", event_date: "2025-01-01" });
        assert.equal(out.result === "Ok" && out.events, 2);
    });

    it("keeps the response under Lambda's 6 MB limit: records whose output would cross it fail, the others are delivered", () => {
        // Repetitive log lines compress about 30:1; each record inflates to about 3 MB of events.
        const logEvents = Array.from({ length: 12_000 }, (_, i) => ({ id: `id-${i}`, timestamp: 1735725600000 + i, message: `INFO request ${i} served` }));
        const data = gzipSync(
            JSON.stringify({ messageType: "DATA_MESSAGE", owner: "1", logGroup: "/aws/lambda/big", logStream: "s", subscriptionFilters: [], logEvents }),
        ).toString("base64");
        const event = {
            invocationId: "i",
            deliveryStreamArn: "a",
            region: "us-east-1",
            records: ["r1", "r2", "r3"].map((recordId) => ({ recordId, approximateArrivalTimestamp: 1, data })),
        };
        const { response, failed } = transformEvent(event);
        assert.deepEqual(
            response.records.map((r) => r.result),
            ["Ok", "ProcessingFailed", "ProcessingFailed"],
        );
        assert.match(failed[0]!.reason, /past Lambda's 6 MB limit/);
        assert.ok(JSON.stringify(response).length <= RESPONSE_BUDGET_BYTES);
        assert.equal(response.records[1]!.data, data, "a failed record comes back as it came in");
    });

    it("refuses an event that is not Firehose's, naming the field", () => {
        assert.throws(() => parseFirehoseEvent({ Records: [] }), /not a Firehose transformation event: invocationId/);
        assert.throws(() => parseFirehoseEvent({ invocationId: "i", deliveryStreamArn: "a", records: [{ data: "" }] }), /records\.0\.recordId/);
    });

    it("the handler logs each failure with its reason and publishes its counts", async () => {
        const warnings: unknown[] = [];
        const metrics: Record<string, number> = {};
        let published = 0;
        const handler = createHandler({
            options: IOT,
            logger: { info: () => undefined, warn: (_m: string, extra?: unknown) => void warnings.push(extra) } as never,
            metrics: { addMetric: (name: string, _u: unknown, v: number) => void (metrics[name] = v), publishStoredMetrics: () => void published++ } as never,
        });
        const event = sample("malformed.json");
        const response = await handler({ ...event, records: [...event.records, ...sample("cloudwatch-logs.json").records] });
        assert.equal(response.records.length, 6);
        assert.equal(warnings.length, 4);
        assert.deepEqual(metrics, { RecordsTransformed: 1, RecordsDropped: 1, RecordsFailed: 4, EventsArchived: 3 });
        assert.equal(published, 1);
    });

    it("matches MQTT topic filters as IoT Core does", () => {
        const cases: [string, string, boolean][] = [
            ["devices/d1/telemetry", "devices/+/telemetry", true],
            ["devices/d1/status", "devices/+/telemetry", false],
            ["devices/d1/telemetry/x", "devices/+/telemetry", false],
            ["devices/d1/telemetry/x", "devices/#", true],
            ["devices", "devices/#", true],
            ["other/d1", "devices/#", false],
            ["devices/d1", "devices/d1", true],
            ["user#u-1", "devices/+/telemetry", false],
        ];
        for (const [topic, filter, match] of cases) assert.equal(matchesTopicFilter(topic, filter), match, `${topic} ~ ${filter}`);
    });

    it("writes events as JSON with sets as arrays and inexact numbers as their digits", () => {
        assert.equal(eventJson({ a: new Set(["x", "y"]), n: NumberValue.from("98765432109876543210"), m: 1.5 }), '{"a":["x","y"],"n":"98765432109876543210","m":1.5}');
    });
});
