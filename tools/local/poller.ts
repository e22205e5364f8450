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
import { randomUUID } from "node:crypto";
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";
import type { FailureCondition, FailureDestination, OnFailureMessage } from "./failure-store";
import { listShardIds, ShardReader, type StreamRecord } from "./reader";
import type { EsmSettings } from "./settings";

/** Lambda's synchronous invocation payload limit. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** Lambda polls each shard at a base rate of once per second. */
export const DEFAULT_POLL_INTERVAL_MS = 1_000;
/** Records read ahead per shard before the poller waits for its batches to be processed. */
const READ_AHEAD_RECORDS = 10_000;
/** JSON around a record's data in the invocation payload (keys, ARNs, sequence numbers). */
const RECORD_OVERHEAD_BYTES = 700;

export type KinesisHandler = (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse | void | null | undefined>;

export type InvocationOutcome =
    | { kind: "success" }
    | { kind: "partial"; failed: string[] }
    /** The function failed (threw, timed out) or returned a response Lambda treats as a complete failure. */
    | { kind: "error"; error: string; functionError: boolean };

/** What the mapping does, for progress, reports and tests. */
export interface EsmListener {
    onInvoke?(shardId: string, records: readonly StreamRecord[], requestId: string): void;
    onOutcome?(shardId: string, records: readonly StreamRecord[], outcome: InvocationOutcome): void;
    /** Records checkpointed: processed, discarded or filtered out. */
    onDone?(records: readonly StreamRecord[]): void;
    onDiscard?(message: OnFailureMessage, records: readonly StreamRecord[]): void;
    onFiltered?(records: readonly StreamRecord[]): void;
}

export interface EventSourceMappingOptions {
    client: KinesisClient;
    streamName: string;
    streamArn: string;
    functionName: string;
    functionArn: string;
    region: string;
    memoryMb?: number;
    handler: KinesisHandler;
    settings: EsmSettings;
    onFailure: FailureDestination;
    listener?: EsmListener;
    /** @default 1000 */
    pollIntervalMs?: number;
    /** Epoch ms; record age and the batching window use it. @default Date.now */
    now?: () => number;
}

export interface EsmStats {
    recordsRead: number;
    recordsDone: number;
    invocations: number;
    functionErrors: number;
    partialFailures: number;
    bisections: number;
    retries: number;
    discardedBatches: number;
    discardedRecords: number;
    filteredRecords: number;
    /** Arrival (epoch ms) of the oldest record read and not yet done; undefined when none. */
    oldestPendingArrivalMs: number | undefined;
}

/** A record as the poller holds it: the stream record and its Lambda event form. */
interface Held {
    record: StreamRecord;
    event: KinesisStreamRecord;
    bytes: number;
    readAt: number;
}

/** A span of a shard's records on its way through invocations, retries and splits. */
interface Span {
    items: Held[];
    retries: number;
    invokes: number;
    requestId: string | undefined;
    response: OnFailureMessage["responseContext"] | undefined;
}

/** A wake-up: `wait` resolves on `notify` or after the timeout. */
class Signal {
    private waiters: (() => void)[] = [];
    notify(): void {
        const w = this.waiters;
        this.waiters = [];
        for (const f of w) f();
    }
    wait(ms: number): Promise<void> {
        return new Promise((resolve) => {
            const done = () => {
                clearTimeout(timer);
                this.waiters = this.waiters.filter((f) => f !== done);
                resolve();
            };
            const timer = setTimeout(done, ms);
            this.waiters.push(done);
        });
    }
}

/** FNV-1a: which of the shard's concurrent batches a partition key belongs to. */
function laneOf(partitionKey: string, lanes: number): number {
    if (lanes === 1) return 0;
    let h = 0x811c9dc5;
    for (let i = 0; i < partitionKey.length; i++) h = Math.imul(h ^ partitionKey.charCodeAt(i), 0x01000193);
    return (h >>> 0) % lanes;
}

/** Whether a record passes filter criteria `{ data: { event_type: [...] } }`. */
export function matchesEventTypes(data: Uint8Array, eventTypes: readonly string[]): boolean {
    if (eventTypes.length === 0) return true;
    try {
        const parsed: unknown = JSON.parse(Buffer.from(data).toString("utf8"));
        const t = (parsed as { event_type?: unknown } | null)?.event_type;
        return typeof parsed === "object" && parsed !== null && typeof t === "string" && eventTypes.includes(t);
    } catch {
        return false;
    }
}

/** How Lambda reads a function's response under ReportBatchItemFailures. */
export function readResponse(response: unknown, batch: readonly StreamRecord[]): InvocationOutcome {
    if (response === null || response === undefined || typeof response !== "object") return { kind: "success" };
    const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
    if (failures === null || failures === undefined) return { kind: "success" };
    if (!Array.isArray(failures)) return { kind: "error", error: "batchItemFailures is not a list", functionError: false };
    if (failures.length === 0) return { kind: "success" };
    const inBatch = new Set(batch.map((r) => r.sequenceNumber));
    const failed: string[] = [];
    for (const f of failures) {
        const id = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier;
        if (typeof id !== "string" || id === "") return { kind: "error", error: "a batchItemFailures entry has an empty or missing itemIdentifier", functionError: false };
        if (!inBatch.has(id)) return { kind: "error", error: `itemIdentifier ${id} is not a sequence number of the batch`, functionError: false };
        failed.push(id);
    }
    return { kind: "partial", failed };
}

export class EventSourceMapping {
    private readonly o: Required<Omit<EventSourceMappingOptions, "listener" | "memoryMb">> & Pick<EventSourceMappingOptions, "listener" | "memoryMb">;
    private readonly shards: ShardPoller[] = [];
    private runs: Promise<void>[] = [];
    readonly counters: Omit<EsmStats, "oldestPendingArrivalMs"> = {
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
        if (!Number.isInteger(s.parallelizationFactor) || s.parallelizationFactor < 1 || s.parallelizationFactor > 10) throw new TypeError(`parallelizationFactor must be 1-10 (got ${s.parallelizationFactor})`);
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
        const event: KinesisStreamRecord = {
            kinesis: {
                kinesisSchemaVersion: "1.0",
                partitionKey: record.partitionKey,
                sequenceNumber: record.sequenceNumber,
                data,
                approximateArrivalTimestamp: record.arrivalMs / 1000,
            },
            eventSource: "aws:kinesis",
            eventVersion: "1.0",
            eventID: `${record.shardId}:${record.sequenceNumber}`,
            eventName: "aws:kinesis:record",
            invokeIdentityArn: `arn:aws:iam::${o.functionArn.split(":")[4] ?? "123456789012"}:role/${o.functionName}`,
            awsRegion: o.region,
            eventSourceARN: o.streamArn,
        };
        return { record, event, bytes: data.length + record.partitionKey.length + RECORD_OVERHEAD_BYTES, readAt: o.now() };
    }

    /** @internal Runs the handler once on a batch, as Lambda does, with the function's timeout. */
    async invoke(shardId: string, items: readonly Held[]): Promise<{ outcome: InvocationOutcome; requestId: string }> {
        const o = this.o;
        const requestId = randomUUID();
        const records = items.map((i) => i.record);
        this.counters.invocations++;
        o.listener?.onInvoke?.(shardId, records, requestId);
        const timeoutMs = o.settings.functionTimeoutSeconds * 1000;
        const started = Date.now();
        const context: Context = {
            callbackWaitsForEmptyEventLoop: true,
            functionName: o.functionName,
            functionVersion: "$LATEST",
            invokedFunctionArn: o.functionArn,
            memoryLimitInMB: String(o.memoryMb ?? 512),
            awsRequestId: requestId,
            logGroupName: `/aws/lambda/${o.functionName}`,
            logStreamName: `local/[$LATEST]${shardId}`,
            getRemainingTimeInMillis: () => Math.max(0, started + timeoutMs - Date.now()),
            done: () => undefined,
            fail: () => undefined,
            succeed: () => undefined,
        };
        let timer: NodeJS.Timeout | undefined;
        let outcome: InvocationOutcome;
        try {
            const timeout = new Promise<never>((_, reject) => {
                timer = setTimeout(() => reject(new Error(`Task timed out after ${o.settings.functionTimeoutSeconds.toFixed(2)} seconds`)), timeoutMs);
            });
            const response = await Promise.race([o.handler({ Records: items.map((i) => i.event) }, context), timeout]);
            outcome = o.settings.reportBatchItemFailures ? readResponse(response, records) : { kind: "success" };
        } catch (e) {
            const err = e as Error;
            outcome = { kind: "error", error: `${err?.name ?? "Error"}: ${err?.message ?? String(e)}`, functionError: true };
        } finally {
            clearTimeout(timer);
        }
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
        this.o.listener?.onDiscard?.(message, items.map((i) => i.record));
        this.done(items);
    }
}

/** One shard: its reader, and ParallelizationFactor lanes of batches. */
class ShardPoller {
    readonly reader: ShardReader;
    private readonly lanes: Lane[];
    private draining = false;
    private stopped = false;
    /** Every record of the shard was read (drain reached the end). */
    readAll = false;
    private readonly wake = new Signal();

    constructor(
        readonly esm: EventSourceMapping,
        readonly shardId: string,
    ) {
        const o = esm.options;
        this.reader = new ShardReader(o.client, o.streamName, shardId);
        this.lanes = Array.from({ length: o.settings.parallelizationFactor }, () => new Lane(this));
    }

    get isStopped(): boolean {
        return this.stopped;
    }

    drain(): void {
        this.draining = true;
        this.wake.notify();
        for (const l of this.lanes) l.wake.notify();
    }

    stop(): void {
        this.stopped = true;
        this.wake.notify();
        for (const l of this.lanes) l.wake.notify();
    }

    /** @internal A lane made room. */
    notifyRoom(): void {
        this.wake.notify();
    }

    oldestPendingArrivalMs(): number | undefined {
        const t = this.lanes.map((l) => l.oldestArrivalMs()).filter((x): x is number => x !== undefined);
        return t.length > 0 ? Math.min(...t) : undefined;
    }

    async run(): Promise<void> {
        const lanes = this.lanes.map((l) => l.run());
        const o = this.esm.options;
        while (!this.stopped) {
            const held = this.lanes.reduce((n, l) => n + l.size, 0);
            if (held >= READ_AHEAD_RECORDS) {
                await this.wake.wait(o.pollIntervalMs);
                continue;
            }
            const drainingBeforeRead = this.draining;
            let records: StreamRecord[];
            try {
                records = await this.reader.read();
            } catch {
                // A failed GetRecords (throttling, a network error) is retried at the next poll.
                if (this.stopped) break;
                await this.wake.wait(o.pollIntervalMs);
                continue;
            }
            if (records.length > 0) {
                this.esm.counters.recordsRead += records.length;
                const types = o.settings.filterEventTypes;
                const kept = types.length === 0 ? records : records.filter((r) => matchesEventTypes(r.data, types));
                if (kept.length < records.length) {
                    const dropped = records.filter((r) => !kept.includes(r));
                    this.esm.counters.filteredRecords += dropped.length;
                    o.listener?.onFiltered?.(dropped);
                    this.esm.counters.recordsDone += dropped.length;
                    o.listener?.onDone?.(dropped);
                }
                for (const r of kept) this.lanes[laneOf(r.partitionKey, this.lanes.length)]!.push(this.esm.hold(r));
                // Keep reading at once while records keep coming (within 5 GetRecords calls per second).
                await this.wake.wait(Math.min(o.pollIntervalMs, 200));
                continue;
            }
            if ((drainingBeforeRead && records.length === 0) || this.reader.ended) {
                this.readAll = true;
                break;
            }
            await this.wake.wait(o.pollIntervalMs);
        }
        this.readAll = true;
        for (const l of this.lanes) l.wake.notify();
        await Promise.all(lanes);
    }
}

/** One of a shard's concurrent batch sequences (all of a partition key's records are in one lane). */
class Lane {
    private buffer: Held[] = [];
    readonly wake = new Signal();
    private inFlight: Held[] = [];

    constructor(private readonly shard: ShardPoller) {}

    get size(): number {
        return this.buffer.length + this.inFlight.length;
    }

    push(item: Held): void {
        this.buffer.push(item);
        this.wake.notify();
    }

    oldestArrivalMs(): number | undefined {
        const first = this.inFlight[0] ?? this.buffer[0];
        return first?.record.arrivalMs;
    }

    async run(): Promise<void> {
        const esm = this.shard.esm;
        const o = esm.options;
        const windowMs = o.settings.batchingWindowSeconds * 1000;
        for (;;) {
            if (this.shard.isStopped) return;
            if (this.buffer.length === 0) {
                if (this.shard.readAll) return;
                await this.wake.wait(o.pollIntervalMs);
                continue;
            }
            const waited = o.now() - this.buffer[0]!.readAt;
            const full = this.buffer.length >= o.settings.batchSize || this.payloadBytes(o.settings.batchSize) >= MAX_PAYLOAD_BYTES;
            if (!full && waited < windowMs && !this.shard.readAll) {
                await this.wake.wait(Math.max(1, Math.min(windowMs - waited, 100)));
                continue;
            }
            const batch = this.take(o.settings.batchSize);
            this.inFlight = batch;
            this.shard.notifyRoom();
            await this.process(batch);
            this.inFlight = [];
        }
    }

    private payloadBytes(limit: number): number {
        let n = 0;
        for (let i = 0; i < Math.min(limit, this.buffer.length); i++) n += this.buffer[i]!.bytes;
        return n;
    }

    /** Up to `limit` records whose payload fits one invocation (always at least one). */
    private take(limit: number): Held[] {
        let bytes = 0;
        let n = 0;
        while (n < Math.min(limit, this.buffer.length)) {
            const b = this.buffer[n]!.bytes;
            if (n > 0 && bytes + b > MAX_PAYLOAD_BYTES) break;
            bytes += b;
            n++;
        }
        return this.buffer.splice(0, n);
    }

    /** Invokes a batch until every record is processed or discarded, in order. */
    private async process(batch: Held[]): Promise<void> {
        const esm = this.shard.esm;
        const o = esm.options;
        const s = o.settings;
        const shardId = this.shard.shardId;
        const exhausted = (retries: number) => s.maxRetryAttempts >= 0 && retries > s.maxRetryAttempts;
        const queue: Span[] = [{ items: batch, retries: 0, invokes: 0, requestId: undefined, response: undefined }];
        while (queue.length > 0) {
            if (this.shard.isStopped) return;
            const span = queue.shift()!;
            if (s.maxRecordAgeSeconds >= 0) {
                const oldest = o.now() - s.maxRecordAgeSeconds * 1000;
                const expired = span.items.filter((i) => i.record.arrivalMs < oldest);
                if (expired.length > 0) {
                    await esm.discard(shardId, span, expired, "RecordAgeExceeded");
                    span.items = span.items.filter((i) => i.record.arrivalMs >= oldest);
                    if (span.items.length === 0) continue;
                }
            }
            const { outcome, requestId } = await esm.invoke(shardId, span.items);
            span.invokes++;
            span.requestId = requestId;
            if (outcome.kind === "success") {
                esm.done(span.items);
                continue;
            }
            if (outcome.kind === "partial") {
                span.response = { statusCode: 200, executedVersion: "$LATEST" };
                const failed = new Set(outcome.failed);
                const from = span.items.findIndex((i) => failed.has(i.record.sequenceNumber));
                esm.done(span.items.slice(0, from));
                const rest: Span = { ...span, items: span.items.slice(from), retries: span.retries + 1 };
                if (exhausted(rest.retries)) {
                    await esm.discard(shardId, rest, rest.items, "RetryAttemptsExhausted");
                } else {
                    esm.counters.retries++;
                    queue.unshift(rest);
                }
                continue;
            }
            span.response = outcome.functionError ? { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" } : { statusCode: 200, executedVersion: "$LATEST" };
            if (s.bisectBatchOnFunctionError && span.items.length > 1) {
                const half = Math.ceil(span.items.length / 2);
                esm.counters.bisections++;
                queue.unshift({ ...span, items: span.items.slice(0, half) }, { ...span, items: span.items.slice(half) });
                continue;
            }
            const again: Span = { ...span, retries: span.retries + 1 };
            if (exhausted(again.retries)) {
                await esm.discard(shardId, again, again.items, "RetryAttemptsExhausted");
            } else {
                esm.counters.retries++;
                queue.unshift(again);
            }
        }
    }
}
