// The types the local event source mapping's parts share (poller.ts, shard-poller.ts, lane.ts).
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";
import type { FailureCondition, FailureDestination, OnFailureMessage } from "./failure-store";
import type { StreamRecord } from "./reader";
import type { EsmSettings } from "./settings";

/** Lambda's synchronous invocation payload limit. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

export type KinesisHandler = (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse | null | undefined>;

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

/** The options with their defaults applied. */
export type ResolvedEsmOptions = Required<Omit<EventSourceMappingOptions, "listener" | "memoryMb">> & Pick<EventSourceMappingOptions, "listener" | "memoryMb">;

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

export type EsmCounters = Omit<EsmStats, "oldestPendingArrivalMs">;

/** A record as the poller holds it: the stream record and its Lambda event form. */
export interface Held {
    record: StreamRecord;
    event: KinesisStreamRecord;
    bytes: number;
    readAt: number;
}

/** A span of a shard's records on its way through invocations, retries and splits. */
export interface Span {
    items: Held[];
    retries: number;
    invokes: number;
    requestId: string | undefined;
    response: OnFailureMessage["responseContext"] | undefined;
}

/** What the shard pollers and their lanes ask of the mapping. */
export interface MappingCore {
    readonly options: ResolvedEsmOptions;
    readonly counters: EsmCounters;
    hold(record: StreamRecord): Held;
    invoke(shardId: string, items: readonly Held[]): Promise<{ outcome: InvocationOutcome; requestId: string }>;
    done(items: readonly Held[]): void;
    discard(shardId: string, span: Span, items: readonly Held[], condition: FailureCondition): Promise<void>;
}
