// Reading a shard the way a shared-throughput consumer does (GetShardIterator, then GetRecords with
// each NextShardIterator). Used by the local event source mapping and the local Firehose, which
// both read the whole stream, each with its own iterators.
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient, type ShardIteratorType } from "@aws-sdk/client-kinesis";

/** One Kinesis record as GetRecords returns it. */
export interface StreamRecord {
    shardId: string;
    sequenceNumber: string;
    partitionKey: string;
    data: Uint8Array;
    /** Epoch ms. */
    arrivalMs: number;
}

/** GetRecords' largest Limit. */
export const GET_RECORDS_MAX = 10_000;

export async function listShardIds(client: KinesisClient, streamName: string): Promise<string[]> {
    const ids: string[] = [];
    let token: string | undefined;
    do {
        const page = await client.send(new ListShardsCommand(token === undefined ? { StreamName: streamName } : { NextToken: token }));
        for (const s of page.Shards ?? []) if (s.ShardId) ids.push(s.ShardId);
        token = page.NextToken;
    } while (token !== undefined);
    return ids;
}

export type StartingPosition = { type: "TRIM_HORIZON" | "LATEST" } | { type: "AT_SEQUENCE_NUMBER" | "AFTER_SEQUENCE_NUMBER"; sequenceNumber: string };

/** Sequence numbers are decimal strings of up to 128 bits: compare them as such. */
export function compareSequence(a: string, b: string): number {
    if (a.length !== b.length) return a.length - b.length;
    return a < b ? -1 : a > b ? 1 : 0;
}

export class ShardReader {
    private iterator: string | undefined;
    /** The shard is closed and every record was read. */
    ended = false;

    constructor(
        private readonly client: KinesisClient,
        private readonly streamName: string,
        readonly shardId: string,
    ) {}

    async open(position: StartingPosition): Promise<void> {
        const out = await this.client.send(
            new GetShardIteratorCommand({
                StreamName: this.streamName,
                ShardId: this.shardId,
                ShardIteratorType: position.type as ShardIteratorType,
                ...("sequenceNumber" in position ? { StartingSequenceNumber: position.sequenceNumber } : {}),
            }),
        );
        this.iterator = out.ShardIterator;
        this.ended = this.iterator === undefined;
    }

    /** The next records (possibly none); `ended` turns true once a closed shard is exhausted. */
    async read(limit = GET_RECORDS_MAX): Promise<StreamRecord[]> {
        if (this.iterator === undefined) {
            this.ended = true;
            return [];
        }
        const page = await this.client.send(new GetRecordsCommand({ ShardIterator: this.iterator, Limit: limit }));
        this.iterator = page.NextShardIterator;
        if (this.iterator === undefined) this.ended = true;
        return (page.Records ?? []).map((r) => ({
            shardId: this.shardId,
            sequenceNumber: r.SequenceNumber ?? "",
            partitionKey: r.PartitionKey ?? "",
            data: r.Data ?? new Uint8Array(),
            arrivalMs: r.ApproximateArrivalTimestamp?.getTime() ?? Date.now(),
        }));
    }
}

/**
 * The records of one shard from `start` to `end` (both included), as an operator replays a failed
 * batch from its on-failure message's KinesisBatchInfo (`expected`: its batchSize).
 */
export async function readRange(client: KinesisClient, streamName: string, shardId: string, start: string, end: string, expected = 100): Promise<StreamRecord[]> {
    const reader = new ShardReader(client, streamName, shardId);
    await reader.open({ type: "AT_SEQUENCE_NUMBER", sequenceNumber: start });
    const out: StreamRecord[] = [];
    // Pages of about the range's size: the shard goes on far past its end.
    const limit = Math.min(GET_RECORDS_MAX, Math.max(1, expected));
    for (;;) {
        const page = await reader.read(limit);
        for (const r of page) {
            if (compareSequence(r.sequenceNumber, end) > 0) return out;
            out.push(r);
        }
        if (page.length === 0 || reader.ended) return out;
    }
}
