// The autoscaler's tunable settings: one typed constant of defaults, merged with overrides and
// validated in one place. The infra component passes them to the function as environment variables
// (contracts/env/autoscaler.ts); the replay command and the benchmark use the same constant.

export interface AutoscalerSettings {
    /** Fewest open shards the autoscaler leaves the stream with. @default 1 */
    minShards: number;
    /** Most open shards the autoscaler gives the stream (stay under the account's shard quota). @default 100 */
    maxShards: number;
    /**
     * Scale out when the latest minute reaches this per-shard utilisation (percent; utilisation =
     * max(bytes / 1 MiB/s, records / 1,000/s, read bytes / 2 MiB/s) per shard, records the stream
     * refused counted as demand). Per-minute averages hide bursts within the minute: keep headroom.
     * @default 75
     */
    highWaterPercent: number;
    /** Utilisation a scale-out aims at: the new count carries the recent peak at this percent. @default 50 */
    scaleOutTargetPercent: number;
    /** Scale in only when every minute of the scale-in window stays below this utilisation. @default 35 */
    lowWaterPercent: number;
    /** Utilisation a scale-in aims at for the window's peak (kept below the high-water mark). @default 60 */
    scaleInTargetPercent: number;
    /** A scale-out sizes for the busiest minute of this many latest minutes; iterator age is read over them too. @default 5 */
    scaleOutWindowMinutes: number;
    /** Minutes the low-water condition must hold, with no throttling, before a scale-in. @default 60 */
    scaleInWindowMinutes: number;
    /** Minutes after any UpdateShardCount call before the next scale-out. @default 5 */
    scaleOutCooldownMinutes: number;
    /** Minutes after any UpdateShardCount call before a scale-in. @default 30 */
    scaleInCooldownMinutes: number;
    /**
     * Scale-out reserve, in doublings: a scale-in must leave the stream able to take 2^N times the
     * busiest minute of the scale-in window, with the calls left in the 24 h after it (each may double
     * the count) and the headroom the new count keeps over that peak. With N >= 1 a scale-in never uses
     * the last call. N = 3 keeps 3 calls when the new count has no headroom, fewer when it has more.
     * @default 3
     */
    scaleOutReserveCalls: number;
    /** No scale-in while GetRecords.IteratorAgeMilliseconds (Maximum) reached this in the scale-out window. @default 60000 */
    maxIteratorAgeMsForScaleIn: number;
}

export const AUTOSCALER_DEFAULTS: Readonly<AutoscalerSettings> = Object.freeze({
    minShards: 1,
    maxShards: 100,
    highWaterPercent: 75,
    scaleOutTargetPercent: 50,
    lowWaterPercent: 35,
    scaleInTargetPercent: 60,
    scaleOutWindowMinutes: 5,
    scaleInWindowMinutes: 60,
    scaleOutCooldownMinutes: 5,
    scaleInCooldownMinutes: 30,
    scaleOutReserveCalls: 3,
    maxIteratorAgeMsForScaleIn: 60_000,
});

/** Inclusive integer range of each setting. */
export const SETTING_RANGES: Readonly<Record<keyof AutoscalerSettings, readonly [number, number]>> = Object.freeze({
    minShards: [1, 10_000],
    maxShards: [1, 10_000],
    highWaterPercent: [1, 100],
    scaleOutTargetPercent: [1, 100],
    lowWaterPercent: [1, 100],
    scaleInTargetPercent: [1, 100],
    scaleOutWindowMinutes: [1, 1_440],
    scaleInWindowMinutes: [1, 1_440],
    scaleOutCooldownMinutes: [0, 1_440],
    scaleInCooldownMinutes: [0, 1_440],
    scaleOutReserveCalls: [0, 9],
    maxIteratorAgeMsForScaleIn: [0, 604_800_000],
});

/**
 * Every problem with a settings object, one line each naming the setting (as `name` spells a key and
 * its value, "highWaterPercent 120" by default); empty when valid.
 */
export function settingsProblems(s: AutoscalerSettings, name: (key: keyof AutoscalerSettings, value: unknown) => string = (k, v) => `${k} ${String(v)}`): string[] {
    const problems: string[] = [];
    const n = (k: keyof AutoscalerSettings) => name(k, s[k]);
    for (const key of Object.keys(SETTING_RANGES) as (keyof AutoscalerSettings)[]) {
        const [lo, hi] = SETTING_RANGES[key];
        const v = s[key];
        if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) problems.push(`${n(key)}: must be a whole number from ${lo} to ${hi}`);
    }
    if (problems.length > 0) return problems;
    if (s.minShards > s.maxShards) problems.push(`${n("minShards")} is above ${n("maxShards")}`);
    if (!(s.lowWaterPercent < s.scaleInTargetPercent && s.scaleInTargetPercent < s.highWaterPercent)) {
        problems.push(`${n("lowWaterPercent")} < ${n("scaleInTargetPercent")} < ${n("highWaterPercent")} must hold (else a scale-in could trigger a scale-out)`);
    }
    if (s.scaleOutTargetPercent >= s.highWaterPercent) problems.push(`${n("scaleOutTargetPercent")} must be below ${n("highWaterPercent")}`);
    if (s.scaleInWindowMinutes < s.scaleOutWindowMinutes) problems.push(`${n("scaleInWindowMinutes")} must be at least ${n("scaleOutWindowMinutes")}`);
    return problems;
}

export class SettingsError extends Error {}

/** Defaults, then the caller's overrides (undefined values ignored); throws SettingsError listing every problem. */
export function resolveSettings(overrides: Partial<AutoscalerSettings> = {}): AutoscalerSettings {
    const s: AutoscalerSettings = { ...AUTOSCALER_DEFAULTS };
    for (const [k, v] of Object.entries(overrides)) if (v !== undefined) (s as unknown as Record<string, number>)[k] = v;
    const problems = settingsProblems(s);
    if (problems.length > 0) throw new SettingsError(`invalid autoscaler settings:\n  ${problems.join("\n  ")}`);
    return s;
}
