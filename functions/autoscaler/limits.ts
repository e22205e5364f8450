// The service limits of UpdateShardCount (provisioned streams), as AWS documents them.

export const UPDATE_SHARD_COUNT = Object.freeze({
    /** Calls per stream per rolling 24 hours. */
    callsPer24h: 10,
    windowMs: 24 * 60 * 60 * 1000,
    /** Most shards a stream can have. */
    maxShards: 10_000,
    scalingType: "UNIFORM_SCALING",
});

/**
 * Our history is written just before each call, so it runs a few milliseconds ahead of AWS's; a call
 * is counted for this much longer than 24 h so a call AWS still counts is never taken as freed.
 */
export const HISTORY_SAFETY_MARGIN_MS = 5 * 60 * 1000;

/** The targets one UpdateShardCount call accepts from `current` open shards: half to double, at most 10,000. */
export function allowedTargets(current: number): { lowest: number; highest: number } {
    return { lowest: Math.max(1, Math.ceil(current / 2)), highest: Math.min(2 * current, UPDATE_SHARD_COUNT.maxShards) };
}

/** Why AWS would refuse `target` from `current` (a ValidationException), or undefined when it accepts it. */
export function targetProblem(current: number, target: number): string | undefined {
    if (!Number.isInteger(target) || target < 1) return `target ${target} is not a positive integer`;
    if (target === current) return `target ${target} equals the current count`;
    const { lowest, highest } = allowedTargets(current);
    if (target > UPDATE_SHARD_COUNT.maxShards) return `target ${target} is above ${UPDATE_SHARD_COUNT.maxShards} shards`;
    if (target > highest) return `target ${target} is more than double ${current}`;
    if (target < lowest) return `target ${target} is less than half of ${current}`;
    return undefined;
}

/**
 * The most calls in any rolling window of `windowMs` (a call at t counts in [t, t + windowMs)).
 * `times` in any order.
 */
export function maxCallsInWindow(times: readonly number[], windowMs: number = UPDATE_SHARD_COUNT.windowMs): number {
    const sorted = [...times].sort((a, b) => a - b);
    let most = 0;
    let first = 0;
    for (let i = 0; i < sorted.length; i++) {
        while ((sorted[i] as number) - (sorted[first] as number) >= windowMs) first++;
        most = Math.max(most, i - first + 1);
    }
    return most;
}
