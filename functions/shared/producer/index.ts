/**
 * Kinesis Data Streams producer (KPL-compatible) for Lambda functions and Node services.
 * AWS SDK v3 only: no Powertools, no `@pulumi/*`.
 *
 * ```ts
 * const producer = new KinesisProducer({ client: new KinesisClient({}), streamName: "events", partitionKey: { field: "user_id" } });
 * const outcome = await producer.put({ data: JSON.stringify(event) });
 * await producer.flush(); // every record put so far has its outcome
 * ```
 *
 * Contract:
 * - `put()` never throws and never rejects. Each user record gets exactly one outcome:
 *   `{ ok: true, shardId, sequenceNumber, subSequenceNumber?, attempts, maybeDuplicated? }` or
 *   `{ ok: false, errorCode, errorMessage, attempts, maybeWritten? }`.
 * - Validation rule: a bad record is not an exception but an immediate failed outcome (attempts 0)
 *   whose message names the field and the limit: `InvalidPartitionKey` (missing, empty, over 256
 *   characters, or not derivable by the strategy), `InvalidExplicitHashKey` (not a decimal in
 *   0..2^128-1), `RecordTooLarge` (data + partition key over the stream's
 *   `MaxRecordSizeInKiB`: the `maxRecordSizeKib` option, or read with DescribeStreamSummary when
 *   the first record over 1 MiB is put; records put meanwhile wait behind it, in order), `InvalidData`. Only the
 *   constructor throws (TypeError) for bad options.
 * - Records go out with PutRecords (at most 500 entries and 5 MiB per request, 10 MiB once the
 *   stream takes records over 1 MiB, the API reference's limit since large records) when a request is
 *   full or `maxBufferedTimeMs` after the oldest buffered record, with at most `maxInFlight` calls
 *   in flight. Aggregation (KPL format, on by default) packs records of the same shard (from
 *   ListShards) or, without a shard map, of the same partition key, into records of at most
 *   `aggregation.maxBytes` (under 1 MiB: a large record always goes alone); consumers read them with aws-kinesis-agg `deaggregate` or the KCL.
 * - Large records (over 1 MiB) are spread across shards, as the Kinesis guide's "Handle large records"
 *   advises (a large record spends its shard's burst capacity and throttles it until it refills): with
 *   `spreadLargeRecords` (the default unless `ordered`) each goes to the next shard of the shard map in
 *   turn, or to a random hash key without a map, by an ExplicitHashKey (its partition key is kept), and a
 *   resend after a throttle tries the next shard. A spread record is no longer on its key's shard; a
 *   record with its own explicitHashKey is never moved; ordered mode never spreads (TypeError if asked).
 *   `metrics().largeRecordsSpread` and `largeRecordsThrottled` count them.
 * - Failed entries (ProvisionedThroughputExceededException, InternalFailure) and failed requests
 *   (throttling, 5xx, network, timeout) are resent with exponential backoff and full jitter until
 *   the record's `recordTtlMs`; then the record fails with its last error code. Non-retryable
 *   errors (validation, missing stream, access denied, KMS key errors) fail at once.
 * - Delivery is at least once: a request whose response is lost (timeout, connection reset, socket
 *   hang-up, HTTP 5xx) may have been written; it is resent, so a record can be written twice. Such
 *   outcomes say so: a success carries `maybeDuplicated: true`; a failure carries `maybeWritten: true`
 *   and, when the last attempt's response was the one lost, errorCode `RequestOutcomeUnknown` (the
 *   message names the SDK error), so a caller that re-sends it should deduplicate. Each resend after
 *   a lost response counts in `metrics().potentialDuplicates`, a bound on the duplicates the
 *   producer's own retries add. With `ordered: true` the order of each partition key's records is kept.
 * - The client's own SDK retries still apply to whole requests; pass a client with
 *   `maxAttempts: 1` to let the producer own the retry budget and its TTL.
 * - The constructor starts ListShards (for aggregation per shard); records put before it answers
 *   wait for it at most `maxBufferedTimeMs`. A put that lands on a shard the map does not know, or
 *   not on the one it predicted, means a reshard (split or merge): nothing more is sent until a new
 *   ListShards answers, then every buffered record and every one coming back for a retry is re-packed
 *   by the new map, so no aggregate sent from then on spans two shards' ranges (only requests already
 *   in flight can carry misplaced records; records written under the old map stay where they are).
 *   If that ListShards fails, records are packed per hash key until one succeeds. Without
 *   kinesis:ListShards, records are packed per key.
 * - In a Lambda handler, `await producer.flush()` before returning: timers do not run while the
 *   execution environment is frozen. `metrics()` gives cumulative counters to publish.
 */
export { KinesisProducer, PRODUCER_DEFAULTS } from "./producer";
export { ProducerErrorCode } from "./errors";
export { partitionKeyHash, parseExplicitHashKey, MAX_HASH_KEY } from "./hash-key";
export { ShardMap, loadShardMap } from "./shard-map";
export { LARGE_RECORD_MAX_BYTES, LARGE_REQUEST_MAX_BYTES, MAX_RECORD_BYTES, MAX_REQUEST_BYTES, MAX_REQUEST_ENTRIES } from "./request-batcher";
export type {
    AggregationOptions,
    BackoffOptions,
    FailureOutcome,
    KinesisProducerOptions,
    Outcome,
    PartitionKeyStrategy,
    ProducerMetrics,
    ProducerRecord,
    PutRecordsMetrics,
    SuccessOutcome,
} from "./types";
