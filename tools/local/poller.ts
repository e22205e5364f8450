// A local Lambda event source mapping for a Kinesis stream: AWS has no local Lambda service, so this
// implements the documented behaviour of the settings infra/components/lambda-consumer.ts gives the
// mapping, and invokes the real handler in-process:
//
// - One poller per shard (GetRecords; once a second while idle, Lambda's base rate; at once while
//   records keep coming). ParallelizationFactor N: N batches of a shard in flight at once, records of
//   one partition key always in the same one, so a key's order is kept (N = 1 keeps the shard's order).
// - A batch is invoked when it holds BatchSize records, when MaximumBatchingWindowInSeconds has passed
//   since its first record was read, or when the payload would pass Lambda's 6 MB invocation limit.
// - Filter criteria on data.event_type: records that do not match are dropped without an invocation
//   (data that is not a JSON object, KPL aggregates included, never matches).
// - Outcomes. Success: the batch is done. With ReportBatchItemFailures, a response listing sequence
//   numbers is a partial success: Lambda checkpoints before the lowest one and retries from it (with
//   BisectBatchOnFunctionError, "the batch is bisected at the returned sequence number and Lambda
//   retries only the remaining records"). A thrown error, a timeout, or a response Lambda refuses
//   (an empty or missing itemIdentifier, one not in the batch) fails the whole batch: with bisect on,
//   a batch of more than one record is split in two halves retried separately, in order; splitting
//   does not count towards the retry quota. Every other retry does.
// - Discards: after MaximumRetryAttempts retries (RetryAttemptsExhausted) or once records are older
//   than MaximumRecordAgeInSeconds (checked before each invocation), the records are skipped and the
//   batch's metadata goes to the on-failure destination (failure-store.ts); processing goes on.
//   Its approximateInvokeCount counts every invocation the discarded records were part of, those of
//   the larger batches they were split from included.
//
// Its parts: shard-poller.ts (reading, filtering, lanes), lane.ts (batching, retries, bisection,
// discards), invoke.ts (the invocation and its response), esm-types.ts (what they share).
import { randomUUID } from "node:crypto";
import type { EsmCounters, EsmStats, EventSourceMappingOptions, Held, InvocationOutcome, MappingCore, ResolvedEsmOptions, Span } from "./esm-types";
import type { FailureCondition, OnFailureMessage } from "./failure-store";
import { eventRecord, invokeHandler } from "./invoke";
import { listShardIds, type StreamRecord } from "./reader";
import { ShardPoller } from "./shard-poller";

export type { EsmListener, EsmStats, EventSourceMappingOptions, InvocationOutcome, KinesisHandler } from "./esm-types";

/** Lambda polls each shard at a base rate of once per second. */
export const DEFAULT_POLL_INTERVAL_MS = 1_000;
/** JSON around a record's data in the invocation payload (keys, ARNs, sequence numbers). */
const RECORD_OVERHEAD_BYTES = 700;

export class EventSourceMapping implements MappingCore {
    private readonly o: ResolvedEsmOptions;
    private readonly shards: ShardPoller[] = [];
    private runs: Promise<void>[] = [];
    readonly counters: EsmCounters = {
        recordsRead: 0,
        recordsDone: 0,
        invocations: 0,
        functionErrors: 0,
        partialFailures: 0,
        bisections: 0,
        retries: 0,
        discardedBatches: 0,
        discardedRecords: 0,
        filteredRecords: 0,
    };

    constructor(options: EventSourceMappingOptions) {
        const s = options.settings;
        if (!Number.isInteger(s.batchSize) || s.batchSize < 1) throw new TypeError(`batchSize must be a positive integer (got ${s.batchSize})`);
        if (!Number.isInteger(s.parallelizationFactor) || s.parallelizationFactor < 1 || s.parallelizationFactor > 10)
            throw new TypeError(`parallelizationFactor must be 1-10 (got ${s.parallelizationFactor})`);
        this.o = { pollIntervalMs: DEFAULT_POLL_INTERVAL_MS, now: Date.now, ...options };
    }

    /** Opens an iterator on every shard at the starting position, then polls until drain() or stop(). */
    async start(): Promise<void> {
        const ids = await listShardIds(this.o.client, this.o.streamName);
        for (const id of ids) {
            const shard = new ShardPoller(this, id);
            await shard.reader.open({ type: this.o.settings.startingPosition });
            this.shards.push(shard);
        }
        this.runs = this.shards.map((s) => s.run());
    }

    /** Reads every shard up to its end, processes what was read, then stops. */
    async drain(): Promise<void> {
        for (const s of this.shards) s.drain();
        await Promise.all(this.runs);
    }

    /** Stops reading now; batches being invoked finish, records held and not invoked are left. */
    async stop(): Promise<void> {
        for (const s of this.shards) s.stop();
        await Promise.all(this.runs);
    }

    stats(): EsmStats {
        const pending = this.shards.map((s) => s.oldestPendingArrivalMs()).filter((t): t is number => t !== undefined);
        return { ...this.counters, oldestPendingArrivalMs: pending.length > 0 ? Math.min(...pending) : undefined };
    }

    /** @internal */
    get options() {
        return this.o;
    }

    /** @internal Converts a read record to what the poller holds. */
    hold(record: StreamRecord): Held {
        const data = Buffer.from(record.data).toString("base64");
        const o = this.o;
        const event = eventRecord(record, data, o);
        return { record, event, bytes: data.length + record.partitionKey.length + RECORD_OVERHEAD_BYTES, readAt: o.now() };
    }

    /** @internal Runs the handler once on a batch, as Lambda does, with the function's timeout. */
    async invoke(shardId: string, items: readonly Held[]): Promise<{ outcome: InvocationOutcome; requestId: string }> {
        const o = this.o;
        const requestId = randomUUID();
        const records = items.map((i) => i.record);
        this.counters.invocations++;
        o.listener?.onInvoke?.(shardId, records, requestId);
        const outcome = await invokeHandler(
            o,
            shardId,
            requestId,
            items.map((i) => i.event),
            records,
        );
        if (outcome.kind === "error") this.counters.functionErrors++;
        if (outcome.kind === "partial") this.counters.partialFailures++;
        o.listener?.onOutcome?.(shardId, records, outcome);
        return { outcome, requestId };
    }

    /** @internal */
    done(items: readonly Held[]): void {
        if (items.length === 0) return;
        this.counters.recordsDone += items.length;
        this.o.listener?.onDone?.(items.map((i) => i.record));
    }

    /** @internal Skips records and sends their batch's metadata to the on-failure destination. */
    async discard(shardId: string, span: Span, items: readonly Held[], condition: FailureCondition): Promise<void> {
        if (items.length === 0) return;
        const first = items[0]!.record;
        const last = items[items.length - 1]!.record;
        const message: OnFailureMessage = {
            requestContext: { requestId: span.requestId ?? randomUUID(), functionArn: this.o.functionArn, condition, approximateInvokeCount: span.invokes },
            responseContext: span.response ?? { statusCode: 200, executedVersion: "$LATEST" },
            version: "1.0",
            timestamp: new Date(this.o.now()).toISOString(),
            KinesisBatchInfo: {
                shardId,
                startSequenceNumber: first.sequenceNumber,
                endSequenceNumber: last.sequenceNumber,
                approximateArrivalOfFirstRecord: new Date(first.arrivalMs).toISOString(),
                approximateArrivalOfLastRecord: new Date(last.arrivalMs).toISOString(),
                batchSize: items.length,
                streamArn: this.o.streamArn,
            },
        };
        await this.o.onFailure.send(message);
        this.counters.discardedBatches++;
        this.counters.discardedRecords += items.length;
        this.o.listener?.onDiscard?.(
            message,
            items.map((i) => i.record),
        );
        this.done(items);
    }
}
