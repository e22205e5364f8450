// The autoscaler's decision: pure, no AWS. Given the stream's state, its per-minute metrics, the
// calls already made and the settings, say whether to call UpdateShardCount, with which target,
// and why. The Lambda handler, the replay command and the benchmark all run this same function.
import { callsInWindow, lastCall, nextCallFreedAt, type ScalingCall } from "./history";
import { allowedTargets, UPDATE_SHARD_COUNT } from "./limits";
import type { AutoscalerSettings } from "../../contracts/autoscaler-settings";

const MiB = 1024 * 1024;
/** Per shard per second: write 1 MiB and 1,000 records; shared reads 2 MiB (all GetRecords consumers together). */
export const SHARD_CAPACITY = Object.freeze({ writeBytesPerSecond: MiB, writeRecordsPerSecond: 1_000, readBytesPerSecond: 2 * MiB });

/** One minute of stream metrics, as GetMetricData returns them with period 60. */
export interface MinuteMetrics {
    /** Start of the minute, epoch ms. */
    start: number;
    /** IncomingBytes, Sum. */
    incomingBytes: number;
    /** IncomingRecords, Sum. */
    incomingRecords: number;
    /** WriteProvisionedThroughputExceeded, Sum: records refused for throughput. */
    throttledRecords: number;
    /** GetRecords.Bytes, Sum (0 when absent). */
    readBytes: number;
    /** GetRecords.IteratorAgeMilliseconds, Maximum (0 when absent). */
    iteratorAgeMs: number;
}

export interface StreamState {
    /** DescribeStreamSummary StreamStatus: CREATING, DELETING, ACTIVE, UPDATING. */
    status: string;
    /** PROVISIONED or ON_DEMAND. */
    mode: string;
    openShards: number;
}

export interface DecisionInput {
    /** Epoch ms. */
    now: number;
    stream: StreamState;
    /** Per-minute metrics, oldest first, one entry per minute; the newest last. */
    minutes: readonly MinuteMetrics[];
    /** Every UpdateShardCount call the autoscaler knows of (older ones are ignored). */
    history: readonly ScalingCall[];
    settings: AutoscalerSettings;
}

export type Bound = "bytes" | "records" | "reads";

/** What one minute needs, in shards at 100 %, and which limit binds. */
export interface MinuteDemand {
    shards: number;
    bound: Bound;
}

interface Observation {
    /** The newest minute. */
    latest: MinuteDemand;
    /** Busiest minute of the scale-out window, in shard-equivalents. */
    recentPeak: MinuteDemand;
    /** Busiest minute of the scale-in window. */
    longPeak: MinuteDemand;
    longUtilisation: number;
    throttledInLongWindow: number;
    recentIteratorAgeMs: number;
    minutesAvailable: number;
}

export type Decision =
    | { action: "none"; reason: string; callsInLast24h: number; utilisation?: number; demandShards?: number }
    | {
          action: "scale-out" | "scale-in";
          from: number;
          target: number;
          reason: string;
          callsInLast24h: number;
          utilisation: number;
          demandShards: number;
      };

/**
 * Shards a minute needs at 100 % utilisation: max of bytes / 1 MiB/s, records / 1,000/s (records the
 * stream refused for throughput counted as demand, their bytes at the minute's average record size)
 * and read bytes / 2 MiB/s.
 */
export function minuteDemand(m: MinuteMetrics): MinuteDemand {
    const records = m.incomingRecords + m.throttledRecords;
    const avgRecordBytes = m.incomingRecords > 0 ? m.incomingBytes / m.incomingRecords : 0;
    const bytes = m.incomingBytes + m.throttledRecords * avgRecordBytes;
    const byBytes = bytes / 60 / SHARD_CAPACITY.writeBytesPerSecond;
    const byRecords = records / 60 / SHARD_CAPACITY.writeRecordsPerSecond;
    const byReads = m.readBytes / 60 / SHARD_CAPACITY.readBytesPerSecond;
    if (byReads > byBytes && byReads > byRecords) return { shards: byReads, bound: "reads" };
    return byBytes >= byRecords ? { shards: byBytes, bound: "bytes" } : { shards: byRecords, bound: "records" };
}

/** The smallest whole shard count carrying `shards` shard-equivalents (tolerating float noise). */
export const shardsToCarry = (shards: number, utilisation = 1): number => Math.ceil(shards / utilisation - 1e-9);

const pct = (x: number) => `${Math.round(x * 100)}%`;
const se = (x: number) => x.toFixed(2);
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

function observe(minutes: readonly MinuteMetrics[], s: AutoscalerSettings, shards: number): Observation {
    const recent = minutes.slice(-s.scaleOutWindowMinutes);
    const long = minutes.slice(-s.scaleInWindowMinutes);
    const peak = (ms: readonly MinuteMetrics[]): MinuteDemand =>
        ms.reduce<MinuteDemand>(
            (best, m) => {
                const d = minuteDemand(m);
                return d.shards > best.shards ? d : best;
            },
            { shards: 0, bound: "records" },
        );
    const recentPeak = peak(recent);
    const newest = minutes[minutes.length - 1];
    const latest = newest === undefined ? { shards: 0, bound: "records" as const } : minuteDemand(newest);
    const longPeak = peak(long);
    return {
        latest,
        recentPeak,
        longPeak,
        longUtilisation: longPeak.shards / shards,
        throttledInLongWindow: long.reduce((n, m) => n + m.throttledRecords, 0),
        recentIteratorAgeMs: recent.reduce((n, m) => Math.max(n, m.iteratorAgeMs), 0),
        minutesAvailable: minutes.length,
    };
}

/** The decision for this invocation. Never returns a target AWS would refuse or that leaves [min, max] further. */
export function decide(input: DecisionInput): Decision {
    const { now, stream, settings: s } = input;
    const counted = callsInWindow(input.history, now);
    const used = counted.length;
    const none = (reason: string, o?: Observation): Decision => ({
        action: "none",
        reason,
        callsInLast24h: used,
        ...(o ? { utilisation: o.latest.shards / stream.openShards, demandShards: o.latest.shards } : {}),
    });

    if (stream.mode !== "PROVISIONED") return none(`stream is ${stream.mode}: Kinesis manages its capacity`);
    if (stream.status !== "ACTIVE") return none(`stream is ${stream.status}: left alone until it is ACTIVE`);
    const c = stream.openShards;
    if (!Number.isInteger(c) || c < 1) return none(`stream reports ${c} open shards: nothing to decide on`);
    if (input.minutes.length === 0) return none("no metrics for the stream yet");

    const o = observe(input.minutes, s, c);
    const budget = `${used} of ${UPDATE_SHARD_COUNT.callsPer24h} calls used in the last 24 h`;
    if (used >= UPDATE_SHARD_COUNT.callsPer24h) {
        return none(`${budget}: no UpdateShardCount call until ${iso(nextCallFreedAt(input.history, now) ?? now)}`, o);
    }
    const last = lastCall(counted);
    const sinceLast = last === undefined ? Infinity : (now - last.at) / 60_000;
    const { lowest, highest } = allowedTargets(c);
    const act = (action: "scale-out" | "scale-in", target: number, reason: string): Decision => ({
        action,
        from: c,
        target,
        reason: `${reason} (${budget} before this one)`,
        callsInLast24h: used,
        utilisation: o.latest.shards / c,
        demandShards: o.latest.shards,
    });
    // The scale-out reserve: after a scale-in the stream must still be able to take 2^reserve times
    // the window's peak, with the calls left (each may double the count) and the headroom it keeps.
    const reserveProblem = (target: number): string | undefined => {
        const left = UPDATE_SHARD_COUNT.callsPer24h - used - 1;
        const r = s.scaleOutReserveCalls;
        if (left < Math.min(1, r)) return `it would use the last call of the 24 h (${budget})`;
        const headroom = o.longPeak.shards > 0 ? target / o.longPeak.shards : Infinity;
        if (left + Math.log2(headroom) >= r - 1e-9) return undefined;
        return `the scale-out reserve wants room for ${2 ** r}x the peak after a scale-in, and ${c} → ${target} would leave ${left} call(s) and ${headroom.toFixed(1)}x headroom: ${(2 ** left * headroom).toFixed(1)}x (${budget})`;
    };

    // Outside [min, max] (the settings changed): move toward the range, as far as one call may.
    if (c < s.minShards) {
        const target = Math.min(s.minShards, highest);
        return act("scale-out", target, `${c} shards is below minShards ${s.minShards}: scale out ${c} → ${target}${target < s.minShards ? " (at most double per call)" : ""}`);
    }
    if (c > s.maxShards) {
        const target = Math.max(s.maxShards, lowest);
        const reserve = reserveProblem(target);
        if (reserve !== undefined) return none(`${c} shards is above maxShards ${s.maxShards}, but ${reserve}`, o);
        return act("scale-in", target, `${c} shards is above maxShards ${s.maxShards}: scale in ${c} → ${target}${target > s.maxShards ? " (at most half per call)" : ""}`);
    }

    const recentDesc = `latest minute needs ${se(o.latest.shards)} shards (${o.latest.bound}-bound): ${pct(o.latest.shards / c)} of ${c}`;
    if ((o.latest.shards / c) * 100 >= s.highWaterPercent) {
        if (c >= s.maxShards) return none(`${recentDesc} ≥ high water ${s.highWaterPercent}%, but the stream is at maxShards ${s.maxShards}`, o);
        if (sinceLast < s.scaleOutCooldownMinutes) {
            return none(
                `${recentDesc} ≥ high water ${s.highWaterPercent}%, but the last call was ${Math.floor(sinceLast)} min ago (scale-out cool-down ${s.scaleOutCooldownMinutes} min)`,
                o,
            );
        }
        const wanted = shardsToCarry(o.recentPeak.shards, s.scaleOutTargetPercent / 100);
        const target = Math.max(c + 1, Math.min(wanted, highest, s.maxShards));
        const capped = wanted > target ? (target === s.maxShards ? ` (capped at maxShards ${s.maxShards})` : " (capped at double: one call's limit)") : "";
        const peakDesc = `the busiest of the last ${Math.min(s.scaleOutWindowMinutes, o.minutesAvailable)} min (${se(o.recentPeak.shards)} shards)`;
        return act(
            "scale-out",
            target,
            `${recentDesc} ≥ high water ${s.highWaterPercent}%: scale out ${c} → ${target} to run ${peakDesc} at ${pct(o.recentPeak.shards / target)}${capped}`,
        );
    }

    const longDesc = `busiest minute of the last ${Math.min(s.scaleInWindowMinutes, o.minutesAvailable)} min needs ${se(o.longPeak.shards)} shards: ${pct(o.longUtilisation)} of ${c}`;
    if (o.longUtilisation * 100 < s.lowWaterPercent && c > s.minShards) {
        const blocked = (why: string) => none(`${longDesc} < low water ${s.lowWaterPercent}%, but ${why}`, o);
        if (o.minutesAvailable < s.scaleInWindowMinutes) return blocked(`scale-in needs ${s.scaleInWindowMinutes} min of metrics and has ${o.minutesAvailable}`);
        if (o.throttledInLongWindow > 0) return blocked(`${Math.round(o.throttledInLongWindow)} records were throttled in that window (a hot shard?)`);
        if (o.recentIteratorAgeMs >= s.maxIteratorAgeMsForScaleIn) {
            return blocked(
                `iterator age reached ${Math.round(o.recentIteratorAgeMs / 1000)} s (scale-in needs under ${Math.round(s.maxIteratorAgeMsForScaleIn / 1000)} s): consumers are behind`,
            );
        }
        if (sinceLast < s.scaleInCooldownMinutes) return blocked(`the last call was ${Math.floor(sinceLast)} min ago (scale-in cool-down ${s.scaleInCooldownMinutes} min)`);
        const wanted = Math.max(shardsToCarry(o.longPeak.shards, s.scaleInTargetPercent / 100), s.minShards, 1);
        const target = Math.max(wanted, lowest);
        if (target >= c) return blocked(`carrying that peak at ${s.scaleInTargetPercent}% still takes ${c} shards`);
        const reserve = reserveProblem(target);
        if (reserve !== undefined) return blocked(reserve);
        const capped = wanted < target ? " (at most half per call)" : "";
        return act(
            "scale-in",
            target,
            `${longDesc} < low water ${s.lowWaterPercent}% for ${s.scaleInWindowMinutes} min: scale in ${c} → ${target} to run that peak at ${pct(o.longPeak.shards / target)}${capped}`,
        );
    }

    if (o.longUtilisation * 100 < s.lowWaterPercent) return none(`${longDesc} < low water ${s.lowWaterPercent}%, but the stream is at minShards ${s.minShards}`, o);
    return none(`${recentDesc}, below high water ${s.highWaterPercent}%; ${longDesc}, not below low water ${s.lowWaterPercent}%: no change`, o);
}
