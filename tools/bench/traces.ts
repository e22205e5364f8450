// The built-in synthetic traffic trace for the autoscaler benchmark: 7 days, one point per minute,
// seeded and deterministic. Diurnal cycle (trough 04:00, peak 16:00 UTC), weekly pattern (quieter
// Friday, weekend), slow growth over the week, two slow ramps (a campaign, an evening event), sudden
// 5x spikes of various lengths (one shorter than a resharding) and a night when the consumer falls
// behind (iterator age high: no scale-in then). Record size drifts over the day so the binding limit
// switches between records/s (small records) and bytes/s (large records).
import type { DemandMinute, Trace } from "../autoscaler/model";
import { seededRandom } from "../lib/seeded-random";

export interface TraceEvent {
    kind: "spike" | "ramp" | "consumer-lag";
    /** Minute index where it starts. */
    start: number;
    minutes: number;
    /** Traffic multiplier at its height (iterator age in minutes for consumer-lag). */
    factor: number;
}

export interface SyntheticTraceOptions {
    /** @default 7 */
    seed?: number;
    /** @default 7 */
    days?: number;
    /** Epoch ms of the first minute, a Monday 00:00 UTC. @default 2025-11-03T00:00:00Z */
    start?: number;
    /** Records/s at an ordinary weekday's 16:00 peak, before growth and events. @default 6000 */
    peakRecordsPerSecond?: number;
}

export interface SyntheticTrace extends Trace {
    events: TraceEvent[];
}

const WEEKDAY_FACTOR = [1, 1, 1, 1, 0.9, 0.6, 0.5]; // Monday .. Sunday
const SPIKE_MINUTES = [1, 4, 12, 25, 45, 90];
const SPIKE_FACTOR = 5;

/** Linear up over `up` minutes, hold `hold`, linear down over `down`: the multiplier at minute offset `t`. */
function trapezoid(t: number, up: number, hold: number, down: number, height: number): number {
    if (t < 0 || t >= up + hold + down) return 1;
    if (t < up) return 1 + ((height - 1) * t) / up;
    if (t < up + hold) return height;
    return 1 + ((height - 1) * (up + hold + down - t)) / down;
}

export function syntheticWeek(options: SyntheticTraceOptions = {}): SyntheticTrace {
    const seed = options.seed ?? 7;
    const days = options.days ?? 7;
    const start = options.start ?? Date.UTC(2025, 10, 3);
    const peak = options.peakRecordsPerSecond ?? 6_000;
    const rand = seededRandom(seed);
    const total = days * 1_440;

    // Two slow ramps at fixed times (Tuesday 08:00, Thursday 18:00) when the trace is long enough.
    const ramps: (TraceEvent & { up: number; hold: number; down: number })[] = [
        { kind: "ramp" as const, start: 1 * 1_440 + 8 * 60, up: 300, hold: 180, down: 300, factor: 1.8 },
        { kind: "ramp" as const, start: 3 * 1_440 + 18 * 60, up: 360, hold: 60, down: 360, factor: 1.6 },
    ]
        .map((r) => ({ ...r, minutes: r.up + r.hold + r.down }))
        .filter((r) => r.start + r.minutes <= total);
    // Spikes at seeded times, one per day slot (never overlapping), in a seeded order of lengths.
    const lengths = [...SPIKE_MINUTES];
    for (let i = lengths.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [lengths[i], lengths[j]] = [lengths[j] as number, lengths[i] as number];
    }
    const spikes: TraceEvent[] = lengths.slice(0, Math.min(lengths.length, days - 1)).map((minutes, i) => {
        const slot = Math.floor(((i + 0.5) * total) / Math.min(lengths.length, days - 1)) - 720;
        return { kind: "spike", start: Math.max(0, slot + Math.floor(rand() * 600)), minutes, factor: SPIKE_FACTOR };
    });
    // Saturday 01:00-03:00: the consumer stalls, iterator age climbs to 30 min, then catches up.
    const lag: TraceEvent[] = days > 5 ? [{ kind: "consumer-lag", start: 5 * 1_440 + 60, minutes: 120, factor: 30 }] : [];

    const minutes: DemandMinute[] = [];
    for (let m = 0; m < total; m++) {
        const hour = (m % 1_440) / 60;
        const day = Math.floor(m / 1_440) % 7;
        const diurnal = 0.25 + 0.75 * ((1 - Math.cos((2 * Math.PI * (hour - 4)) / 24)) / 2) ** 1.3;
        const growth = 1 + (0.15 * m) / total;
        let factor = diurnal * (WEEKDAY_FACTOR[day] as number) * growth;
        for (const r of ramps) factor *= trapezoid(m - r.start, r.up, r.hold, r.down, r.factor);
        for (const s of spikes) if (m >= s.start && m < s.start + s.minutes) factor *= s.factor;
        const noise = 1 + 0.08 * (rand() + rand() + rand() - 1.5);
        const recordsPerSecond = peak * factor * noise;
        const recordBytes = 1_000 + 300 * Math.sin((2 * Math.PI * (hour - 10)) / 24);
        const records = Math.round(recordsPerSecond * 60);
        const bytes = Math.round(records * recordBytes);
        let iteratorAgeMs = 200 + Math.floor(rand() * 800);
        for (const l of lag) {
            const t = m - l.start;
            if (t >= 0 && t < l.minutes) iteratorAgeMs = Math.round(Math.min(t, l.minutes - t) * 2 * (l.factor / l.minutes) * 60_000);
        }
        // One shared consumer (Firehose or a Lambda without EFO) reads everything written.
        minutes.push({ start: start + m * 60_000, records, bytes, readBytes: bytes, iteratorAgeMs });
    }
    return {
        name: `synthetic ${days}-day trace (seed ${seed})`,
        minutes,
        events: [...ramps.map(({ kind, start: s, minutes: n, factor: f }) => ({ kind, start: s, minutes: n, factor: f })), ...spikes, ...lag].sort((a, b) => a.start - b.start),
    };
}

/** The trace families the autoscaler is measured on (bench and tests), each generated from a seed. */
export const TRACE_FAMILIES = ["diurnal-bytes", "diurnal-records", "spiky", "growth", "flat", "random-walk", "synthetic-week"] as const;
export type TraceFamily = (typeof TRACE_FAMILIES)[number];

const MiB = 1024 * 1024;

/**
 * `days` of one trace family (default 16: the bench replays the last 7 and gives the first 9 as the
 * history CloudWatch already holds when the replay starts). Demand in shard-equivalents per minute, turned into records and bytes:
 * - diurnal-bytes: a weekday/weekend diurnal cycle peaking near 24 shards, 8 KB records (bytes bind);
 * - diurnal-records: the same shape with 200-byte records (records/s bind), peak near 30 shards;
 * - spiky: a flat 6 shards with 1-3 seeded spikes a day of 2-5x lasting 2-45 minutes;
 * - growth: 4 shards growing steadily to 20 over the trace, a mild diurnal ripple;
 * - flat: 8 shards with +-5 % noise;
 * - random-walk: a geometric random walk between 1 and 40 shards (no seasonality at all);
 * - synthetic-week: the benchmark's built-in trace (syntheticWeek) over the same days.
 */
export function traceFamily(family: TraceFamily, seed: number, days = 16): Trace {
    if (family === "synthetic-week") return syntheticWeek({ seed, days });
    const rand = seededRandom(seed * 7_919 + TRACE_FAMILIES.indexOf(family));
    const total = days * 1_440;
    const start = Date.UTC(2025, 10, 3);
    const noise = (amp: number) => 1 + amp * (rand() + rand() + rand() - 1.5);
    const diurnal = (m: number) => {
        const hour = (m % 1_440) / 60;
        return (0.2 + 0.8 * ((1 - Math.cos((2 * Math.PI * (hour - 3.5)) / 24)) / 2) ** 1.5) * (WEEKDAY_FACTOR[Math.floor(m / 1_440) % 7] as number);
    };
    const spikes: { at: number; len: number; factor: number }[] = [];
    if (family === "spiky") {
        for (let d = 0; d < days; d++) {
            const count = 1 + Math.floor(rand() * 3);
            for (let k = 0; k < count; k++) spikes.push({ at: d * 1_440 + Math.floor(rand() * 1_440), len: 2 + Math.floor(rand() * 44), factor: 2 + rand() * 3 });
        }
    }
    let walk = 10;
    const recordBytes = family === "diurnal-bytes" ? 8_192 : family === "diurnal-records" ? 200 : 1_000;
    const minutes: DemandMinute[] = [];
    for (let m = 0; m < total; m++) {
        let shards: number;
        if (family === "diurnal-bytes") shards = 24 * diurnal(m) * noise(0.08);
        else if (family === "diurnal-records") shards = 30 * diurnal(m) * noise(0.08);
        else if (family === "growth") shards = (4 + (16 * m) / total) * (1 + 0.15 * Math.sin((2 * Math.PI * m) / 1_440)) * noise(0.06);
        else if (family === "flat") shards = 8 * noise(0.066);
        else if (family === "random-walk") {
            walk = Math.min(40, Math.max(1, walk * Math.exp(0.02 * (rand() + rand() + rand() - 1.5))));
            shards = walk;
        } else {
            shards = 6 * noise(0.08);
            for (const s of spikes) if (m >= s.at && m < s.at + s.len) shards *= s.factor;
        }
        // Shard-equivalents to traffic: the binding limit is the family's (bytes for large records, records for small).
        const bytesPerMinute = recordBytes >= 1_049 ? shards * 60 * MiB : shards * 60_000 * recordBytes;
        const records = Math.round(bytesPerMinute / recordBytes);
        const bytes = records * recordBytes;
        minutes.push({ start: start + m * 60_000, records, bytes, readBytes: bytes, iteratorAgeMs: 500 });
    }
    return { name: `${family} (seed ${seed}, ${days} days)`, minutes };
}
