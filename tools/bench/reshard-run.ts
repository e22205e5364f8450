// One producer run with a reshard mid-send against kinesis-local (kinesis-mock), measured from what
// the shards hold, independently of the producer's code: every shard is read with GetRecords, every
// Kinesis record deaggregated by aws-kinesis-agg (MD5 checked), and each user record's hash key is
// the run's own ground truth (its key's explicit hash key, else MD5 of its partition key computed
// here). aws-kinesis-agg reads an absent explicit_hash_key_index as 0, so its explicit hash keys are
// not used. Shared by tests/functions/producer-reshard.test.ts and tools/bench/producer-reshard.ts.
import { createHash } from "node:crypto";
import { type KinesisClient, UpdateShardCountCommand } from "@aws-sdk/client-kinesis";
import { deaggregateSync } from "aws-kinesis-agg";
import { KinesisProducer, type KinesisProducerOptions, type Outcome } from "../../functions/shared/producer";
import { type StoredRecord, seededRandom } from "../local/kinesalite";
import type { KinesisLocal } from "../local/kinesis-local";

export interface ReshardRunOptions {
    stream: string;
    records: number;
    keys: number;
    fromShards: number;
    toShards: number;
    /** Puts are spread evenly over this long; UpdateShardCount is called at `reshardAt` of it. */
    sendMs: number;
    /** 0..1 @default 0.4 */
    reshardAt?: number;
    /** Share of keys routed by an explicit hash key of their own. @default 0.1 */
    explicitHashKeyShare?: number;
    seed: number;
    producer?: Omit<KinesisProducerOptions, "client" | "streamName">;
}

export interface ReshardRunReport {
    records: number;
    /** Records put whose id is on no shard. */
    lost: number;
    /** Copies beyond the first. */
    duplicates: number;
    /** The producer's own bound on duplicates (resends after a lost response). */
    potentialDuplicates: number;
    /** User record copies on a shard whose hash range does not hold their hash key. */
    misplaced: number;
    /** misplaced / records. */
    misplacedShare: number;
    /**
     * Misplaced copies sent in a PutRecords request that started after the producer's first shard map
     * refresh following the reshard (a ListShards answered after a put result first named a new shard).
     * The producer's promise is that this is 0: only requests already in flight can be misplaced.
     */
    misplacedAfterRefresh: number;
    /** User record copies in PutRecords requests sent before that refresh and answered after the reshard was called: the most that may be misplaced. */
    inFlightAtReshard: number;
    /** Keys with records on two shards of the same generation (read in parallel by consumers). */
    keysOnSiblingShards: number;
    /** A key's first copies out of put order within a shard, or a new shard's before an old shard's. */
    orderViolations: number;
    failedOutcomes: number;
    /** Outcomes whose shard and sequence number hold no copy of the record. */
    unmatchedOutcomes: number;
    recordsRepacked: number;
    shardMapRefreshes: number;
    kinesisRecords: number;
    elapsedMs: number;
}

interface Copy {
    id: number;
    partitionKey: string;
    shardId: string;
    generation: number;
    sequenceNumber: bigint;
    subSequenceNumber: number;
}

/** Every PutRecords and ListShards call of the producer's client: when it was sent and answered. */
interface CallLog {
    puts: { sentAt: number; answeredAt: number; sequenceNumbers: string[]; newShard: boolean }[];
    listShards: { sentAt: number; answeredAt: number }[];
}

/** Records the producer's calls at the SDK boundary (the producer's own code is not consulted). */
function logCalls(client: KinesisClient, oldShards: ReadonlySet<string>): CallLog {
    const log: CallLog = { puts: [], listShards: [] };
    client.middlewareStack.add(
        (next, context) => async (args) => {
            const sentAt = performance.now();
            const result = await next(args);
            const answeredAt = performance.now();
            if (context.commandName === "ListShardsCommand") log.listShards.push({ sentAt, answeredAt });
            if (context.commandName === "PutRecordsCommand") {
                const out = (result.output as { Records?: { ShardId?: string; SequenceNumber?: string }[] }).Records ?? [];
                log.puts.push({
                    sentAt,
                    answeredAt,
                    sequenceNumbers: out.flatMap((r) => (r.SequenceNumber ? [r.SequenceNumber] : [])),
                    newShard: out.some((r) => r.ShardId !== undefined && !oldShards.has(r.ShardId)),
                });
            }
            return result;
        },
        { step: "initialize", name: "reshardRunCallLog" },
    );
    return log;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const md5Hash = (key: string) => BigInt(`0x${createHash("md5").update(key, "utf8").digest("hex")}`);
const before = (a: Copy, b: Copy) =>
    a.generation - b.generation || (a.sequenceNumber < b.sequenceNumber ? -1 : a.sequenceNumber > b.sequenceNumber ? 1 : a.subSequenceNumber - b.subSequenceNumber);

function decode(stored: StoredRecord[], generationOf: (shardId: string) => number): Copy[] {
    const out: Copy[] = [];
    for (const s of stored) {
        const payload = {
            data: Buffer.from(s.data).toString("base64"),
            sequenceNumber: s.sequenceNumber,
            partitionKey: s.partitionKey,
            kinesisSchemaVersion: "1.0",
            approximateArrivalTimestamp: 0,
        };
        deaggregateSync(payload, true, (err, users) => {
            if (err) throw err;
            (users ?? []).forEach((u, i) => {
                out.push({
                    id: Buffer.from(u.data, "base64").readUInt32BE(0),
                    partitionKey: u.partitionKey,
                    shardId: s.shardId,
                    generation: generationOf(s.shardId),
                    sequenceNumber: BigInt(s.sequenceNumber),
                    subSequenceNumber: i,
                });
            });
        });
    }
    return out;
}

/** Per key: first copies in put order within each shard, and the old shards' before the new ones'. */
function orderViolations(copies: Copy[]): { violations: number; keysOnSiblingShards: number } {
    const first = new Map<number, Copy>();
    for (const c of copies) {
        const seen = first.get(c.id);
        if (seen === undefined || before(c, seen) < 0) first.set(c.id, c);
    }
    const byKey = new Map<string, Copy[]>();
    for (const c of first.values()) {
        const list = byKey.get(c.partitionKey);
        if (list === undefined) byKey.set(c.partitionKey, [c]);
        else list.push(c);
    }
    let violations = 0;
    let keysOnSiblingShards = 0;
    for (const list of byKey.values()) {
        const shardsPerGeneration = new Map<number, Set<string>>();
        for (const c of list) shardsPerGeneration.set(c.generation, (shardsPerGeneration.get(c.generation) ?? new Set()).add(c.shardId));
        if ([...shardsPerGeneration.values()].some((s) => s.size > 1)) keysOnSiblingShards++;
        const byShard = new Map<string, Copy[]>();
        for (const c of list) byShard.set(c.shardId, [...(byShard.get(c.shardId) ?? []), c]);
        for (const onShard of byShard.values()) {
            onShard.sort(before);
            for (let i = 1; i < onShard.length; i++) if ((onShard[i] as Copy).id < (onShard[i - 1] as Copy).id) violations++;
        }
        const oldIds = list.filter((c) => c.generation === 0).map((c) => c.id);
        const newIds = list.filter((c) => c.generation === 1).map((c) => c.id);
        if (oldIds.length > 0 && newIds.length > 0 && Math.max(...oldIds) > Math.min(...newIds)) violations++;
    }
    return { violations, keysOnSiblingShards };
}

/** Creates the stream, sends the records through a KinesisProducer with a reshard mid-send, and measures. */
export async function runReshard(kl: KinesisLocal, o: ReshardRunOptions): Promise<ReshardRunReport> {
    await kl.createStream(o.stream, o.fromShards);
    const oldShards = new Set((await kl.listShards(o.stream)).map((s) => s.ShardId as string));
    const rand = seededRandom(o.seed);
    const ehkShare = o.explicitHashKeyShare ?? 0.1;
    const keys = Array.from({ length: o.keys }, (_, k) => {
        const partitionKey = `key-${k}`;
        if (rand() >= ehkShare) return { partitionKey, explicitHashKey: undefined, hash: md5Hash(partitionKey) };
        const hash = BigInt(`0x${createHash("md5").update(`ehk-${o.seed}-${k}`).digest("hex")}`);
        return { partitionKey, explicitHashKey: hash.toString(), hash };
    });
    const records = Array.from({ length: o.records }, (_, id) => {
        const key = keys[Math.floor(rand() * keys.length)] as (typeof keys)[number];
        const data = Buffer.alloc(60 + Math.floor(rand() * 140), id % 251);
        data.writeUInt32BE(id, 0);
        return { data, partitionKey: key.partitionKey, ...(key.explicitHashKey !== undefined ? { explicitHashKey: key.explicitHashKey } : {}) };
    });

    const admin = kl.client();
    const producerClient = kl.client({ maxAttempts: 1 });
    const calls = logCalls(producerClient, oldShards);
    const producer = new KinesisProducer({ client: producerClient, streamName: o.stream, ...o.producer });
    let reshardCalledAt = Number.POSITIVE_INFINITY;
    const started = performance.now();
    const chunks = Math.max(1, Math.round(o.sendMs / 25));
    const reshardChunk = Math.floor(chunks * (o.reshardAt ?? 0.4));
    const outcomes: Promise<Outcome>[] = [];
    for (let c = 0; c < chunks; c++) {
        if (c === reshardChunk) {
            reshardCalledAt = performance.now();
            await admin.send(new UpdateShardCountCommand({ StreamName: o.stream, TargetShardCount: o.toShards, ScalingType: "UNIFORM_SCALING" }));
        }
        const end = Math.round(((c + 1) * o.records) / chunks);
        for (let id = outcomes.length; id < end; id++) outcomes.push(producer.put(records[id] as (typeof records)[number]));
        await sleep(started + ((c + 1) * o.sendMs) / chunks - performance.now());
    }
    const settled = await Promise.all(outcomes);
    await producer.close();
    const elapsedMs = performance.now() - started;
    await kl.waitForActive(o.stream, 30_000);

    const shards = await kl.listShards(o.stream);
    const ranges = new Map(shards.map((s) => [s.ShardId as string, [BigInt(s.HashKeyRange?.StartingHashKey ?? "0"), BigInt(s.HashKeyRange?.EndingHashKey ?? "0")] as const]));
    const stored = await kl.readAll(o.stream);
    const copies = decode(stored, (shardId) => (oldShards.has(shardId) ? 0 : 1));
    const hashOf = new Map(keys.map((k) => [k.partitionKey, k.hash]));

    // The first refresh after a put result named a new shard: requests sent after it carry the new map.
    const revealedAt = Math.min(...calls.puts.filter((p) => p.newShard).map((p) => p.answeredAt));
    const refreshedAt = Math.min(...calls.listShards.filter((l) => l.sentAt >= revealedAt).map((l) => l.answeredAt));
    const requestOf = new Map(calls.puts.flatMap((p) => p.sequenceNumbers.map((seq) => [BigInt(seq), p] as const)));

    const count = new Map<number, number>();
    let misplaced = 0;
    let misplacedAfterRefresh = 0;
    let inFlightAtReshard = 0;
    for (const c of copies) {
        count.set(c.id, (count.get(c.id) ?? 0) + 1);
        const request = requestOf.get(c.sequenceNumber);
        if (request !== undefined && request.sentAt < refreshedAt && request.answeredAt >= reshardCalledAt) inFlightAtReshard++;
        const [lo, hi] = ranges.get(c.shardId) as readonly [bigint, bigint];
        const h = hashOf.get(c.partitionKey) as bigint;
        if (h < lo || h > hi) {
            misplaced++;
            if (request === undefined || request.sentAt >= refreshedAt) misplacedAfterRefresh++;
        }
    }
    const where = new Set(copies.map((c) => `${c.id}/${c.shardId}/${c.sequenceNumber}/${c.subSequenceNumber}`));
    let unmatchedOutcomes = 0;
    settled.forEach((out, id) => {
        if (out.ok && !where.has(`${id}/${out.shardId}/${BigInt(out.sequenceNumber)}/${out.subSequenceNumber ?? 0}`)) unmatchedOutcomes++;
    });
    const order = orderViolations(copies);
    const m = producer.metrics();
    return {
        records: o.records,
        lost: records.filter((_, id) => !count.has(id)).length,
        duplicates: [...count.values()].reduce((a, n) => a + n - 1, 0),
        potentialDuplicates: m.potentialDuplicates,
        misplaced,
        misplacedShare: misplaced / o.records,
        misplacedAfterRefresh,
        inFlightAtReshard,
        keysOnSiblingShards: order.keysOnSiblingShards,
        orderViolations: order.violations,
        failedOutcomes: settled.filter((s) => !s.ok).length,
        unmatchedOutcomes,
        recordsRepacked: m.recordsRepacked,
        shardMapRefreshes: m.shardMapRefreshes,
        kinesisRecords: stored.length,
        elapsedMs,
    };
}
