// The local event source mapping (tools/local/poller.ts) on kinesalite, with handlers that fail on
// purpose: batching, order per shard, bisect, partial batch responses, retries, record age, and the
// on-failure messages Lambda would send.
import * as assert from "node:assert/strict";
import { PutRecordCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import type { KinesisStreamEvent } from "aws-lambda";
import { createStream, startEmulators, type Emulators } from "../../tools/local/emulators";
import { LocalFailureQueue } from "../../tools/local/failure-store";
import { readResponse } from "../../tools/local/invoke";
import { EventSourceMapping, type KinesisHandler } from "../../tools/local/poller";
import { matchesEventTypes } from "../../tools/local/shard-poller";
import type { StreamRecord } from "../../tools/local/reader";
import type { EsmSettings } from "../../tools/local/settings";

const SETTINGS: EsmSettings = {
    startingPosition: "TRIM_HORIZON",
    batchSize: 10,
    batchingWindowSeconds: 1,
    parallelizationFactor: 1,
    maxRetryAttempts: 2,
    maxRecordAgeSeconds: 3600,
    bisectBatchOnFunctionError: true,
    reportBatchItemFailures: true,
    filterEventTypes: [],
    functionTimeoutSeconds: 5,
};

let emulators: Emulators;
let kinesis: KinesisClient;
let streams = 0;

interface Put {
    n: number;
    shardId: string;
    sequenceNumber: string;
    partitionKey: string;
}

interface Invocation {
    shardId: string;
    /** The `n` of each record, in batch order. */
    ns: number[];
    sequenceNumbers: string[];
}

const nOf = (data: string) => (JSON.parse(Buffer.from(data, "base64").toString("utf8")) as { n: number }).n;

/** A stream with `count` records ({"n": i, "event_type": ...}) put one by one, in order. */
async function streamWith(count: number, shards = 1, key: (i: number) => string = () => "k"): Promise<{ name: string; puts: Put[] }> {
    const name = `poller-${++streams}`;
    await createStream(kinesis, name, shards);
    const puts: Put[] = [];
    for (let n = 0; n < count; n++) {
        const partitionKey = key(n);
        const out = await kinesis.send(
            new PutRecordCommand({ StreamName: name, PartitionKey: partitionKey, Data: Buffer.from(JSON.stringify({ n, event_type: n % 2 === 0 ? "order" : "log_line" })) }),
        );
        puts.push({ n, shardId: out.ShardId!, sequenceNumber: out.SequenceNumber!, partitionKey });
    }
    return { name, puts };
}

/** Runs the mapping over the whole stream with `handler`, then drains. */
async function run(name: string, handler: (event: KinesisStreamEvent, ns: number[]) => ReturnType<KinesisHandler>, settings: Partial<EsmSettings> = {}, now?: () => number) {
    const invocations: Invocation[] = [];
    const failures = new LocalFailureQueue();
    const filtered: StreamRecord[] = [];
    const esm = new EventSourceMapping({
        client: kinesis,
        streamName: name,
        streamArn: `arn:aws:kinesis:us-east-1:123456789012:stream/${name}`,
        functionName: "consumer",
        functionArn: "arn:aws:lambda:us-east-1:123456789012:function:consumer",
        region: "us-east-1",
        handler: async (event) => {
            const ns = event.Records.map((r) => nOf(r.kinesis.data));
            invocations.push({ shardId: event.Records[0]!.eventID.split(":")[0]!, ns, sequenceNumbers: event.Records.map((r) => r.kinesis.sequenceNumber) });
            return handler(event, ns);
        },
        settings: { ...SETTINGS, ...settings },
        onFailure: failures,
        listener: { onFiltered: (records) => filtered.push(...records) },
        pollIntervalMs: 20,
        ...(now ? { now } : {}),
    });
    await esm.start();
    await esm.drain();
    return { invocations, failures: failures.messages, stats: esm.stats(), filtered };
}

/** The n of every record in a successful invocation (what the function processed without error). */
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("local event source mapping", function () {
    this.timeout(60_000);

    before(async () => {
        emulators = await startEmulators();
        kinesis = emulators.kinesis.client();
    });
    after(async () => {
        await emulators.stop();
    });

    it("invokes batches of at most BatchSize, one poller per shard, each shard in sequence order", async () => {
        const { name, puts } = await streamWith(60, 3, (i) => `key-${i % 7}`);
        const { invocations, failures, stats } = await run(name, async () => ({ batchItemFailures: [] }));
        assert.equal(failures.length, 0);
        assert.ok(invocations.every((i) => i.ns.length >= 1 && i.ns.length <= 10));
        for (const shardId of new Set(puts.map((p) => p.shardId))) {
            const delivered = invocations.filter((i) => i.shardId === shardId).flatMap((i) => i.ns);
            assert.deepEqual(
                delivered,
                puts.filter((p) => p.shardId === shardId).map((p) => p.n),
                `shard ${shardId} in order, each record once`,
            );
        }
        assert.equal(stats.recordsDone, 60);
        assert.equal(stats.oldestPendingArrivalMs, undefined);
    });

    it("bisects a failing batch until the bad record is alone, retries it, then sends its metadata to the on-failure store", async () => {
        const { name, puts } = await streamWith(10);
        const { invocations, failures, stats } = await run(name, async (_e, ns) => {
            if (ns.includes(6)) throw new Error("record 6 is poison");
            return { batchItemFailures: [] };
        });
        assert.deepEqual(
            invocations.map((i) => i.ns),
            [range(0, 9), range(0, 4), range(5, 9), [5, 6, 7], [5, 6], [5], [6], [6], [6], [7], [8, 9]],
            "halves in order; splitting is free, then MaximumRetryAttempts (2) retries of the lone record",
        );
        assert.equal(stats.bisections, 4);
        assert.equal(failures.length, 1);
        const m = failures[0]!;
        const poison = puts[6]!;
        assert.equal(m.requestContext.condition, "RetryAttemptsExhausted");
        assert.equal(m.requestContext.functionArn, "arn:aws:lambda:us-east-1:123456789012:function:consumer");
        assert.equal(m.requestContext.approximateInvokeCount, 7, "every invocation record 6 was in");
        assert.deepEqual(m.responseContext, { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" });
        assert.equal(m.version, "1.0");
        assert.deepEqual(
            { ...m.KinesisBatchInfo, approximateArrivalOfFirstRecord: "t", approximateArrivalOfLastRecord: "t" },
            {
                shardId: poison.shardId,
                startSequenceNumber: poison.sequenceNumber,
                endSequenceNumber: poison.sequenceNumber,
                approximateArrivalOfFirstRecord: "t",
                approximateArrivalOfLastRecord: "t",
                batchSize: 1,
                streamArn: `arn:aws:kinesis:us-east-1:123456789012:stream/${name}`,
            },
        );
        assert.match(m.KinesisBatchInfo.approximateArrivalOfFirstRecord, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        assert.ok(!Number.isNaN(Date.parse(m.timestamp)));
    });

    it("resumes a partial batch response from the lowest failed sequence number", async () => {
        const { name, puts } = await streamWith(10);
        let first = true;
        const { invocations, failures } = await run(name, async () => {
            if (!first) return { batchItemFailures: [] };
            first = false;
            // Unsorted on purpose: Lambda checkpoints before the lowest one.
            return { batchItemFailures: [{ itemIdentifier: puts[7]!.sequenceNumber }, { itemIdentifier: puts[4]!.sequenceNumber }] };
        });
        assert.deepEqual(
            invocations.map((i) => i.ns),
            [range(0, 9), range(4, 9)],
        );
        assert.equal(invocations[1]!.sequenceNumbers[0], puts[4]!.sequenceNumber);
        assert.equal(failures.length, 0);
    });

    it("sends the rest of the batch from the failed record to the store when its retries are used up, then goes on", async () => {
        const { name, puts } = await streamWith(15);
        const { invocations, failures } = await run(name, async (e, ns) => {
            const i = ns.indexOf(3);
            return { batchItemFailures: i < 0 ? [] : [{ itemIdentifier: e.Records[i]!.kinesis.sequenceNumber }] };
        });
        assert.deepEqual(
            invocations.map((i) => i.ns),
            [range(0, 9), range(3, 9), range(3, 9), range(10, 14)],
            "the first invocation, then MaximumRetryAttempts (2) retries from record 3",
        );
        assert.equal(failures.length, 1);
        const m = failures[0]!;
        assert.equal(m.requestContext.condition, "RetryAttemptsExhausted");
        assert.equal(m.requestContext.approximateInvokeCount, 3);
        assert.equal(m.responseContext.functionError, undefined, "the function returned: no function error");
        assert.equal(m.KinesisBatchInfo.startSequenceNumber, puts[3]!.sequenceNumber);
        assert.equal(m.KinesisBatchInfo.endSequenceNumber, puts[9]!.sequenceNumber);
        assert.equal(m.KinesisBatchInfo.batchSize, 7);
    });

    it("without bisect, retries a failing batch whole, then discards it whole", async () => {
        const { name, puts } = await streamWith(10);
        const { invocations, failures } = await run(
            name,
            async () => {
                throw new TypeError("always fails");
            },
            { bisectBatchOnFunctionError: false, maxRetryAttempts: 1 },
        );
        assert.deepEqual(
            invocations.map((i) => i.ns),
            [range(0, 9), range(0, 9)],
        );
        assert.equal(failures.length, 1);
        assert.equal(failures[0]!.KinesisBatchInfo.batchSize, 10);
        assert.equal(failures[0]!.KinesisBatchInfo.startSequenceNumber, puts[0]!.sequenceNumber);
        assert.equal(failures[0]!.KinesisBatchInfo.endSequenceNumber, puts[9]!.sequenceNumber);
    });

    it("treats a timeout as a function error", async () => {
        const { name } = await streamWith(2);
        const { invocations, failures } = await run(
            name,
            async (_e, ns) => {
                if (ns.includes(1)) await new Promise((r) => setTimeout(r, 400));
                return { batchItemFailures: [] };
            },
            { functionTimeoutSeconds: 0.1, maxRetryAttempts: 0 },
        );
        assert.deepEqual(
            invocations.map((i) => i.ns),
            [[0, 1], [0], [1]],
        );
        assert.equal(failures.length, 1);
        assert.equal(failures[0]!.KinesisBatchInfo.batchSize, 1);
        assert.equal(failures[0]!.responseContext.functionError, "Unhandled");
    });

    it("discards records older than MaximumRecordAgeInSeconds before invoking them again", async () => {
        const { name } = await streamWith(10);
        let offset = 0;
        const { invocations, failures } = await run(
            name,
            async () => {
                offset = 2 * 3_600_000; // the clock jumps past the record age while the function fails
                throw new Error("down");
            },
            { bisectBatchOnFunctionError: false, maxRecordAgeSeconds: 3600, maxRetryAttempts: 5 },
            () => Date.now() + offset,
        );
        assert.equal(invocations.length, 1, "not invoked again once expired");
        assert.equal(failures.length, 1);
        assert.equal(failures[0]!.requestContext.condition, "RecordAgeExceeded");
        assert.equal(failures[0]!.requestContext.approximateInvokeCount, 1);
        assert.equal(failures[0]!.KinesisBatchInfo.batchSize, 10);
    });

    it("keeps each partition key's order with a parallelization factor above 1", async () => {
        const { name, puts } = await streamWith(40, 1, (i) => `key-${i % 5}`);
        const { invocations } = await run(name, async () => ({ batchItemFailures: [] }), { parallelizationFactor: 3, batchSize: 4 });
        const delivered = invocations.flatMap((i) => i.ns);
        assert.equal(delivered.length, 40);
        for (let k = 0; k < 5; k++) {
            const expected = puts.filter((p) => p.partitionKey === `key-${k}`).map((p) => p.n);
            assert.deepEqual(
                delivered.filter((n) => expected.includes(n)),
                expected,
                `key-${k} in order`,
            );
        }
    });

    it("drops records that do not match the filter criteria without invoking them", async () => {
        const { name } = await streamWith(10);
        const { invocations, filtered, stats } = await run(name, async () => ({ batchItemFailures: [] }), { filterEventTypes: ["order"] });
        assert.deepEqual(
            invocations.flatMap((i) => i.ns),
            [0, 2, 4, 6, 8],
        );
        assert.equal(filtered.length, 5);
        assert.equal(stats.filteredRecords, 5);
    });

    describe("reading the function's response (ReportBatchItemFailures)", () => {
        const batch = [{ sequenceNumber: "1" }, { sequenceNumber: "2" }] as StreamRecord[];
        const cases: [string, unknown, ReturnType<typeof readResponse>["kind"]][] = [
            ["null", null, "success"],
            ["undefined", undefined, "success"],
            ["an empty object", {}, "success"],
            ["a null list", { batchItemFailures: null }, "success"],
            ["an empty list", { batchItemFailures: [] }, "success"],
            ["a failure in the batch", { batchItemFailures: [{ itemIdentifier: "2" }] }, "partial"],
            ["an empty itemIdentifier", { batchItemFailures: [{ itemIdentifier: "" }] }, "error"],
            ["a null itemIdentifier", { batchItemFailures: [{ itemIdentifier: null }] }, "error"],
            ["a misspelt key", { batchItemFailures: [{ itemIdentifer: "2" }] }, "error"],
            ["a sequence number not in the batch", { batchItemFailures: [{ itemIdentifier: "3" }] }, "error"],
        ];
        for (const [what, response, kind] of cases) {
            it(`${what} is a ${kind === "error" ? "complete failure" : kind}`, () => {
                assert.equal(readResponse(response, batch).kind, kind);
            });
        }
    });

    it("matches filter criteria on data.event_type only for JSON objects", () => {
        assert.equal(matchesEventTypes(Buffer.from('{"event_type":"order"}'), ["order"]), true);
        assert.equal(matchesEventTypes(Buffer.from('{"event_type":"change"}'), ["order"]), false);
        assert.equal(matchesEventTypes(Buffer.from([0xf3, 0x89, 0x9a, 0xc2, 1, 2]), ["order"]), false, "a KPL aggregate never matches");
        assert.equal(matchesEventTypes(Buffer.from("anything"), []), true, "no filter: everything");
    });
});
