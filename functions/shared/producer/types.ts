import type { KinesisClient } from "@aws-sdk/client-kinesis";
import type { PendingRecord } from "./pending-record";
import type { ShardMap } from "./shard-map";

export type { PendingRecord };

/** One user record as handed to `put()`. */
export interface ProducerRecord {
    /** The payload; a string is sent as its UTF-8 bytes. Copied on `put()`. */
    data: Uint8Array | string;
    /** Wins over the producer's partition key strategy when set. 1..256 characters. */
    partitionKey?: string;
    /** A decimal in 0..2^128-1 that routes the record instead of MD5(partition key). */
    explicitHashKey?: string;
}

/**
 * How a record without its own `partitionKey` gets one:
 * - `"given"`: it must carry one, else it fails with `InvalidPartitionKey`;
 * - `{ field }`: the top-level field of the record's data parsed as JSON (a string, or a finite number
 *   written in decimal); a record that is not a JSON object or lacks the field fails with
 *   `InvalidPartitionKey`;
 * - `"random"`: a random UUID per record (spreads load; no per-key order to keep).
 */
export type PartitionKeyStrategy = "given" | "random" | { field: string };

export interface SuccessOutcome {
    ok: true;
    shardId: string;
    sequenceNumber: string;
    /** Index of the user record inside its aggregated Kinesis record; absent when sent alone. */
    subSequenceNumber?: number;
    /** PutRecords calls that carried this record, the successful one included. */
    attempts: number;
    /**
     * Set when an earlier attempt's response was lost (timeout, connection reset, HTTP 5xx): that
     * attempt may have written the record too, so the stream may hold a second copy.
     */
    maybeDuplicated?: true;
}

export interface FailureOutcome {
    ok: false;
    /**
     * A Kinesis entry error code, the SDK error name of a failed request, or one of
     * `ProducerErrorCode`: `RequestOutcomeUnknown` when the last attempt's response was lost.
     */
    errorCode: string;
    errorMessage: string;
    /** PutRecords calls that carried this record (0 when it was rejected before sending). */
    attempts: number;
    /**
     * Set when some attempt's response was lost (timeout, connection reset, HTTP 5xx): the record
     * may be in the stream although it failed, so a caller that re-sends it should deduplicate.
     */
    maybeWritten?: true;
}

/** Exactly one per user record. */
export type Outcome = SuccessOutcome | FailureOutcome;

export interface AggregationOptions {
    /** @default true */
    enabled?: boolean;
    /**
     * Largest aggregated Kinesis record, in bytes of its data (magic number, protobuf and MD5);
     * the KPL's AggregationMaxSize. A user record that does not fit alone is sent unaggregated.
     * @default 51200
     */
    maxBytes?: number;
    /**
     * Call ListShards to pack records per shard. Without a shard map (disabled, not allowed or
     * failing) records are packed per hash key, that is per partition key.
     * @default true
     */
    useShardMap?: boolean;
}

export interface BackoffOptions {
    /** @default 100 */
    baseMs?: number;
    /** @default 5000 */
    capMs?: number;
}

/** Cumulative counters since the producer was created. */
export interface ProducerMetrics {
    /** User records accepted by `put()` (valid ones). */
    recordsPut: number;
    /** User records with a successful outcome. */
    recordsSent: number;
    /** User records with a failed outcome, invalid ones included. */
    recordsFailed: number;
    /** User records rejected by validation (also counted in recordsFailed). */
    recordsInvalid: number;
    /** Resends of user records: a record sent three times counts two. */
    recordsRetried: number;
    /** Kinesis records (PutRecords entries) written successfully. */
    kinesisRecordsSent: number;
    /** Entries that came back with an error code or were in a failed request. */
    kinesisRecordsFailed: number;
    /** recordsSent / kinesisRecordsSent (1 without aggregation, 0 before anything is sent). */
    aggregationRatio: number;
    /** Bytes (data + partition keys) of successfully written entries. */
    bytesSent: number;
    putRecordsRequests: number;
    /** PutRecords calls that failed as a whole (SDK error, HTTP 5xx, network, timeout). */
    putRecordsErrors: number;
    /** Entries rejected with ProvisionedThroughputExceededException, or requests throttled as a whole. */
    throttled: number;
    /**
     * Resends of user records whose earlier request's response was lost: each may have written one
     * more copy, so this bounds the duplicates the producer's own retries can add.
     */
    potentialDuplicates: number;
    shardMapRefreshes: number;
    /** User records re-packed by a new shard map after a reshard (buffered or back from a failed put). */
    recordsRepacked: number;
    /**
     * Sends of large records (over 1 MiB) routed to a shard of their own by `spreadLargeRecords`; a
     * resend after throttling goes to the next shard and counts again.
     */
    largeRecordsSpread: number;
    /** Entries of large records (over 1 MiB) throttled: rejected with ProvisionedThroughputExceededException or in a throttled request. */
    largeRecordsThrottled: number;
    /** Records put and not yet given an outcome (buffered, waiting or in flight). */
    outstanding: number;
}

/** What one PutRecords call did; passed to `onMetrics` with the totals after each call. */
export interface PutRecordsMetrics {
    entries: number;
    userRecords: number;
    bytes: number;
    failedEntries: number;
    /** The SDK error name when the call failed as a whole. */
    requestError?: string;
    latencyMs: number;
}

export interface KinesisProducerOptions {
    client: KinesisClient;
    /** Exactly one of streamName or streamArn. */
    streamName?: string;
    streamArn?: string;
    /** @default "given" */
    partitionKey?: PartitionKeyStrategy;
    /** Longest time a record waits for its request to fill; the KPL's RecordMaxBufferedTime. @default 100 */
    maxBufferedTimeMs?: number;
    /** PutRecords calls in flight at once, 1..64. @default 4 */
    maxInFlight?: number;
    /** @default { enabled: true, maxBytes: 51200, useShardMap: true } */
    aggregation?: AggregationOptions;
    /** Time from `put()` after which a record not yet written fails; the KPL's RecordTtl. @default 30000 */
    recordTtlMs?: number;
    /** Full-jitter exponential backoff between attempts of a failed entry or request. */
    backoff?: BackoffOptions;
    /** Abort a PutRecords call after this long and retry it (the KPL's RequestTimeout). @default 6000 */
    requestTimeoutMs?: number;
    /**
     * Keep the order of each partition key's records even under retries: at most one entry per key
     * in flight. @default false
     */
    ordered?: boolean;
    /**
     * The stream's `MaxRecordSizeInKiB` (1024-10240) when the caller knows it (from the stack's
     * config); otherwise the producer reads it with DescribeStreamSummary the first time a record over
     * 1 MiB is put, which the producer's role must then allow.
     */
    maxRecordSizeKib?: number;
    /**
     * Spread records over 1 MiB (what the Kinesis guide calls large records) across the stream's
     * shards: each goes to the next shard of the shard map in turn (a random hash key without a map)
     * through an ExplicitHashKey, and a resend after a throttle goes to the next shard again. The
     * record keeps its partition key, but no longer lands on its key's shard: a consumer that needs
     * every record of a key on one shard (per-key order, per-shard state) must not use it. Records
     * with their own `explicitHashKey` are never moved. Cannot be combined with `ordered: true`.
     * @default true unless ordered (ordered mode promises per-key order, which spreading would break)
     */
    spreadLargeRecords?: boolean;
    /** Called after each PutRecords call. Exceptions it throws are ignored. */
    onMetrics?: (totals: ProducerMetrics, request: PutRecordsMetrics) => void;
}

/** The stream parameter of a Kinesis call. */
export type StreamTarget = { StreamName: string } | { StreamARN: string };

/** One PutRecords entry: a user record alone or an aggregate of several. */
export interface Entry {
    readonly records: PendingRecord[];
    readonly aggregated: boolean;
    readonly data: Uint8Array;
    readonly partitionKey: string;
    readonly explicitHashKey: string | undefined;
    /** data + UTF-8 partition key bytes. */
    readonly size: number;
    /** The shard the shard map predicted when the entry was built. */
    readonly predictedShard: string | undefined;
    /** The shard map its records were packed by; undefined when packed per hash key (or alone). */
    readonly packedBy: ShardMap | undefined;
    /** When its oldest record was put. */
    readonly since: number;
    /** A large record sent to a shard chosen to spread the load (see `spreadLargeRecords`), not its key's. */
    readonly spread?: true;
}
