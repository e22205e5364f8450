import { strict as assert } from "node:assert";
import type { KinesisStreamRecord } from "aws-lambda";
import { replicate } from "../../functions/replicator/replicate";
import { KinesisProducer } from "../../functions/shared/producer";
import { type Kinesalite, makeTestRecords, startKinesalite, type StoredRecord } from "../support/kinesalite";

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

const replicaProducer = (k: Kinesalite, stream: string) =>
    new KinesisProducer({ client: k.client({ maxAttempts: 1 }), streamName: stream, ordered: true, maxBufferedTimeMs: 0, recordTtlMs: 3_000 });

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
        assert.ok([...shardsPerKey.values()].every((s) => s.size === 1), "a key's records share one replica shard");
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
});
