// The producer across a reshard: 20,000 records over 2,000 keys (ordered mode, aggregation on) while
// UpdateShardCount takes the stream 4 -> 8 and 4 -> 6, on kinesis-local (kinesis-mock). Measured from
// what the shards hold with an independent decoder (tools/bench/reshard-run.ts). Run alone with
// `npm run bench -- --only producerReshard`.
import { startKinesisLocal } from "../local/kinesis-local";
import { runReshard } from "./reshard-run";
import { figure, type BenchFigure, type BenchSection } from "./types";

const RECORDS = 20_000;
const KEYS = 2_000;
const SEND_MS = 10_000;
/** The target: at most 1 % of user records on a shard that does not own their key. */
const MISPLACED_TARGET_PERCENT = 1;

export async function producerReshardBench(): Promise<BenchSection> {
    const kl = await startKinesisLocal({ updateShardCountMs: 2_000 });
    const figures: BenchFigure[] = [];
    try {
        for (const toShards of [8, 6]) {
            const r = await runReshard(kl, {
                stream: `bench-reshard-4-${toShards}`,
                records: RECORDS,
                keys: KEYS,
                fromShards: 4,
                toShards,
                sendMs: SEND_MS,
                seed: toShards,
                // kinesis-mock starved of CPU can take many seconds per call: a long timeout keeps
                // lost responses (and their duplicates) down to real ones.
                producer: { ordered: true, requestTimeoutMs: 30_000 },
            });
            const label = `4->${toShards} mid-send`;
            figures.push(figure(`${label}: misplaced user records (% of sent)`, "%", Number(((r.misplaced / r.records) * 100).toFixed(3)), "target", MISPLACED_TARGET_PERCENT));
            figures.push(
                figure(
                    `${label}: misplaced user records sent after the producer's map refresh`,
                    "records",
                    r.misplacedAfterRefresh,
                    "copies in flight at the reshard (the most that may be misplaced)",
                    r.inFlightAtReshard,
                ),
            );
            figures.push(figure(`${label}: keys with records on two sibling shards`, "keys", r.keysOnSiblingShards, "keys", KEYS));
            figures.push(figure(`${label}: lost user records`, "records", r.lost, "records sent", r.records));
            figures.push(figure(`${label}: duplicates in the stream`, "records", r.duplicates, "potential duplicates the producer counted", r.potentialDuplicates));
            figures.push(figure(`${label}: per-key order violations`, "violations", r.orderViolations, "records sent", r.records));
            figures.push(figure(`${label}: user records re-packed by the new map`, "records", r.recordsRepacked, "records sent", r.records));
        }
    } finally {
        await kl.stop();
    }
    return {
        key: "producerReshard",
        title: "Producer across a reshard: placement, loss, duplicates and order on kinesis-mock",
        method:
            `kinesis-local 0.6.2 (kinesis-mock) as a child process on 127.0.0.1, UPDATE_SHARD_COUNT_DURATION 2 s. Per run, a new ` +
            `4-shard stream; ${RECORDS.toLocaleString("en")} user records of 60-200 bytes over ${KEYS.toLocaleString("en")} keys ` +
            `(10 % of keys routed by an explicit hash key of their own) put at an even pace over ${SEND_MS / 1000} s through ` +
            `KinesisProducer (ordered, aggregation on, defaults otherwise, requestTimeoutMs 30 s); UpdateShardCount ` +
            `(UNIFORM_SCALING) at 40 % of the puts, to 8 and to 6 shards (kinesis-mock closes every parent and opens the new shards at ` +
            `once). Then every shard, closed ones included, is read from TRIM_HORIZON with GetRecords and deaggregated with ` +
            `aws-kinesis-agg (MD5 checked); each user record's hash key comes from the run's own records (the key's explicit hash key, ` +
            `else MD5 of the partition key computed in the run: aws-kinesis-agg reads an absent explicit hash key index as 0). ` +
            `Misplaced: a copy on a shard whose hash range does not hold its hash key. Sibling shards: two shards of the same ` +
            `generation (read in parallel by consumers). Order: a key's first copies in put order within each shard, and the ` +
            `closed shards' before the new ones'.`,
        figures,
    };
}
