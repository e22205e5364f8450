// A minute-by-minute model of a provisioned stream's write and read limits and of UpdateShardCount,
// to replay a traffic trace through a scaling policy. Shared by `npm run autoscaler:replay` and the
// autoscaler section of `npm run bench`.
//
// Model:
// - Capacity per minute = shards x (60 MiB and 60,000 records written; 120 MiB read by all shared
//   consumers together). Demand beyond it is refused ("throttled"), spread evenly over the shards
//   (no hot keys); refused records are not retried.
// - UpdateShardCount: refused while a resharding is in progress (ResourceInUseException), beyond 10
//   calls in any rolling 24 h (LimitExceededException), below half or above double the current count
//   or above 10,000 (ValidationException). A refused call changes nothing.
// - A call made at the start of minute m takes `reshardingDelayMinutes` (default 2): the old count
//   serves minutes m .. m+delay-1 and the stream reports UPDATING; the new count serves from m+delay.
// - A policy deciding at the start of minute m sees metrics of the minutes that ended at least
//   `metricsLagMinutes` (default 1) before: CloudWatch publishes a minute's datapoint after it ends.
import { advantageShortfallUsd, billedWriteBytes, PRICES, putPayloadUnits, putPayloadUnitsUsd } from "../../infra/lib/cost";
import { type MinuteMetrics, SHARD_CAPACITY, shardsToCarry } from "../../functions/autoscaler/decision";
import { maxCallsInWindow, targetProblem, UPDATE_SHARD_COUNT } from "../../functions/autoscaler/limits";

const MINUTES_PER_DAY = 1_440;

/** One minute of traffic as producers and consumers asked for it (per-minute sums). */
export interface DemandMinute {
    /** Start of the minute, epoch ms; consecutive minutes are 60,000 ms apart. */
    start: number;
    bytes: number;
    records: number;
    /** Bytes shared (GetRecords) consumers read in the minute; 0 when unknown. */
    readBytes: number;
    /** Highest consumer iterator age in the minute, ms; 0 when unknown. */
    iteratorAgeMs: number;
}

export interface Trace {
    /** Where it came from: a file name or "synthetic week (seed 42)". */
    name: string;
    minutes: DemandMinute[];
}

export interface ModelOptions {
    startShards: number;
    /** @default 2 */
    reshardingDelayMinutes?: number;
    /** @default 1 */
    metricsLagMinutes?: number;
    /**
     * Minutes before the trace whose metrics the policy can read (CloudWatch keeps 15 days, whenever
     * the autoscaler was deployed), served in full; not replayed or counted.
     */
    history?: readonly DemandMinute[];
}

/** What a policy sees at the start of a minute. */
export interface PolicyView {
    /** Index of the minute about to be served. */
    minute: number;
    /** Epoch ms of that minute's start. */
    now: number;
    /** Open shards serving now (the old count while UPDATING). */
    shards: number;
    updating: boolean;
    /** Metrics of the history, then of served minutes; only indexes below `visible` are published yet. */
    observed: readonly MinuteMetrics[];
    visible: number;
    /** Accepted calls so far (the minute each was made at). */
    calls: readonly ScalingCallRecord[];
}

/** A scaling policy: at each minute, a target shard count to request, or undefined. */
export interface Policy {
    decide(view: PolicyView): number | undefined;
}

export interface ScalingCallRecord {
    minute: number;
    from: number;
    to: number;
}

export interface RefusedCall {
    minute: number;
    from: number;
    to: number;
    /** The exception AWS would raise and why. */
    error: string;
}

export interface PolicyRun {
    /** Open shards serving each minute. */
    shards: Int32Array;
    shardHours: number;
    throttledMinutes: number;
    throttledRecords: number;
    throttledBytes: number;
    calls: ScalingCallRecord[];
    refused: RefusedCall[];
    maxCallsIn24h: number;
    /** PUT payload units of the records the stream accepted. */
    putPayloadUnits: number;
    /** Shard-hours plus PUT payload units. */
    costUsd: number;
}

/** Shard-equivalents a minute of demand needs (write bytes, write records, shared reads). */
export function demandShards(d: DemandMinute): number {
    return Math.max(d.bytes / 60 / SHARD_CAPACITY.writeBytesPerSecond, d.records / 60 / SHARD_CAPACITY.writeRecordsPerSecond, d.readBytes / 60 / SHARD_CAPACITY.readBytesPerSecond);
}

/** Fewest shards that serve the minute without throttling (at least 1). */
export const oracleShards = (d: DemandMinute): number => Math.max(1, shardsToCarry(demandShards(d)));

/** Serves one minute with `shards`: the metrics CloudWatch would publish, and what was refused. */
export function serveMinute(d: DemandMinute, shards: number): { metrics: MinuteMetrics; throttled: boolean; throttledRecords: number; throttledBytes: number } {
    const writeCapBytes = shards * 60 * SHARD_CAPACITY.writeBytesPerSecond;
    const writeCapRecords = shards * 60 * SHARD_CAPACITY.writeRecordsPerSecond;
    const readCap = shards * 60 * SHARD_CAPACITY.readBytesPerSecond;
    const throttled = shards < oracleShards(d);
    // The share of writes accepted: the tighter of the two write limits (1 when both hold).
    const writeOver = Math.max(d.bytes / writeCapBytes, d.records / writeCapRecords);
    const accepted = throttled && writeOver > 1 ? 1 / writeOver : 1;
    const records = d.records * accepted;
    const bytes = d.bytes * accepted;
    return {
        metrics: {
            start: d.start,
            incomingBytes: bytes,
            incomingRecords: records,
            throttledRecords: d.records - records,
            readBytes: Math.min(d.readBytes, readCap),
            iteratorAgeMs: d.iteratorAgeMs,
        },
        throttled,
        throttledRecords: d.records - records,
        throttledBytes: d.bytes - bytes,
    };
}

/** Why AWS would refuse this call now, or undefined when it would accept it. */
function callProblem(calls: readonly ScalingCallRecord[], minute: number, updating: boolean, from: number, to: number): string | undefined {
    if (updating) return "ResourceInUseException: the stream is UPDATING";
    let inWindow = 0;
    for (let i = calls.length - 1; i >= 0 && minute - (calls[i] as ScalingCallRecord).minute < MINUTES_PER_DAY; i--) inWindow++;
    if (inWindow >= UPDATE_SHARD_COUNT.callsPer24h) return `LimitExceededException: ${inWindow} calls in the last 24 h`;
    const problem = targetProblem(from, to);
    return problem === undefined ? undefined : `ValidationException: ${problem}`;
}

/** Replays the trace through one policy. */
export function runPolicy(trace: Trace, policy: Policy, options: ModelOptions): PolicyRun {
    const delay = options.reshardingDelayMinutes ?? 2;
    const lag = options.metricsLagMinutes ?? 1;
    const n = trace.minutes.length;
    const shardsSeries = new Int32Array(n);
    const observed: MinuteMetrics[] = (options.history ?? []).map((d) => serveMinute(d, oracleShards(d)).metrics);
    const seen = observed.length;
    const calls: ScalingCallRecord[] = [];
    const refused: RefusedCall[] = [];
    let shards = options.startShards;
    let pending: { to: number; at: number } | undefined;
    let shardMinutes = 0;
    let throttledMinutes = 0;
    let throttledRecords = 0;
    let throttledBytes = 0;
    let putUnits = 0;
    const t0 = trace.minutes[0]?.start ?? 0;

    for (let m = 0; m < n; m++) {
        if (pending !== undefined && m >= pending.at) {
            shards = pending.to;
            pending = undefined;
        }
        const updating = pending !== undefined;
        const target = policy.decide({ minute: m, now: t0 + m * 60_000, shards, updating, observed, visible: Math.max(0, seen + m - lag), calls });
        if (target !== undefined && target !== shards) {
            const error = callProblem(calls, m, updating, shards, target);
            if (error !== undefined) refused.push({ minute: m, from: shards, to: target, error });
            else {
                calls.push({ minute: m, from: shards, to: target });
                if (delay === 0) shards = target;
                else pending = { to: target, at: m + delay };
            }
        }
        const d = trace.minutes[m] as DemandMinute;
        const served = serveMinute(d, shards);
        observed.push(served.metrics);
        shardsSeries[m] = shards;
        shardMinutes += shards;
        if (served.throttled) throttledMinutes++;
        throttledRecords += served.throttledRecords;
        throttledBytes += served.throttledBytes;
        putUnits += putPayloadUnits(served.metrics.incomingRecords, served.metrics.incomingBytes);
    }
    const shardHours = shardMinutes / 60;
    return {
        shards: shardsSeries,
        shardHours,
        throttledMinutes,
        throttledRecords,
        throttledBytes,
        calls,
        refused,
        maxCallsIn24h: maxCallsInWindow(
            calls.map((c) => c.minute),
            MINUTES_PER_DAY,
        ),
        putPayloadUnits: putUnits,
        costUsd: provisionedCost(shardHours, putUnits),
    };
}

/** A provisioned stream's cost: shard-hours plus PUT payload units. */
export const provisionedCost = (shardHours: number, putUnits: number): number => shardHours * PRICES.provisioned.perShardHour + putPayloadUnitsUsd(putUnits);

/** PUT payload units of every record of the trace (each minute's records at its average size). */
export const tracePutPayloadUnits = (trace: Trace): number => trace.minutes.reduce((n, d) => n + putPayloadUnits(d.records, d.bytes), 0);

export interface OracleRun {
    shards: Int32Array;
    shardHours: number;
    costUsd: number;
    /** Minutes at which its count changes: the calls it would need if there were no API limits. */
    changes: number;
    maxChangesIn24h: number;
}

/** The fewest shards each minute that throttle nothing, ignoring API limits and resharding time. */
export function runOracle(trace: Trace): OracleRun {
    const shards = Int32Array.from(trace.minutes, oracleShards);
    let total = 0;
    const changeMinutes: number[] = [];
    for (let m = 0; m < shards.length; m++) {
        total += shards[m] as number;
        if (m > 0 && shards[m] !== shards[m - 1]) changeMinutes.push(m);
    }
    const shardHours = total / 60;
    return {
        shards,
        shardHours,
        costUsd: provisionedCost(shardHours, tracePutPayloadUnits(trace)),
        changes: changeMinutes.length,
        maxChangesIn24h: maxCallsInWindow(changeMinutes, MINUTES_PER_DAY),
    };
}

/** What a trace costs in one of the on-demand modes. */
export interface OnDemandRun {
    costUsd: number;
    streamHours: number;
    /** GB written after each record is rounded up to 1 KB (a minute's records taken at its average size). */
    gbWritten: number;
    /** GB shared consumers read (GetRecords.Bytes; 0 when the metrics lack it). EFO reads are not in the metrics. */
    gbRead: number;
}

/** Bytes a span of the trace writes (billed: each record rounded up) and shared consumers read. */
function onDemandBytes(minutes: readonly DemandMinute[], roundingBytes: number): { written: number; read: number } {
    let written = 0;
    let read = 0;
    for (const d of minutes) {
        written += billedWriteBytes(d.records, d.bytes, roundingBytes);
        read += d.readBytes;
    }
    return { written, read };
}

/** An on-demand (standard) stream for the same trace: stream-hours plus GB written and read. */
export function onDemandCost(trace: Trace): OnDemandRun {
    const o = PRICES.onDemand;
    const bytes = onDemandBytes(trace.minutes, o.writeRoundingBytes);
    const gbWritten = bytes.written / 1e9;
    const gbRead = bytes.read / 1e9;
    const streamHours = trace.minutes.length / 60;
    return { costUsd: streamHours * o.perStreamHour + gbWritten * o.perGbWritten + gbRead * o.perGbRead, streamHours, gbWritten, gbRead };
}

export interface AdvantageRun extends OnDemandRun {
    /** The trace's own traffic at On-demand Advantage rates: its share when the account's other on-demand streams reach the minimum. */
    usageUsd: number;
    /** The commitment's shortfall, hour by hour, if this stream is the account's only on-demand traffic (included in costUsd). */
    shortfallUsd: number;
}

/**
 * The same trace on an on-demand stream of an account with the minimum throughput billing commitment
 * (On-demand Advantage): no stream-hours, lower per-GB rates, and each hour at least the account's
 * minimum written and read (applied hour by hour from the trace's first minute: AWS does not publish the
 * period it settles it over).
 */
export function onDemandAdvantageCost(trace: Trace): AdvantageRun {
    const a = PRICES.onDemandAdvantage;
    let written = 0;
    let read = 0;
    let shortfallUsd = 0;
    for (let h = 0; h < trace.minutes.length; h += 60) {
        const hour = trace.minutes.slice(h, h + 60);
        const bytes = onDemandBytes(hour, a.writeRoundingBytes);
        const short = advantageShortfallUsd(bytes.written / 1e9, bytes.read / 1e9, hour.length / 60);
        shortfallUsd += short.write + short.read;
        written += bytes.written;
        read += bytes.read;
    }
    const gbWritten = written / 1e9;
    const gbRead = read / 1e9;
    const usageUsd = gbWritten * a.perGbWritten + gbRead * a.perGbRead;
    return { costUsd: usageUsd + shortfallUsd, usageUsd, shortfallUsd, streamHours: trace.minutes.length / 60, gbWritten, gbRead };
}
