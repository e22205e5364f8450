import type { KinesisClient } from "@aws-sdk/client-kinesis";
import type { BackoffPolicy } from "./backoff";
import { MAX_RECORD_BYTES } from "./request-batcher";
import type { KinesisProducerOptions, PartitionKeyStrategy, StreamTarget } from "./types";

/** Defaults, the KPL's where it has one. */
export const PRODUCER_DEFAULTS = {
    partitionKey: "given" as PartitionKeyStrategy,
    maxBufferedTimeMs: 100, // RecordMaxBufferedTime
    maxInFlight: 4,
    aggregation: { enabled: true, maxBytes: 51_200, useShardMap: true }, // AggregationMaxSize
    recordTtlMs: 30_000, // RecordTtl
    backoff: { baseMs: 100, capMs: 5_000 },
    requestTimeoutMs: 6_000, // RequestTimeout
    ordered: false,
} as const;

const MAX_IN_FLIGHT = 64;
/**
 * An aggregate plus the largest partition key (256 chars, up to 1 KiB in UTF-8) must fit a record of
 * any stream (1 MiB): aggregates never come near a raised limit, and a record too large to join one
 * goes alone.
 */
const MAX_AGGREGATE_BYTES = MAX_RECORD_BYTES - 1024;
const MIN_AGGREGATE_BYTES = 64;

/** The options after defaults and checks: what the producer's parts are built from. */
export interface ResolvedOptions {
    readonly client: KinesisClient;
    readonly target: StreamTarget;
    readonly strategy: PartitionKeyStrategy;
    readonly maxBufferedTimeMs: number;
    readonly maxInFlight: number;
    readonly aggregate: boolean;
    readonly maxAggregateBytes: number;
    readonly useShardMap: boolean;
    readonly recordTtlMs: number;
    readonly backoff: BackoffPolicy;
    readonly requestTimeoutMs: number;
    readonly ordered: boolean;
    readonly spreadLargeRecords: boolean;
    /** The stream's record limit in bytes, when given. */
    readonly maxRecordBytes: number | undefined;
    readonly onMetrics: KinesisProducerOptions["onMetrics"];
}

function requireNumber(name: string, value: number, min: number, max: number, integer: boolean): number {
    if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
        throw new TypeError(`${name} must be ${integer ? "an integer" : "a number"} from ${min} to ${max} (got ${String(value)})`);
    }
    return value;
}

function checkStrategy(strategy: PartitionKeyStrategy): PartitionKeyStrategy {
    if (strategy === "given" || strategy === "random") return strategy;
    if (typeof strategy === "object" && strategy !== null && typeof strategy.field === "string" && strategy.field !== "") return { field: strategy.field };
    throw new TypeError(`partitionKey strategy must be "given", "random" or { field: "<name>" } (got ${JSON.stringify(strategy)})`);
}

/** Applies the defaults and checks every option; throws a TypeError naming the first bad one. */
export function resolveOptions(options: KinesisProducerOptions): ResolvedOptions {
    if (typeof options !== "object" || options === null) throw new TypeError("KinesisProducer options are required");
    if (typeof options.client?.send !== "function") throw new TypeError("client must be a KinesisClient");
    const hasName = options.streamName !== undefined;
    const hasArn = options.streamArn !== undefined;
    if (hasName === hasArn) throw new TypeError("Provide either streamName or streamArn, not both");
    if (hasName && (typeof options.streamName !== "string" || options.streamName === "")) throw new TypeError("streamName must be a non-empty string");
    if (hasArn && (typeof options.streamArn !== "string" || !options.streamArn.startsWith("arn:"))) throw new TypeError("streamArn must be a stream ARN (arn:...)");
    const strategy = checkStrategy(options.partitionKey ?? PRODUCER_DEFAULTS.partitionKey);
    const maxBufferedTimeMs = requireNumber("maxBufferedTimeMs", options.maxBufferedTimeMs ?? PRODUCER_DEFAULTS.maxBufferedTimeMs, 0, 60_000, false);
    const maxInFlight = requireNumber("maxInFlight", options.maxInFlight ?? PRODUCER_DEFAULTS.maxInFlight, 1, MAX_IN_FLIGHT, true);
    const agg = PRODUCER_DEFAULTS.aggregation;
    const aggregate = options.aggregation?.enabled ?? agg.enabled;
    const maxAggregateBytes = requireNumber("aggregation.maxBytes", options.aggregation?.maxBytes ?? agg.maxBytes, MIN_AGGREGATE_BYTES, MAX_AGGREGATE_BYTES, true);
    const recordTtlMs = requireNumber("recordTtlMs", options.recordTtlMs ?? PRODUCER_DEFAULTS.recordTtlMs, 1, 24 * 3600_000, false);
    const baseMs = requireNumber("backoff.baseMs", options.backoff?.baseMs ?? PRODUCER_DEFAULTS.backoff.baseMs, 1, 60_000, false);
    const capMs = requireNumber("backoff.capMs", options.backoff?.capMs ?? PRODUCER_DEFAULTS.backoff.capMs, baseMs, 600_000, false);
    const ordered = options.ordered ?? PRODUCER_DEFAULTS.ordered;
    if (ordered && options.spreadLargeRecords === true) {
        throw new TypeError("spreadLargeRecords cannot be combined with ordered: true (a spread record leaves its key's shard, so its key's order could not be kept)");
    }
    return {
        client: options.client,
        target: hasName ? { StreamName: options.streamName as string } : { StreamARN: options.streamArn as string },
        strategy,
        maxBufferedTimeMs,
        maxInFlight,
        aggregate,
        maxAggregateBytes,
        useShardMap: aggregate && (options.aggregation?.useShardMap ?? agg.useShardMap),
        recordTtlMs,
        backoff: { baseMs, capMs },
        requestTimeoutMs: requireNumber("requestTimeoutMs", options.requestTimeoutMs ?? PRODUCER_DEFAULTS.requestTimeoutMs, 1, 600_000, false),
        ordered,
        spreadLargeRecords: options.spreadLargeRecords ?? !ordered,
        maxRecordBytes: options.maxRecordSizeKib === undefined ? undefined : requireNumber("maxRecordSizeKib", options.maxRecordSizeKib, 1024, 10_240, true) * 1024,
        onMetrics: options.onMetrics,
    };
}
