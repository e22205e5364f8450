import type { KinesisStreamBatchResponse, KinesisStreamRecord } from "aws-lambda";
import { userRecordsOf, type UserRecordData } from "../shared/deaggregate";
import type { KinesisProducer, Outcome } from "../shared/producer";

export interface ReplicationResult {
    response: KinesisStreamBatchResponse;
    /** User records written to the replica. */
    copied: number;
    /** User records the replica did not take (including later records of a key held back after one failed). */
    failed: number;
}

/**
 * Copies a batch of primary-stream records to the replica. KPL aggregates are opened and every
 * user record is put by its own key: its own explicit hash key when the producer gave it one, else
 * its partition key alone, which Kinesis hashes with MD5 (never the aggregate's key: an aggregate
 * forwarded whole, or its hash key reused, would put records on replica shards that do not own
 * them when the two streams are sharded differently). The producer runs in ordered mode and
 * aggregates again for the replica's shards, so a key's records arrive in order; when one fails,
 * the producer fails the key's later ones with it, so none overtakes it.
 * The batch then reports the first Kinesis record with a failed user record, so Lambda retries from
 * there: what follows may be copied twice (at least once), never skipped, never reordered.
 * A record that cannot be decoded is copied as it is (the replica mirrors the primary).
 */
export async function replicate(records: KinesisStreamRecord[], producer: KinesisProducer): Promise<ReplicationResult> {
    const perRecord: Promise<Outcome>[][] = records.map((r) => {
        let users: Pick<UserRecordData, "data" | "partitionKey" | "explicitHashKey">[];
        try {
            users = userRecordsOf(r.kinesis);
        } catch {
            users = [{ data: Buffer.from(r.kinesis.data, "base64"), partitionKey: r.kinesis.partitionKey }];
        }
        return users.map((u) => producer.put({ data: u.data, partitionKey: u.partitionKey, ...(u.explicitHashKey !== undefined ? { explicitHashKey: u.explicitHashKey } : {}) }));
    });
    await producer.flush();
    const settled = await Promise.all(perRecord.map((outcomes) => Promise.all(outcomes)));
    const firstFailure = settled.findIndex((outcomes) => outcomes.some((o) => !o.ok));
    const failed = settled.flat().filter((o) => !o.ok).length;
    return {
        response: { batchItemFailures: firstFailure < 0 ? [] : [{ itemIdentifier: records[firstFailure]!.kinesis.sequenceNumber }] },
        copied: settled.flat().length - failed,
        failed,
    };
}
