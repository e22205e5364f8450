import { strict as assert } from "node:assert";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { createHandler, PRODUCER_METRICS } from "../../functions/ingest/handler";
import { KinesisProducer } from "../../functions/shared/producer";
import { type Kinesalite, startKinesalite } from "../../tools/local/kinesalite";

const STREAM = "ingest-test";

const order = (id: string, amount = 42) => ({
    event_type: "order",
    event_id: id,
    occurred_at: "2026-11-25T10:00:00Z",
    source: "checkout",
    payload: { order_id: `o-${id}`, user_id: "u1", amount, currency: "EUR" },
});
const click = (id: string, user = "u2") => ({
    event_type: "user_action",
    event_id: id,
    occurred_at: "2026-11-25T10:00:01.500Z",
    source: "web",
    payload: { user_id: user, action_type: "page_view", page: "/home" },
});

function request(body: unknown, opts: { contentType?: string; query?: Record<string, string>; raw?: string; base64?: boolean } = {}): APIGatewayProxyEventV2 {
    const text = opts.raw ?? JSON.stringify(body);
    return {
        version: "2.0",
        routeKey: "POST /events",
        rawPath: "/events",
        rawQueryString: "",
        headers: { "Content-Type": opts.contentType ?? "application/json; charset=utf-8" },
        queryStringParameters: opts.query,
        body: opts.base64 ? Buffer.from(text).toString("base64") : text,
        isBase64Encoded: opts.base64 ?? false,
        requestContext: {} as APIGatewayProxyEventV2["requestContext"],
    };
}

interface Body {
    accepted: number;
    rejected: number;
    results: { index: number; eventId?: string; sequenceNumber?: string; shardId?: string; errors?: { field: string; reason: string }[] }[];
    message?: string;
}
const bodyOf = (r: APIGatewayProxyStructuredResultV2) => JSON.parse(r.body as string) as Body;

describe("ingest handler (POST /events) against kinesalite", function () {
    this.timeout(30_000);
    let kinesis: Kinesalite;
    let producer: KinesisProducer;
    let handler: ReturnType<typeof createHandler>;

    before(async () => {
        // Metrics go to stdout as EMF in Lambda; here they would only clutter the test output.
        process.env.POWERTOOLS_METRICS_DISABLED = "true";
        kinesis = await startKinesalite();
        await kinesis.createStream(STREAM, 2);
        producer = new KinesisProducer({ client: kinesis.client({ maxAttempts: 1 }), streamName: STREAM, maxBufferedTimeMs: 0 });
        const silent = { logLevel: "SILENT" as const };
        handler = createHandler({ producer, maxBodyBytes: 64 * 1024, logger: new Logger(silent), metrics: new Metrics({ namespace: "Test", serviceName: "ingest" }) });
    });
    after(async () => {
        delete process.env.POWERTOOLS_METRICS_DISABLED;
        await producer.close();
        await kinesis.stop();
    });

    /** Events in the stream, by event id, as the consumer will read them. */
    async function stored(): Promise<Map<string, { partitionKey: string; event: Record<string, unknown> }>> {
        const records = await kinesis.readUserRecords(STREAM);
        return new Map(
            records.map((r) => {
                const event = JSON.parse(r.data.toString("utf8")) as Record<string, unknown>;
                return [event.event_id as string, { partitionKey: r.partitionKey, event }];
            }),
        );
    }

    it("writes a valid batch and answers each event with its shard and sequence number (200)", async () => {
        const res = await handler(request([order("good-1"), click("good-2")]));
        assert.equal(res.statusCode, 200);
        const body = bodyOf(res);
        assert.deepEqual([body.accepted, body.rejected], [2, 0]);
        assert.deepEqual(
            body.results.map((r) => [r.index, r.eventId]),
            [
                [0, "good-1"],
                [1, "good-2"],
            ],
        );
        for (const r of body.results) {
            assert.match(r.sequenceNumber!, /^\d+$/);
            assert.match(r.shardId!, /^shardId-\d{12}$/);
        }
        const inStream = await stored();
        assert.deepEqual(inStream.get("good-1"), { partitionKey: "user#u1", event: order("good-1") });
        assert.deepEqual(inStream.get("good-2"), { partitionKey: "user#u2", event: click("good-2") });
    });

    it("publishes this invocation's share of the producer's counters, large-record spreading included", async () => {
        const published: Record<string, number>[] = [];
        let pending: Record<string, number> = {};
        const recorder = {
            addMetric: (name: string, _unit: string, value: number) => {
                pending[name] = value;
            },
            publishStoredMetrics: () => {
                published.push(pending);
                pending = {};
            },
        } as unknown as Metrics;
        const h = createHandler({ producer, maxBodyBytes: 64 * 1024, logger: new Logger({ logLevel: "SILENT" }), metrics: recorder });
        await h(request([order("m-1"), click("m-2"), click("m-3")]));
        await h(request([click("m-4")]));
        assert.deepEqual(
            published.map((m) => [m.EventsAccepted, m.RecordsSent, m.RecordsFailed, m.LargeRecordsSpread, m.LargeRecordsThrottled]),
            [
                [3, 3, 0, 0, 0],
                [1, 1, 0, 0, 0],
            ],
        );
        assert.deepEqual(Object.keys(published[0]!).sort(), ["EventsAccepted", "EventsRejected", ...PRODUCER_METRICS.map(([name]) => name)].sort());
    });

    it("accepts a single event object and a base64-encoded body", async () => {
        const single = await handler(request(click("single-1")));
        assert.equal(single.statusCode, 200);
        assert.equal(bodyOf(single).accepted, 1);
        const encoded = await handler(request(click("b64-1"), { base64: true }));
        assert.equal(encoded.statusCode, 200);
        assert.ok((await stored()).has("b64-1"));
    });

    it("a batch with a bad event writes nothing and names each problem by index and field (400)", async () => {
        const bad = { ...order("bad-1", -5), payload: { ...order("bad-1").payload, amount: -5, currency: "euro" } };
        const res = await handler(request([order("ok-but-held"), bad, { event_type: "teleport", event_id: "bad-2" }]));
        assert.equal(res.statusCode, 400);
        const body = bodyOf(res);
        assert.deepEqual([body.accepted, body.rejected], [0, 3]);
        assert.deepEqual(body.results, [
            { index: 0, eventId: "ok-but-held", errors: [{ field: "(batch)", reason: "not written: the batch has invalid events (send ?partial=true to write the valid ones)" }] },
            {
                index: 1,
                eventId: "bad-1",
                errors: [
                    { field: "payload.amount", reason: "Too small: expected number to be >=0" },
                    { field: "payload.currency", reason: "must be an ISO 4217 code such as USD" },
                ],
            },
            {
                index: 2,
                eventId: "bad-2",
                errors: [{ field: "event_type", reason: "Invalid discriminator value. Expected 'user_action' | 'order' | 'sensor_reading' | 'log_line' | 'change'" }],
            },
        ]);
        const inStream = await stored();
        assert.ok(!inStream.has("ok-but-held") && !inStream.has("bad-1"));
    });

    it("?partial=true writes the good events and reports the bad ones (207)", async () => {
        const res = await handler(request([click("partial-ok-1"), { ...click("partial-bad"), occurred_at: "yesterday" }, order("partial-ok-2")], { query: { partial: "true" } }));
        assert.equal(res.statusCode, 207);
        const body = bodyOf(res);
        assert.deepEqual([body.accepted, body.rejected], [2, 1]);
        assert.deepEqual(body.results[1], { index: 1, eventId: "partial-bad", errors: [{ field: "occurred_at", reason: "Invalid ISO datetime" }] });
        const inStream = await stored();
        assert.ok(inStream.has("partial-ok-1") && inStream.has("partial-ok-2") && !inStream.has("partial-bad"));
    });

    it("refuses an oversized body (413), a wrong content type (415), bad JSON and bad batches (400)", async () => {
        const cases: [APIGatewayProxyEventV2, number, string][] = [
            [request(null, { raw: JSON.stringify([click("big")]).padEnd(64 * 1024 + 1, " ") }), 413, "Body is 65537 bytes; at most 65536 bytes are accepted"],
            [request([click("x")], { contentType: "text/plain" }), 415, 'Content-Type must be application/json, got "text/plain"'],
            [request(null, { raw: "{not json" }), 400, "Body is not valid JSON: "],
            [request([]), 400, "The batch is empty; send 1 to 500 events"],
            [request(Array.from({ length: 501 }, () => ({}))), 400, "The batch has 501 events; at most 500 are accepted per request"],
            [request([click("q")], { query: { partial: "yes" } }), 400, 'partial must be true or false, got "yes"'],
        ];
        for (const [event, status, message] of cases) {
            const res = await handler(event);
            assert.equal(res.statusCode, status, message);
            assert.ok(bodyOf(res).message!.startsWith(message), `${bodyOf(res).message} should start with ${message}`);
        }
    });

    it("answers 503 when the stream takes none of the valid events", async () => {
        const gone = new KinesisProducer({ client: kinesis.client({ maxAttempts: 1 }), streamName: "no-such-stream", maxBufferedTimeMs: 0, recordTtlMs: 2_000 });
        const h = createHandler({ producer: gone, maxBodyBytes: 1024, logger: new Logger({ logLevel: "SILENT" }), metrics: new Metrics({ namespace: "Test" }) });
        const res = await h(request([click("lost-1")]));
        await gone.close();
        assert.equal(res.statusCode, 503);
        const body = bodyOf(res);
        assert.equal(body.accepted, 0);
        assert.equal(body.results[0]!.errors![0]!.field, "(stream)");
        assert.match(body.results[0]!.errors![0]!.reason, /^ResourceNotFoundException: /);
    });
});
