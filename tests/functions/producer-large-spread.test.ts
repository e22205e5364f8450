// Large records spread across shards (the Kinesis guide's "Handle large records": "Use randomized
// partition keys to distribute large records across available shards") and their retries when a
// shard throttles them. kinesis-local (kinesis-mock 0.6.2) takes MaxRecordSizeInKiB and routes by
// ExplicitHashKey, so the spread is checked there; it never throttles, so throttling is stubbed at the
// SDK boundary with aws-sdk-client-mock (kinesalite refuses any record over 1 MiB).
import { strict as assert } from "node:assert";
import { CreateStreamCommand, KinesisClient, ListShardsCommand, PutRecordsCommand, type PutRecordsCommandInput, type Shard } from "@aws-sdk/client-kinesis";
import { mockClient } from "aws-sdk-client-mock";
import { KinesisProducer, MAX_HASH_KEY, type Outcome, partitionKeyHash } from "../../functions/shared/producer";
import { type KinesisLocal, startKinesisLocal } from "../../tools/local/kinesis-local";

const MiB = 1024 * 1024;
const LARGE = MiB + 1024;
const THROTTLED = { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "Rate exceeded for shard" };

/** `n` open shards splitting the hash key space evenly, as ListShards returns them. */
function evenShards(n: number): Shard[] {
    const width = (MAX_HASH_KEY + 1n) / BigInt(n);
    return Array.from({ length: n }, (_, i) => ({
        ShardId: `shardId-00000000000${i}`,
        HashKeyRange: { StartingHashKey: String(width * BigInt(i)), EndingHashKey: String(i === n - 1 ? MAX_HASH_KEY : width * BigInt(i + 1) - 1n) },
        SequenceNumberRange: { StartingSequenceNumber: "1" },
    }));
}

function shardOf(shards: Shard[], hashKey: string | bigint): string {
    const key = BigInt(hashKey);
    const shard = shards.find((s) => key >= BigInt(s.HashKeyRange!.StartingHashKey!) && key <= BigInt(s.HashKeyRange!.EndingHashKey!));
    return shard!.ShardId!;
}

interface Sent {
    partitionKey: string;
    explicitHashKey: string | undefined;
    bytes: number;
    shard: string | undefined;
}

/**
 * A Kinesis stub with `shards`: PutRecords writes each entry to the shard its ExplicitHashKey (or the
 * MD5 of its partition key) falls in, unless `throttle` says that attempt is throttled. Every entry sent is recorded, in order.
 */
function stubKinesis(shards: Shard[], throttle: (entry: Sent, attempt: number) => boolean = () => false) {
    const kinesis = mockClient(KinesisClient);
    const sent: Sent[] = [];
    const attempts = new Map<string, number>();
    kinesis.on(ListShardsCommand).resolves({ Shards: shards });
    kinesis.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => {
        const records = (input.Records ?? []).map((r) => {
            const shard = shardOf(shards, r.ExplicitHashKey ?? partitionKeyHash(r.PartitionKey!));
            const entry: Sent = { partitionKey: r.PartitionKey!, explicitHashKey: r.ExplicitHashKey, bytes: r.Data!.length, shard };
            sent.push(entry);
            const id = `${r.PartitionKey}/${r.Data![0]}/${r.Data!.length}`;
            const attempt = (attempts.get(id) ?? 0) + 1;
            attempts.set(id, attempt);
            return throttle(entry, attempt) ? THROTTLED : { ShardId: shard, SequenceNumber: String(sent.length) };
        });
        return { FailedRecordCount: records.filter((r) => "ErrorCode" in r).length, Records: records };
    });
    return { kinesis, sent };
}

const client = () => new KinesisClient({ region: "us-east-1", maxAttempts: 1 });
const large = (tag: number, partitionKey = "device-1") => ({ data: Buffer.alloc(LARGE, tag), partitionKey });

describe("producer: large records spread across shards (aws-sdk-client-mock)", () => {
    let stub: ReturnType<typeof stubKinesis> | undefined;
    afterEach(() => stub?.kinesis.restore());

    it("sends a key's large records to each shard in turn with an ExplicitHashKey, keeping the partition key; small ones stay on the key", async () => {
        const shards = evenShards(4);
        stub = stubKinesis(shards);
        const p = new KinesisProducer({ client: client(), streamName: "s", maxRecordSizeKib: 2048, maxBufferedTimeMs: 5 });
        const outcomes = await Promise.all([...[1, 2, 3, 4, 5, 6, 7, 8].map((i) => p.put(large(i))), p.put({ data: "small", partitionKey: "device-1" })]);
        await p.close();
        assert.ok(
            outcomes.every((o) => o.ok),
            JSON.stringify(outcomes),
        );
        const big = stub.sent.filter((s) => s.bytes === LARGE);
        assert.ok(
            big.every((s) => s.partitionKey === "device-1" && s.explicitHashKey !== undefined),
            "every large record keeps its partition key and is routed by an ExplicitHashKey",
        );
        const perShard = new Map<string, number>();
        for (const s of big) perShard.set(s.shard!, (perShard.get(s.shard!) ?? 0) + 1);
        assert.deepEqual([...perShard.values()], [2, 2, 2, 2], `8 large records over 4 shards: ${JSON.stringify([...perShard])}`);
        // The outcome names the shard the record was written to, as for any record.
        assert.deepEqual(new Set(outcomes.slice(0, 8).map((o) => (o as { shardId: string }).shardId)), new Set(shards.map((s) => s.ShardId)));
        assert.equal(stub.sent.find((s) => s.bytes < MiB)?.explicitHashKey, undefined, "records up to 1 MiB are routed by their key as before");
        assert.equal(p.metrics().largeRecordsSpread, 8);
    });

    it("a throttled large record is resent, after backoff, to the next shard until written; its outcome counts every attempt", async () => {
        const shards = evenShards(4);
        // Every large record is throttled on its first two attempts, as a shard whose burst capacity is spent.
        stub = stubKinesis(shards, (s, attempt) => s.bytes === LARGE && attempt <= 2);
        const p = new KinesisProducer({ client: client(), streamName: "s", maxRecordSizeKib: 2048, maxBufferedTimeMs: 5, backoff: { baseMs: 5, capMs: 20 } });
        const outcomes = await Promise.all([1, 2, 3].map((i) => p.put(large(i))));
        await p.close();
        assert.deepEqual(
            outcomes.map((o) => [o.ok, o.attempts]),
            [
                [true, 3],
                [true, 3],
                [true, 3],
            ],
        );
        // Each record's three attempts went to three different shards (the spreader's next ones).
        const shardsTried = (tag: number) =>
            stub!.kinesis
                .commandCalls(PutRecordsCommand)
                .flatMap((c) => (c.args[0].input as PutRecordsCommandInput).Records!.filter((r) => r.Data![0] === tag).map((r) => shardOf(shards, r.ExplicitHashKey!)));
        for (const tag of [1, 2, 3]) {
            const tried = shardsTried(tag);
            assert.equal(tried.length, 3);
            assert.ok(tried[0] !== tried[1] && tried[1] !== tried[2], `record ${tag} retried on the shard that throttled it: ${tried}`);
        }
        const m = p.metrics();
        assert.deepEqual([m.throttled, m.largeRecordsThrottled, m.recordsRetried, m.largeRecordsSpread, m.recordsSent], [6, 6, 6, 9, 3]);
    });

    it("a large record throttled until its TTL fails with the throttle's code, as any record (one outcome, attempts counted)", async () => {
        stub = stubKinesis(evenShards(2), (s) => s.bytes === LARGE);
        const p = new KinesisProducer({ client: client(), streamName: "s", maxRecordSizeKib: 2048, maxBufferedTimeMs: 5, recordTtlMs: 300, backoff: { baseMs: 10, capMs: 40 } });
        const [big, small] = await Promise.all([p.put(large(1)), p.put({ data: "x", partitionKey: "device-1" })]);
        await p.close();
        assert.equal(small!.ok, true);
        assert.ok(
            !big!.ok && big!.errorCode === "ProvisionedThroughputExceededException" && big!.attempts >= 2 && big!.errorMessage.includes("TTL of 300 ms expired"),
            JSON.stringify(big),
        );
        assert.equal(p.metrics().largeRecordsThrottled, big!.attempts);
    });

    it("never moves a record that has its own ExplicitHashKey, nor spreads with spreadLargeRecords: false", async () => {
        const shards = evenShards(4);
        stub = stubKinesis(shards);
        const own = String(MAX_HASH_KEY);
        const p = new KinesisProducer({ client: client(), streamName: "s", maxRecordSizeKib: 2048, maxBufferedTimeMs: 5 });
        await Promise.all([p.put({ ...large(1), explicitHashKey: own }), p.put({ ...large(2), explicitHashKey: own })]);
        await p.close();
        assert.deepEqual(
            stub.sent.map((s) => s.explicitHashKey),
            [own, own],
        );
        const q = new KinesisProducer({ client: client(), streamName: "s", maxRecordSizeKib: 2048, maxBufferedTimeMs: 5, spreadLargeRecords: false });
        await Promise.all([q.put(large(3)), q.put(large(4))]);
        await q.close();
        assert.deepEqual(
            stub.sent.slice(2).map((s) => s.explicitHashKey),
            [undefined, undefined],
        );
        assert.equal(q.metrics().largeRecordsSpread, 0);
    });

    it("ordered mode keeps a key's large records on its shard, and refuses to spread them", async () => {
        stub = stubKinesis(evenShards(4));
        const p = new KinesisProducer({ client: client(), streamName: "s", maxRecordSizeKib: 2048, maxBufferedTimeMs: 5, ordered: true });
        const outcomes: Outcome[] = await Promise.all([p.put(large(1)), p.put(large(2))]);
        await p.close();
        assert.ok(outcomes.every((o) => o.ok));
        assert.ok(stub.sent.every((s) => s.explicitHashKey === undefined));
        assert.throws(() => new KinesisProducer({ client: client(), streamName: "s", ordered: true, spreadLargeRecords: true }), {
            name: "TypeError",
            message: "spreadLargeRecords cannot be combined with ordered: true (a spread record leaves its key's shard, so its key's order could not be kept)",
        });
    });
});

describe("producer: large records spread across shards (kinesis-local)", function () {
    this.timeout(60_000);
    let kl: KinesisLocal | undefined;
    after(async () => {
        await kl?.stop();
    });

    it("learns the stream's MaxRecordSizeInKiB and writes one key's large records to every shard", async () => {
        kl = await startKinesisLocal();
        const admin = kl.client();
        await admin.send(new CreateStreamCommand({ StreamName: "large", ShardCount: 2, MaxRecordSizeInKiB: 2048 }));
        await kl.waitForActive("large");
        // Records wait up to maxBufferedTimeMs for the first ListShards: long enough here that the spread
        // follows the shard map (close() sends them as soon as it is in).
        const p = new KinesisProducer({ client: kl.client({ maxAttempts: 1 }), streamName: "large", maxBufferedTimeMs: 10_000, requestTimeoutMs: 40_000 });
        // No maxRecordSizeKib: the producer reads it (DescribeStreamSummary) for the first record over 1 MiB.
        const puts = [1, 2].map((i) => p.put({ data: Buffer.alloc(LARGE, i), partitionKey: "one-key" }));
        await p.close();
        const outcomes = await Promise.all(puts);
        assert.ok(
            outcomes.every((o) => o.ok),
            JSON.stringify(outcomes),
        );
        assert.equal(new Set(outcomes.map((o) => (o as { shardId: string }).shardId)).size, 2, JSON.stringify(outcomes));
    });
});
