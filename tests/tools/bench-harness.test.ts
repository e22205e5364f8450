// npm run bench's harness: medians with min-max over runs, --runs parsing, and the counters every
// producer method's "Kinesis records per user record" comes from (checked against the stream).
import * as assert from "node:assert/strict";
import { PutRecordCommand, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { UsageError, userErrorExit } from "../../tools/lib/cli";
import { aggregateRuns, figureOfSamples, median } from "../../tools/bench/aggregate";
import { countCalls, totalRequests } from "../../tools/bench/call-counter";
import { BENCH_USAGE, MAX_RUNS, parseBenchArgs, parseRuns } from "../../tools/bench/options";
import { METHODS } from "../../tools/bench/producer";
import { figure, type BenchSection } from "../../tools/bench/types";
import { createResultsTable, createStream, startDynamo, startKinesis, type KinesisEmulator } from "../../tools/local/emulators";
import { deaggregateAll } from "../../tools/local/kinesalite";
import { readAll } from "../../tools/local/stream-dump";

const run = (value: number, baseline: number, extra: BenchSection["figures"] = []): BenchSection => ({
    key: "s",
    title: "t",
    method: "m",
    figures: [figure("rate", "records/s", value, "peer", baseline), ...extra],
});

describe("bench harness: figures over runs", () => {
    it("median: the middle value, or the mean of the two middle ones", () => {
        assert.equal(median([5]), 5);
        assert.equal(median([3, 1, 2]), 2);
        assert.equal(median([4, 1, 3, 2]), 2.5);
        assert.throws(() => median([]), RangeError);
    });

    it("value, baseline and ratio are each the median of their runs, with min and max; the ratio is the median of the runs' own ratios", () => {
        // Ratios per run: 2, 1, 4. The ratio of the medians (20 / 10) would also be 2: make them differ.
        const f = aggregateRuns([run(20, 10), run(30, 30), run(40, 10)]).figures[0]!;
        assert.equal(f.value, 30);
        assert.equal(f.baseline, 10);
        assert.equal(f.ratio, 2);
        assert.equal(f.runs, 3);
        assert.deepEqual(f.min, { value: 20, baseline: 10, ratio: 1 });
        assert.deepEqual(f.max, { value: 40, baseline: 30, ratio: 4 });
        assert.equal(f.name, "rate");
        assert.equal(f.baselineName, "peer");
        const g = aggregateRuns([run(2, 4), run(9, 3), run(6, 1)]).figures[0]!;
        assert.equal(g.ratio, 3, "median of 0.5, 3 and 6");
        assert.equal(g.value / g.baseline, 2, "not the ratio of the medians");
    });

    it("one run is a run of one, unless its section took its own samples", () => {
        const single = aggregateRuns([run(20, 10)]).figures[0]!;
        assert.equal(single.runs, 1);
        assert.deepEqual(single.min, { value: 20, baseline: 10, ratio: 2 });
        assert.deepEqual(single.max, single.min);
        const own = figureOfSamples("init", "ms", "unbundled", [
            { value: 10, baseline: 40 },
            { value: 12, baseline: 30 },
            { value: 30, baseline: 50 },
        ]);
        const kept = aggregateRuns([{ ...run(0, 1), figures: [own] }]).figures[0]!;
        assert.deepEqual(kept, own);
        assert.equal(kept.value, 12);
        assert.equal(kept.ratio, 0.4);
        assert.equal(kept.runs, 3);
        assert.deepEqual(kept.min, { value: 10, baseline: 30, ratio: 0.25 });
    });

    it("a run that lacks a figure of the first is a bug, named", () => {
        const other = { ...run(1, 1), figures: [figure("other", "x", 1, "y", 1)] };
        assert.throws(() => aggregateRuns([run(1, 1), other]), /run 2 has no figure "rate"/);
        assert.throws(() => aggregateRuns([run(1, 1), run(1, 1, [figure("extra", "x", 1, "y", 1)])]), /run 2 has 2 figures, run 1 1/);
    });
});

describe("bench harness: flags", () => {
    const sections = ["producer", "consumer", "autoscaler"];

    it("--runs takes a whole number from 1 to MAX_RUNS; absent leaves each section's default", () => {
        assert.equal(parseRuns(undefined), undefined);
        assert.equal(parseRuns("1"), 1);
        assert.equal(parseRuns(String(MAX_RUNS)), MAX_RUNS);
        assert.deepEqual(parseBenchArgs(["--runs", "5", "--only", "consumer,producer", "--json"], sections), { json: true, sections: ["consumer", "producer"], runs: 5 });
        assert.deepEqual(parseBenchArgs([], sections), { json: false, sections, runs: undefined });
    });

    for (const bad of ["0", "-1", "2.5", "abc", "", "1e1", String(MAX_RUNS + 1), " "]) {
        it(`--runs ${JSON.stringify(bad)} is refused in one line naming the flag and what it allows`, () => {
            assert.throws(
                () => parseBenchArgs(["--runs", bad], sections),
                (e: unknown) => e instanceof UsageError && e.message === `--runs must be a whole number from 1 to ${MAX_RUNS} (got "${bad}")`,
            );
        });
    }

    it("an unknown section or a stray argument is a usage error", () => {
        assert.throws(() => parseBenchArgs(["--only", "producer,nope"], sections), /Unknown section nope; sections: producer, consumer, autoscaler/);
        assert.throws(() => parseBenchArgs(["extra"], sections), /Unexpected argument extra/);
        assert.throws(() => parseBenchArgs(["--runs"], sections), UsageError);
    });

    it("a bad --runs exits 2 with its one line and the usage, no stack trace (as runMain prints it)", () => {
        let thrown: unknown;
        try {
            parseBenchArgs(["--runs=-3"], sections);
        } catch (e) {
            thrown = e;
        }
        const exit = userErrorExit(thrown, BENCH_USAGE, 2);
        assert.deepEqual(exit, { message: `--runs must be a whole number from 1 to ${MAX_RUNS} (got "-3")\nusage: ${BENCH_USAGE}`, code: 2 });
    });
});

describe("bench counters: what each producer method really sent (kinesalite)", () => {
    let kinesis: KinesisEmulator;
    before(async () => {
        kinesis = await startKinesis();
    });
    after(async () => kinesis.stop());

    it("counts PutRecords entries and PutRecord calls, and PUT payload units per record (25 KB, rounded up)", async () => {
        const client = kinesis.client();
        const counts = countCalls(client);
        await createStream(client, "counter", 1);
        const data = (n: number) => Buffer.alloc(n, 1);
        await client.send(new PutRecordsCommand({ StreamName: "counter", Records: [100, 25_600, 25_601].map((n) => ({ Data: data(n), PartitionKey: "k" })) }));
        await client.send(new PutRecordCommand({ StreamName: "counter", Data: data(60_000), PartitionKey: "k" }));
        assert.equal(counts.kinesisRecords, 4);
        assert.equal(counts.putPayloadUnits, 1 + 1 + 2 + 3);
        assert.equal(counts.requests.PutRecordsCommand, 1);
        assert.equal(counts.requests.PutRecordCommand, 1);
        assert.equal((await readAll(client, "counter")).length, 4);
    });

    for (const key of Object.keys(METHODS) as (keyof typeof METHODS)[]) {
        it(`${key}: the Kinesis records counted are the records in the stream, and the user records returned are those they carry`, async () => {
            const client = kinesis.client();
            const counts = countCalls(client);
            const stream = `method-${key}`;
            await createStream(client, stream, 2);
            const runner = METHODS[key](client, stream, 100);
            // One record first, as the bench's warm-up: the producer's shard map is in by the time it is answered.
            const written = (await runner.run(30_000, 1)) + (await runner.run(30_000, 150)) + (await runner.run(30_000, 50));
            await runner.close();
            const stored = await readAll(client, stream);
            assert.equal(written, 201);
            assert.equal(counts.kinesisRecords, stored.length);
            assert.equal(deaggregateAll(stored).length, written);
            if (key === "producer") assert.ok(stored.length <= 5, `aggregated: ${stored.length} Kinesis records for ${written} user records`);
            else assert.equal(stored.length, written);
        });
    }
});

describe("bench counters: the consumer's DynamoDB requests (dynalite)", () => {
    it("counts each request once, document client commands included, and the items of a BatchWriteItem", async () => {
        const dynamo = await startDynamo();
        try {
            const client = dynamo.client();
            const counts = countCalls(client);
            await createResultsTable(dynamo.client(), "counted");
            const doc = DynamoDBDocumentClient.from(client);
            const items = [1, 2, 3].map((i) => ({ PutRequest: { Item: { pk: `p${i}`, sk: "s" } } }));
            await doc.send(new BatchWriteCommand({ RequestItems: { counted: items } }));
            await doc.send(new GetCommand({ TableName: "counted", Key: { pk: "p1", sk: "s" } }));
            assert.equal(totalRequests(counts), 2);
            assert.equal(counts.batchWriteItems, 3);
            assert.equal(counts.kinesisRecords, 0);
        } finally {
            await dynamo.stop();
        }
    });
});
