import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import type { PutRecordsCommandInput, PutRecordsCommandOutput } from "@aws-sdk/client-kinesis";
import type { KinesisStreamRecord } from "aws-lambda";
import { replicate } from "../../functions/replicator/replicate";
import { KinesisProducer } from "../../functions/shared/producer";
import { type Kinesalite, makeTestRecords, seededRandom, startKinesalite, type StoredRecord } from "../../tools/local/kinesalite";
import { encodeAggregate, type KplUserRecord } from "../support/kpl";

/** The records of a shard as the Kinesis event source mapping hands them to Lambda. */
function lambdaRecords(stored: StoredRecord[]): KinesisStreamRecord[] {
    return stored.map((r) => ({
        kinesis: {
            kinesisSchemaVersion: "1.0",
            partitionKey: r.partitionKey,
            sequenceNumber: r.sequenceNumber,
            data: Buffer.from(r.data).toString("base64"),
            approximateArrivalTimestamp: 1_764_000_000,
        },
        eventSource: "aws:kinesis",
        eventVersion: "1.0",
        eventID: `${r.shardId}:${r.sequenceNumber}`,
        eventName: "aws:kinesis:record",
        invokeIdentityArn: "arn:aws:iam::123456789012:role/replicator",
        awsRegion: "us-east-1",
        eventSourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/primary",
    }));
}

const replicaProducer = (k: Kinesalite, stream: string, client = k.client({ maxAttempts: 1 }), recordTtlMs = 3_000) =>
    new KinesisProducer({ client, streamName: stream, ordered: true, maxBufferedTimeMs: 0, recordTtlMs, backoff: { baseMs: 5, capMs: 20 } });

/** The hash key a user record is placed by: its explicit hash key, else MD5 of its partition key. */
const hashKeyOf = (r: KplUserRecord) =>
    r.explicitHashKey !== undefined ? BigInt(r.explicitHashKey) : BigInt(`0x${createHash("md5").update(r.partitionKey, "utf8").digest("hex")}`);

/**
 * A primary shard's batch of KPL aggregates (encoded by hand) whose user records mix both kinds, as
 * the KPL writes them: half the keys route by an explicit hash key of their own, half by MD5 of the
 * partition key. Data is `<key>#<n>`, n counting per key, so order can be checked from the bytes.
 */
function mixedBatch(aggregates: number, perAggregate: number, keys: number, seed: number): { records: KinesisStreamRecord[]; users: KplUserRecord[][] } {
    const rand = seededRandom(seed);
    const ehkOf = Array.from({ length: keys }, (_, k) => (k % 2 === 0 ? (BigInt(Math.floor(rand() * 2 ** 52)) * 2n ** 76n).toString() : undefined));
    const counts = new Array<number>(keys).fill(0);
    const users = Array.from({ length: aggregates }, () =>
        Array.from({ length: perAggregate }, () => {
            const k = Math.floor(rand() * keys);
            const ehk = ehkOf[k];
            return { partitionKey: `key-${k}`, ...(ehk !== undefined ? { explicitHashKey: ehk } : {}), data: Buffer.from(`key-${k}#${counts[k]!++}`) };
        }),
    );
    const stored = users.map((u, i) => ({ shardId: "shardId-000000000000", sequenceNumber: String(1000 + i), partitionKey: u[0]!.partitionKey, data: encodeAggregate(u) }));
    return { records: lambdaRecords(stored), users };
}

/** Replica shards' hash ranges; the shard that owns a hash key. */
async function ownerOf(k: Kinesalite, stream: string): Promise<(hash: bigint) => string> {
    const shards = await k.listShards(stream);
    return (hash) => shards.find((s) => BigInt(s.HashKeyRange!.StartingHashKey!) <= hash && hash <= BigInt(s.HashKeyRange!.EndingHashKey!))!.ShardId!;
}

describe("replicator against two kinesalite streams", function () {
    this.timeout(60_000);
    let k: Kinesalite;
    before(async () => {
        k = await startKinesalite();
        await Promise.all([k.createStream("primary", 2), k.createStream("replica", 3)]);
    });
    after(() => k.stop());

    it("copies every user record byte for byte with its partition key, in per-key order, across differently sharded streams", async () => {
        // The primary holds KPL aggregates and plain records, as our producer writes them.
        const source = new KinesisProducer({ client: k.client(), streamName: "primary" });
        const written = makeTestRecords(3_000, 40, 7, (rand) => 10 + Math.floor(rand() * 3_000));
        await Promise.all(written.map((r) => source.put(r)));
        await source.close();
        const primary = await k.readAll("primary");
        assert.ok(primary.length < written.length, "the primary holds aggregated records");

        const producer = replicaProducer(k, "replica");
        // One invocation per shard and batch, as the event source mapping does with parallelization 1.
        for (const shardId of new Set(primary.map((r) => r.shardId))) {
            const shard = primary.filter((r) => r.shardId === shardId);
            for (let i = 0; i < shard.length; i += 100) {
                const result = await replicate(lambdaRecords(shard.slice(i, i + 100)), producer);
                assert.deepEqual(result.response, { batchItemFailures: [] });
            }
        }
        await producer.close();

        const userRecords = await k.readUserRecords("replica");
        assert.equal(userRecords.length, written.length);
        const perKey = (rs: { partitionKey: string; data: Uint8Array }[]) => {
            const m = new Map<string, string[]>();
            for (const r of rs) m.set(r.partitionKey, [...(m.get(r.partitionKey) ?? []), Buffer.from(r.data).toString("hex")]);
            return m;
        };
        // The primary's order is the truth to keep (an unordered producer may itself reorder a key).
        assert.deepEqual(perKey(userRecords), perKey(await k.readUserRecords("primary")), "every user record, in the primary's per-key order");
        // Each key on the replica shard its hash belongs to.
        const shardsPerKey = new Map<string, Set<string>>();
        for (const r of userRecords) shardsPerKey.set(r.partitionKey, (shardsPerKey.get(r.partitionKey) ?? new Set()).add(r.shardId));
        assert.ok(
            [...shardsPerKey.values()].every((s) => s.size === 1),
            "a key's records share one replica shard",
        );
    });

    it("reports the first record it could not copy, so Lambda retries from there", async () => {
        const missing = replicaProducer(k, "no-such-replica");
        const primary = (await k.readAll("primary")).slice(0, 5);
        const result = await replicate(lambdaRecords(primary), missing);
        await missing.close();
        assert.equal(result.copied, 0);
        assert.ok(result.failed >= 5, "every user record of the batch failed");
        assert.deepEqual(result.response, { batchItemFailures: [{ itemIdentifier: primary[0]!.sequenceNumber }] });
    });

    it("puts each user record of mixed aggregates on the replica shard that owns its own key, in per-key order", async () => {
        await k.createStream("replica-mixed", 4);
        const { records, users } = mixedBatch(30, 40, 60, 5);
        const owner = await ownerOf(k, "replica-mixed");
        // The test has power: read as aws-kinesis-agg's deaggregateSync reads it, a record without an
        // explicit hash key takes its aggregate's first one, which often belongs to another shard.
        const wouldMove = users.flatMap((u) =>
            u.filter((r) => r.explicitHashKey === undefined && owner(hashKeyOf(r)) !== owner(BigInt(u.find((x) => x.explicitHashKey)!.explicitHashKey!))),
        );
        assert.ok(wouldMove.length > 100, `${wouldMove.length} records would be misplaced by the first explicit hash key`);

        const producer = replicaProducer(k, "replica-mixed");
        const result = await replicate(records, producer);
        await producer.close();
        assert.deepEqual(result.response, { batchItemFailures: [] });
        assert.equal(result.copied, 30 * 40);

        const expected = new Map(users.flat().map((r) => [r.data.toString(), owner(hashKeyOf(r))]));
        const replica = await k.readUserRecords("replica-mixed");
        assert.equal(replica.length, expected.size);
        const misplaced = replica.filter((r) => expected.get(r.data.toString()) !== r.shardId);
        assert.deepEqual(
            misplaced.map((r) => r.data.toString()),
            [],
            "every user record on the shard owning its own hash key",
        );
        // Per key, in order: readUserRecords lists each shard in sequence order, and a key has one shard.
        const seen = new Map<string, number>();
        for (const r of replica) {
            const [key, n] = r.data.toString().split("#") as [string, string];
            assert.equal(Number(n), (seen.get(key) ?? -1) + 1, `${key} in order`);
            seen.set(key, Number(n));
        }
    });

    it("when a put fails, reports the earliest Kinesis record holding a failed user record and lets no later record of its key overtake it", async () => {
        await k.createStream("replica-faulty", 3);
        const { records, users } = mixedBatch(12, 25, 20, 9);
        const poison = users[3]![7]!;
        // Kinesis writes no entry it fails: the poison's entries are taken out of the request and answered InternalFailure.
        const client = k.client({ maxAttempts: 1 });
        client.middlewareStack.add(
            (next) => async (args) => {
                const input = args.input as PutRecordsCommandInput;
                if (!("Records" in input) || !Array.isArray(input.Records)) return next(args);
                const bad = input.Records.map((e) => Buffer.from(e.Data!).includes(poison.data));
                if (!bad.includes(true)) return next(args);
                const forwarded = input.Records.filter((_, i) => !bad[i]);
                const out = (
                    forwarded.length > 0 ? await next({ ...args, input: { ...input, Records: forwarded } }) : { output: { Records: [], $metadata: {} }, response: {} }
                ) as { output: PutRecordsCommandOutput; response: unknown };
                const results = [...(out.output.Records ?? [])];
                const merged = bad.map((b) => (b ? { ErrorCode: "InternalFailure", ErrorMessage: "injected" } : results.shift()!));
                return { ...out, output: { ...out.output, Records: merged, FailedRecordCount: merged.filter((m) => m.ErrorCode).length } };
            },
            { step: "initialize", name: "failPoisonEntries" },
        );
        const producer = replicaProducer(k, "replica-faulty", client, 300);
        const result = await replicate(records, producer);
        await producer.close();

        const onReplica = new Set((await k.readUserRecords("replica-faulty")).map((r) => r.data.toString()));
        const firstMissing = users.findIndex((u) => u.some((r) => !onReplica.has(r.data.toString())));
        assert.ok(firstMissing >= 0 && firstMissing <= 3, `the poison's Kinesis record (3) or an earlier one packed with it, got ${firstMissing}`);
        assert.deepEqual(result.response, { batchItemFailures: [{ itemIdentifier: records[firstMissing]!.kinesis.sequenceNumber }] });
        assert.equal(onReplica.has(poison.data.toString()), false);
        // Per key, what reached the replica is a prefix of the key's records: nothing overtook a failed one.
        const perKey = new Map<string, boolean[]>();
        for (const r of users.flat()) perKey.set(r.partitionKey, [...(perKey.get(r.partitionKey) ?? []), onReplica.has(r.data.toString())]);
        for (const [key, written] of perKey)
            assert.deepEqual(
                written,
                [...written].sort((a, b) => Number(b) - Number(a)),
                `${key}: ${written.map((w) => (w ? 1 : 0)).join("")}`,
            );
        assert.ok(perKey.get(poison.partitionKey)!.filter((w) => !w).length > 1, "the poison's key had later records, held back");
    });
});
