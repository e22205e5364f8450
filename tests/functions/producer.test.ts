// KinesisProducer against kinesalite: round trips read back with GetRecords and deaggregated with
// aws-kinesis-agg, request limits, shard map use and refresh, validation and lifecycle.
import * as assert from "node:assert/strict";
import { SplitShardCommand, type KinesisClient, type PutRecordsCommandInput } from "@aws-sdk/client-kinesis";
import {
    KinesisProducer,
    MAX_REQUEST_BYTES,
    MAX_REQUEST_ENTRIES,
    partitionKeyHash,
    type Outcome,
    type ProducerRecord,
    type PutRecordsMetrics,
} from "../../functions/shared/producer";
import { deaggregateAll, makeTestRecords, startKinesalite, type Kinesalite, type TestRecord, type UserRecord } from "../../tools/local/kinesalite";

/** Mostly small records, some medium, a few over the 51,200-byte aggregation limit. */
function mixedSize(rand: () => number): number {
    const u = rand();
    if (u < 0.9) return 10 + Math.floor(rand() * 990);
    if (u < 0.99) return 1_000 + Math.floor(rand() * 9_000);
    return 10_000 + Math.floor(rand() * 90_000);
}

function makeRecords(n: number, keys: number, seed: number, size: (rand: () => number) => number = mixedSize): TestRecord[] {
    return makeTestRecords(n, keys, seed, size);
}

function compareSeq(a: UserRecord, b: UserRecord): number {
    const x = BigInt(a.sequenceNumber);
    const y = BigInt(b.sequenceNumber);
    if (x !== y) return x < y ? -1 : 1;
    return (a.subSequenceNumber ?? 0) - (b.subSequenceNumber ?? 0);
}

/** Asserts every record came back once, byte for byte, where its outcome says. */
function assertDelivered(records: { data: Buffer; partitionKey: string }[], outcomes: Outcome[], read: UserRecord[]): void {
    const failed = outcomes.filter((o) => !o.ok);
    assert.equal(failed.length, 0, `failed outcomes: ${JSON.stringify(failed.slice(0, 3))}`);
    assert.equal(read.length, records.length, "user records read back");
    const seen = new Set<number>();
    for (const r of read) {
        const id = r.data.readUInt32BE(0);
        assert.ok(!seen.has(id), `record ${id} read twice`);
        seen.add(id);
        const put = records[id];
        assert.ok(put !== undefined, `unknown record ${id}`);
        assert.ok(r.data.equals(put.data), `record ${id}: bytes differ`);
        assert.equal(r.partitionKey, put.partitionKey, `record ${id}: partition key`);
        const o = outcomes[id];
        assert.ok(o?.ok, `record ${id}: outcome`);
        assert.deepEqual([o.shardId, o.sequenceNumber, o.subSequenceNumber], [r.shardId, r.sequenceNumber, r.subSequenceNumber], `record ${id}: outcome vs stream`);
    }
}

/** Per partition key, the stream order (sequence, then sub-sequence) is the put order. */
function assertPerKeyOrder(read: UserRecord[]): void {
    const byKey = new Map<string, UserRecord[]>();
    for (const r of read) byKey.set(r.partitionKey, [...(byKey.get(r.partitionKey) ?? []), r]);
    for (const [key, list] of byKey) {
        const ids = list.sort(compareSeq).map((r) => r.data.readUInt32BE(0));
        for (let i = 1; i < ids.length; i++) assert.ok((ids[i - 1] as number) < (ids[i] as number), `key ${key}: record ${ids[i]} stored after ${ids[i - 1]}`);
    }
}

/** A client whose send() sees every PutRecords input, and counts calls in flight. */
function observedClient(inner: KinesisClient): { client: KinesisClient; requests: PutRecordsCommandInput[]; maxInFlight: () => number } {
    const requests: PutRecordsCommandInput[] = [];
    let inFlight = 0;
    let max = 0;
    const client = {
        send: async (command: { input: unknown; constructor: { name: string } }, options?: unknown) => {
            const isPut = command.constructor.name === "PutRecordsCommand";
            if (isPut) {
                requests.push(command.input as PutRecordsCommandInput);
                inFlight++;
                max = Math.max(max, inFlight);
            }
            try {
                return await (inner.send as (c: unknown, o?: unknown) => Promise<unknown>)(command, options);
            } finally {
                if (isPut) inFlight--;
            }
        },
    } as unknown as KinesisClient;
    return { client, requests, maxInFlight: () => max };
}

describe("KinesisProducer against kinesalite", () => {
    let k: Kinesalite;
    let streams = 0;
    const newStream = async (shards: number): Promise<string> => {
        const name = `producer-${++streams}`;
        await k.createStream(name, shards);
        return name;
    };

    before(async () => {
        k = await startKinesalite();
    });
    after(async () => {
        await k.stop();
    });

    it("round-trips 10,000 mixed-size records over 4 shards, byte for byte, in per-key order", async () => {
        const stream = await newStream(4);
        const records = makeRecords(10_000, 150, 1);
        const requests: PutRecordsMetrics[] = [];
        const producer = new KinesisProducer({ client: k.client(), streamName: stream, ordered: true, onMetrics: (_t, r) => requests.push(r) });
        const outcomes = await Promise.all(records.map((r) => producer.put(r)));
        await producer.close();

        const stored = await k.readAll(stream);
        const read = deaggregateAll(stored);
        assertDelivered(records, outcomes, read);
        assertPerKeyOrder(read);

        // Aggregates never exceed 51,200 bytes; records too large to aggregate went alone.
        for (const s of stored) {
            const data = Buffer.from(s.data);
            if (data.subarray(0, 4).equals(Buffer.from("f3899ac2", "hex"))) assert.ok(data.length <= 51_200, `aggregate of ${data.length} bytes`);
        }
        const large = records.filter((r) => r.data.length > 51_200).length;
        assert.ok(large > 0);
        assert.ok(read.filter((r) => !r.aggregated).length >= large);
        assert.equal(new Set(stored.map((s) => s.shardId)).size, 4);

        const m = producer.metrics();
        assert.equal(m.recordsSent, 10_000);
        assert.equal(m.recordsFailed, 0);
        assert.equal(m.kinesisRecordsSent, stored.length);
        assert.equal(m.aggregationRatio, 10_000 / stored.length);
        assert.ok(m.aggregationRatio > 10, `aggregation ratio ${m.aggregationRatio}`);
        assert.equal(m.outstanding, 0);
        assert.equal(requests.length, m.putRecordsRequests);
        assert.equal(
            requests.reduce((n, r) => n + r.userRecords, 0),
            10_000,
        );
    });

    it("routes records by explicit hash key and matches outcomes without ordered mode", async () => {
        const stream = await newStream(4);
        const shards = await k.listShards(stream);
        const records = makeRecords(2_000, 40, 2);
        const withEhk: ProducerRecord[] = records.map((r, i) => (i % 5 === 0 ? { ...r, explicitHashKey: ((BigInt(i) * (2n ** 128n - 1n)) / 2_000n).toString() } : r));
        const producer = new KinesisProducer({ client: k.client(), streamName: stream, maxBufferedTimeMs: 20 });
        const outcomes = await Promise.all(withEhk.map((r) => producer.put(r)));
        await producer.close();
        const read = await k.readUserRecords(stream);
        assertDelivered(records, outcomes, read);
        for (const [i, r] of withEhk.entries()) {
            const hash = r.explicitHashKey !== undefined ? BigInt(r.explicitHashKey) : partitionKeyHash(r.partitionKey as string);
            const owner = shards.find((s) => BigInt(s.HashKeyRange?.StartingHashKey ?? -1) <= hash && hash <= BigInt(s.HashKeyRange?.EndingHashKey ?? -1));
            const o = outcomes[i];
            assert.ok(o?.ok);
            assert.equal(o.shardId, owner?.ShardId, `record ${i} landed outside its hash key's shard`);
        }
    });

    it("without a shard map packs per partition key", async () => {
        const stream = await newStream(2);
        const records = makeRecords(1_500, 30, 3, (rand) => 10 + Math.floor(rand() * 500));
        const producer = new KinesisProducer({ client: k.client(), streamName: stream, aggregation: { useShardMap: false } });
        const outcomes = await Promise.all(records.map((r) => producer.put(r)));
        await producer.close();
        const stored = await k.readAll(stream);
        const read = deaggregateAll(stored);
        assertDelivered(records, outcomes, read);
        const keysPerKinesisRecord = new Map<string, Set<string>>();
        for (const r of read) keysPerKinesisRecord.set(r.sequenceNumber, (keysPerKinesisRecord.get(r.sequenceNumber) ?? new Set()).add(r.partitionKey));
        for (const keys of keysPerKinesisRecord.values()) assert.equal(keys.size, 1);
        assert.ok(stored.length <= 60, `${stored.length} Kinesis records for 30 keys`);
        assert.equal(producer.metrics().shardMapRefreshes, 0);
    });

    it("with aggregation off sends one entry per record, 500 per request at most, maxInFlight calls at once", async () => {
        const stream = await newStream(2);
        const records = makeRecords(3_000, 20, 4, () => 50);
        const observed = observedClient(k.client());
        const producer = new KinesisProducer({ client: observed.client, streamName: stream, aggregation: { enabled: false }, maxInFlight: 2 });
        const outcomes = await Promise.all(records.map((r) => producer.put(r)));
        await producer.close();
        const stored = await k.readAll(stream);
        assert.equal(stored.length, 3_000);
        assertDelivered(records, outcomes, deaggregateAll(stored));
        assert.ok(outcomes.every((o) => o.ok && o.subSequenceNumber === undefined));
        const sizes = observed.requests.map((r) => r.Records?.length ?? 0);
        assert.equal(Math.max(...sizes), MAX_REQUEST_ENTRIES);
        assert.equal(observed.maxInFlight(), 2);
        assert.equal(producer.metrics().aggregationRatio, 1);
    });

    it("keeps each request within 5 MiB with near-1 MiB records", async () => {
        const stream = await newStream(1);
        const records = makeRecords(12, 3, 5, () => 1_000_000);
        const observed = observedClient(k.client());
        const producer = new KinesisProducer({ client: observed.client, streamName: stream });
        const outcomes = await Promise.all(records.map((r) => producer.put(r)));
        await producer.close();
        assertDelivered(records, outcomes, await k.readUserRecords(stream));
        for (const req of observed.requests) {
            const bytes = (req.Records ?? []).reduce((n, e) => n + (e.Data?.length ?? 0) + Buffer.byteLength(e.PartitionKey ?? ""), 0);
            assert.ok(bytes <= MAX_REQUEST_BYTES, `request of ${bytes} bytes`);
        }
        assert.deepEqual(
            observed.requests.map((r) => r.Records?.length),
            [5, 5, 2],
        );
    });

    it("refreshes the shard map after a split and packs for the new shards", async () => {
        const stream = await newStream(1);
        const producer = new KinesisProducer({ client: k.client(), streamName: stream, maxBufferedTimeMs: 10 });
        const before = await Promise.all(makeRecords(200, 50, 6, () => 100).map((r) => producer.put(r)));
        assert.ok(before.every((o) => o.ok && o.shardId === "shardId-000000000000"));
        assert.equal(producer.metrics().shardMapRefreshes, 1);

        const admin = k.client();
        await admin.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: "shardId-000000000000", NewStartingHashKey: (2n ** 127n).toString() }));
        for (let i = 0; i < 100 && (await k.listShards(stream)).length < 3; i++) await new Promise((r) => setTimeout(r, 10));
        // kinesalite ends UPDATING after updateStreamMs (0 here).
        await new Promise((r) => setTimeout(r, 50));

        // The first put after the split lands in a child shard the map does not know: refresh.
        const probe = await producer.put({ data: "probe", partitionKey: "probe" });
        assert.ok(probe.ok && probe.shardId !== "shardId-000000000000");
        for (let i = 0; i < 300 && producer.metrics().shardMapRefreshes < 2; i++) await new Promise((r) => setTimeout(r, 10));
        assert.equal(producer.metrics().shardMapRefreshes, 2);

        const records = makeRecords(2_000, 100, 7, () => 100);
        const outcomes = await Promise.all(records.map((r) => producer.put(r)));
        await producer.close();
        assert.ok(outcomes.every((o) => o.ok));
        const shards = await k.listShards(stream);
        const rangeOf = new Map(shards.map((s) => [s.ShardId as string, [BigInt(s.HashKeyRange?.StartingHashKey ?? 0), BigInt(s.HashKeyRange?.EndingHashKey ?? 0)] as const]));
        const afterSplit = (await k.readUserRecords(stream)).filter((r) => r.shardId !== "shardId-000000000000" && r.partitionKey !== "probe");
        assert.equal(afterSplit.length, 2_000);
        for (const r of afterSplit) {
            const [lo, hi] = rangeOf.get(r.shardId) as readonly [bigint, bigint];
            const h = partitionKeyHash(r.partitionKey);
            assert.ok(lo <= h && h <= hi, `a user record of key ${r.partitionKey} was packed into ${r.shardId}, outside its range`);
        }
    });

    it("gives invalid records an immediate failed outcome naming the field and limit", async () => {
        const stream = await newStream(1);
        const producer = new KinesisProducer({ client: k.client(), streamName: stream });
        const cases: [ProducerRecord, string, RegExp][] = [
            [{ data: "x" }, "InvalidPartitionKey", /partitionKey is required/],
            [{ data: "x", partitionKey: "" }, "InvalidPartitionKey", /partitionKey must be 1 to 256 characters \(got 0 characters\)/],
            [{ data: "x", partitionKey: "k".repeat(257) }, "InvalidPartitionKey", /1 to 256 characters \(got 257/],
            [{ data: "x", partitionKey: "k", explicitHashKey: (2n ** 128n).toString() }, "InvalidExplicitHashKey", /explicitHashKey must be a decimal integer in 0\.\.2\^128-1/],
            [{ data: "x", partitionKey: "k", explicitHashKey: "007" }, "InvalidExplicitHashKey", /without leading zeros/],
            [{ data: Buffer.alloc(1024 * 1024), partitionKey: "k" }, "RecordTooLarge", /data \+ partitionKey is 1048577 bytes, over the stream's 1048576-byte/],
            [{ data: 42 as unknown as string, partitionKey: "k" }, "InvalidData", /data must be a string or a Uint8Array/],
        ];
        for (const [record, code, message] of cases) {
            const o = await producer.put(record);
            assert.ok(!o.ok);
            assert.equal(o.errorCode, code);
            assert.match(o.errorMessage, message);
            assert.equal(o.attempts, 0);
        }
        // The largest valid record: data + key exactly 1 MiB.
        const max = await producer.put({ data: Buffer.alloc(1024 * 1024 - 1), partitionKey: "k" });
        assert.ok(max.ok);
        await producer.close();
        assert.equal(producer.metrics().recordsInvalid, cases.length);
        const late = await producer.put({ data: "x", partitionKey: "k" });
        assert.deepEqual(late, { ok: false, errorCode: "ProducerClosed", errorMessage: "put() after close()", attempts: 0 });
    });

    it("derives partition keys from a JSON field or at random", async () => {
        const stream = await newStream(2);
        const byField = new KinesisProducer({ client: k.client(), streamName: stream, partitionKey: { field: "user_id" }, maxBufferedTimeMs: 5 });
        const ok = await Promise.all([
            byField.put({ data: JSON.stringify({ user_id: "alice" }) }),
            byField.put({ data: new TextEncoder().encode(JSON.stringify({ user_id: 42 })) }),
        ]);
        const missing = await byField.put({ data: JSON.stringify({ other: 1 }) });
        const notJson = await byField.put({ data: "not json" });
        const explicit = await byField.put({ data: JSON.stringify({ user_id: "bob" }), partitionKey: "override" });
        await byField.close();
        assert.ok(ok.every((o) => o.ok) && explicit.ok);
        assert.ok(!missing.ok && missing.errorCode === "InvalidPartitionKey" && /field "user_id"/.test(missing.errorMessage));
        assert.ok(!notJson.ok && notJson.errorCode === "InvalidPartitionKey");

        const random = new KinesisProducer({ client: k.client(), streamName: stream, partitionKey: "random", maxBufferedTimeMs: 5 });
        const outs = await Promise.all(Array.from({ length: 200 }, (_, i) => random.put({ data: `r${i}` })));
        await random.close();
        assert.ok(outs.every((o) => o.ok));
        const read = await k.readUserRecords(stream);
        const keys = new Map(read.map((r) => [r.data.toString(), r.partitionKey]));
        assert.equal(keys.get(JSON.stringify({ user_id: "alice" })), "alice");
        assert.equal(keys.get(JSON.stringify({ user_id: 42 })), "42");
        assert.equal(keys.get(JSON.stringify({ user_id: "bob" })), "override");
        assert.equal(new Set(read.filter((r) => r.data.toString().startsWith("r")).map((r) => r.partitionKey)).size, 200);
        assert.equal(new Set(read.filter((r) => r.data.toString().startsWith("r")).map((r) => r.shardId)).size, 2);
    });

    it("waits maxBufferedTimeMs for a lone record, and flush() sends at once", async () => {
        const stream = await newStream(1);
        const producer = new KinesisProducer({ client: k.client(), streamName: stream, maxBufferedTimeMs: 300 });
        await producer.flush(); // nothing buffered: resolves
        let t = performance.now();
        const lone = await producer.put({ data: "lone", partitionKey: "k" });
        const waited = performance.now() - t;
        assert.ok(lone.ok);
        assert.ok(waited >= 290 && waited < 2_000, `lone record took ${waited} ms`);

        const slow = new KinesisProducer({ client: k.client(), streamName: stream, maxBufferedTimeMs: 30_000 });
        const settled: Outcome[] = [];
        const puts = Array.from({ length: 10 }, (_, i) => slow.put({ data: `f${i}`, partitionKey: `k${i}` }).then((o) => settled.push(o)));
        t = performance.now();
        await slow.flush();
        assert.equal(settled.length, 10, "flush() resolved before every outcome");
        assert.ok(performance.now() - t < 1_000);
        await Promise.all(puts);
        await Promise.all([producer.close(), slow.close()]);
    });

    it("rejects bad options with a TypeError naming the option", () => {
        const client = k.client();
        assert.throws(() => new KinesisProducer({ client }), /Provide either streamName or streamArn, not both/);
        assert.throws(() => new KinesisProducer({ client, streamName: "a", streamArn: "arn:aws:kinesis:us-east-1:1:stream/a" }), TypeError);
        assert.throws(() => new KinesisProducer({ client, streamName: "a", maxInFlight: 0 }), /maxInFlight must be an integer from 1 to 64 \(got 0\)/);
        assert.throws(() => new KinesisProducer({ client, streamName: "a", aggregation: { maxBytes: 2_000_000 } }), /aggregation.maxBytes must be an integer from 64 to 1047552/);
        assert.throws(() => new KinesisProducer({ client, streamName: "a", backoff: { baseMs: 100, capMs: 10 } }), /backoff.capMs must be a number from 100/);
        assert.throws(() => new KinesisProducer({ client, streamName: "a", partitionKey: { field: "" } }), /partitionKey strategy must be/);
    });
});
