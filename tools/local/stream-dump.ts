// Reading a whole stream back, shard by shard from TRIM_HORIZON: how tests and benchmarks check what
// an emulator (kinesalite or kinesis-local) holds. Not for the local run's consumers (reader.ts).
import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient, ListShardsCommand, type Shard } from "@aws-sdk/client-kinesis";

/** One Kinesis record as a shard holds it. */
export interface StoredRecord {
    shardId: string;
    sequenceNumber: string;
    partitionKey: string;
    data: Uint8Array;
}

/** Every shard of the stream, open and closed, following ListShards' pages. */
export async function listShards(client: KinesisClient, name: string): Promise<Shard[]> {
    const shards: Shard[] = [];
    let token: string | undefined;
    do {
        const page = await client.send(new ListShardsCommand(token === undefined ? { StreamName: name } : { NextToken: token }));
        shards.push(...(page.Shards ?? []));
        token = page.NextToken;
    } while (token !== undefined);
    return shards;
}

/** Every record of every shard, in shard order and sequence order within a shard. */
export async function readAll(client: KinesisClient, name: string): Promise<StoredRecord[]> {
    const out: StoredRecord[] = [];
    for (const shard of await listShards(client, name)) {
        const shardId = shard.ShardId as string;
        let iterator = (await client.send(new GetShardIteratorCommand({ StreamName: name, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
        while (iterator !== undefined) {
            const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
            const records = page.Records ?? [];
            for (const r of records) out.push({ shardId, sequenceNumber: r.SequenceNumber as string, partitionKey: r.PartitionKey as string, data: r.Data as Uint8Array });
            // An empty page: caught up, or the closed shard is exhausted (no next iterator).
            if (records.length === 0) break;
            iterator = page.NextShardIterator;
        }
    }
    return out;
}
