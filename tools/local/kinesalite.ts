// An in-process kinesalite (in-memory Kinesis) on 127.0.0.1 and a random port, with SDK v3 clients
// wired to it. Shared by the producer, consumer, replicator and local-run tests and the benchmarks.
import type { KinesisClient, KinesisClientConfig, Shard } from "@aws-sdk/client-kinesis";
import { deaggregateSync } from "aws-kinesis-agg";
import { seededRandom } from "../lib/seeded-random";
import { createStream, LOCAL_CREDENTIALS, LOCAL_REGION, startKinesis } from "./emulators";
import { listShards as listStreamShards, readAll as readStream, type StoredRecord } from "./stream-dump";

export type { StoredRecord };

export interface KinesaliteOptions {
    /** Shards per account before LimitExceededException. @default 100 */
    shardLimit?: number;
}

/** A record read back with GetRecords, with the shard it came from. */
/** A user record read back: a Kinesis record, or one user record deaggregated from a KPL aggregate. */
export interface UserRecord {
    shardId: string;
    sequenceNumber: string;
    /** Index inside the aggregate; undefined for a record that was not aggregated. */
    subSequenceNumber: number | undefined;
    partitionKey: string;
    data: Buffer;
    /** Bytes of the Kinesis record's data it came in (the whole aggregate's when aggregated). */
    kinesisDataBytes: number;
    aggregated: boolean;
}

const KPL_MAGIC = Buffer.from("f3899ac2", "hex");

/** Deaggregates stored records with aws-kinesis-agg (MD5 checked), as a KCL consumer would. */
export function deaggregateAll(stored: StoredRecord[]): UserRecord[] {
    const out: UserRecord[] = [];
    for (const s of stored) {
        const data = Buffer.from(s.data);
        const aggregated = data.subarray(0, 4).equals(KPL_MAGIC);
        const payload = {
            data: data.toString("base64"),
            sequenceNumber: s.sequenceNumber,
            partitionKey: s.partitionKey,
            kinesisSchemaVersion: "1.0",
            approximateArrivalTimestamp: 0,
        };
        deaggregateSync(payload, true, (err, users) => {
            if (err) throw err;
            for (const u of users ?? []) {
                out.push({
                    shardId: s.shardId,
                    sequenceNumber: u.sequenceNumber,
                    subSequenceNumber: aggregated ? u.subSequenceNumber : undefined,
                    partitionKey: u.partitionKey,
                    data: Buffer.from(u.data, "base64"),
                    kinesisDataBytes: data.length,
                    aggregated,
                });
            }
        });
    }
    return out;
}

export { seededRandom };

export interface TestRecord {
    data: Buffer;
    partitionKey: string;
}

/**
 * `n` records of random bytes whose data starts with their index (4 bytes, big-endian) so they can
 * be recognised when read back; keys mix words, integers ("1003") and non-ASCII text.
 */
export function makeTestRecords(n: number, keys: number, seed: number, size: (rand: () => number) => number): TestRecord[] {
    const rand = seededRandom(seed);
    const keyNames = Array.from({ length: keys }, (_, k) => (k % 3 === 0 ? String(1000 + k) : k % 3 === 1 ? `user-${k}` : `ключ-${k}`));
    return Array.from({ length: n }, (_, i) => {
        const data = Buffer.alloc(Math.max(4, size(rand)));
        for (let b = 4; b < data.length; b += 4) data.writeUInt32LE(Math.floor(rand() * 2 ** 32), Math.min(b, data.length - 4));
        data.writeUInt32BE(i, 0);
        return { data, partitionKey: keyNames[Math.floor(rand() * keys)] as string };
    });
}

export interface Kinesalite {
    /** http://127.0.0.1:<port> */
    endpoint: string;
    /**
     * A client for the emulator: region us-east-1, fake credentials, the HTTP/1.1 handler (the
     * SDK's default handler fails against kinesalite). Overrides are applied last. Destroyed on stop().
     */
    client(overrides?: Partial<KinesisClientConfig>): KinesisClient;
    /** Creates the stream and waits until it is ACTIVE. */
    createStream(name: string, shards: number): Promise<void>;
    /** The stream's shards as ListShards reports them (closed ones included). */
    listShards(name: string): Promise<Shard[]>;
    /** Every record of every shard from TRIM_HORIZON, per shard in sequence order. */
    readAll(name: string): Promise<StoredRecord[]>;
    /** readAll, deaggregated. */
    readUserRecords(name: string): Promise<UserRecord[]>;
    stop(): Promise<void>;
}

export const TEST_REGION = LOCAL_REGION;
export const TEST_CREDENTIALS = LOCAL_CREDENTIALS;

/** kinesalite as the local run starts it (tools/local/emulators.ts), with the readers tests need. */
export async function startKinesalite(options: KinesaliteOptions = {}): Promise<Kinesalite> {
    const emulator = await startKinesis({ shardLimit: options.shardLimit ?? 100 });
    const client = (overrides: Partial<KinesisClientConfig> = {}): KinesisClient => emulator.client(overrides);
    const admin = client();

    const listShards = (name: string): Promise<Shard[]> => listStreamShards(admin, name);
    const readAll = (name: string): Promise<StoredRecord[]> => readStream(admin, name);

    return {
        endpoint: emulator.endpoint,
        client,
        listShards,
        readAll,
        readUserRecords: async (name) => deaggregateAll(await readAll(name)),
        createStream: (name, shards) => createStream(admin, name, shards),
        stop: () => emulator.stop(),
    };
}
