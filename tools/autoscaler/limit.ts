// The limit: the fewest shard-hours of any schedule that throttles no minute under UpdateShardCount's
// rules (at most 10 calls in 24 h, each target half to double the open count), knowing the demand in
// advance. No per-minute policy that throttles nothing can use fewer: the schedule is found by the
// dynamic program of functions/autoscaler/schedule.ts on a relaxation of the real problem, so its
// optimum is a lower bound, and it is exact on the relaxed problem (tests check both by brute force).
//
// The relaxation, each step of which only adds schedules:
// - the start count is free (a policy's start is one choice of it);
// - 10 calls per fixed window of 24 h (aligned at an offset) instead of every rolling 24 h: any
//   schedule within the rolling rule keeps every fixed window too. Each offset gives a lower bound;
//   the limit is the higher of two offsets (0 and 12 h from the trace's start);
// - calls at least a resharding apart, and the first call after the resharding delay, are not
//   required (with the demand known, the delay only shifts calls earlier);
// - time in blocks of B minutes (B = 1 when the trace is small enough): a block with no change costs
//   B x count exactly (the count must carry the block's busiest minute); a block with changes costs
//   only the demand of its minutes before the last plus the count it ends with, which no real
//   schedule can undercut, and allows as many changes as fit in B minutes. With B = 1 this is the
//   exact per-minute problem (under the other relaxations).
import { cheapestSchedule } from "../../functions/autoscaler/schedule";

export interface LimitOptions {
    /** Minutes a resharding takes: changes inside a block are at least this far apart. @default 2 */
    reshardingDelayMinutes?: number;
    /** @default 10 */
    callsPerWindow?: number;
    /** @default 1440 */
    windowMinutes?: number;
    /** Block length; must divide windowMinutes. @default the smallest keeping blocks x counts under WORK_BUDGET */
    blockMinutes?: number;
}

export interface LimitRun {
    shardHours: number;
    /** Open shards each minute in the schedule found (with B > 1, the count each block ends with). */
    shards: Int32Array;
    blockMinutes: number;
    /** Offset (minutes from the trace start) of the fixed windows that gave the highest bound. */
    windowOffsetMinutes: number;
}

/** Blocks x counts the program handles in about a second (a 7-day 1-minute trace up to ~60 shards at B = 1). */
export const WORK_BUDGET = 600_000;

const divisors = (n: number) => Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);

export function runLimit(need: ArrayLike<number>, options: LimitOptions = {}): LimitRun {
    const n = need.length;
    if (n === 0) throw new Error("the trace has no minutes");
    const W = options.windowMinutes ?? 1_440;
    const calls = options.callsPerWindow ?? 10;
    const spacing = Math.max(1, options.reshardingDelayMinutes ?? 2);
    let hi = 1;
    for (let i = 0; i < n; i++) hi = Math.max(hi, need[i] as number);
    const B = options.blockMinutes ?? divisors(W).find((d) => Math.ceil(n / d) * hi <= WORK_BUDGET) ?? W;
    if (W % B !== 0) throw new Error(`blockMinutes ${B} must divide windowMinutes ${W}`);

    const blocks = Math.ceil(n / B);
    const blockNeed = new Int32Array(blocks);
    const lastNeed = new Int32Array(blocks);
    const minutes = new Int32Array(blocks);
    const beforeLast = new Float64Array(blocks);
    for (let b = 0; b < blocks; b++) {
        const end = Math.min(n, (b + 1) * B);
        let max = 0;
        let sum = 0;
        for (let m = b * B; m < end; m++) {
            max = Math.max(max, need[m] as number);
            if (m < end - 1) sum += need[m] as number;
        }
        blockNeed[b] = max;
        lastNeed[b] = need[end - 1] as number;
        minutes[b] = end - b * B;
        beforeLast[b] = sum;
    }
    const problem = (offset: number, withSchedule: boolean) =>
        cheapestSchedule({
            lo: 1,
            hi,
            need: blockNeed,
            minutes,
            lastNeed,
            changeCost: (b, c) => (beforeLast[b] as number) + c,
            maxChangesPerBlock: Math.floor((B - 1) / spacing) + 1,
            callsAllowed: () => calls,
            windowStartsAt: (b) => (((b * B - offset) % W) + W) % W === 0,
            withSchedule,
        });
    const offsets = [...new Set([0, 1].map((i) => Math.floor((i * W) / 2 / B) * B))];
    let best = { offset: 0, cost: -Infinity };
    for (const offset of offsets) {
        const { cost } = problem(offset, false);
        if (cost > best.cost) best = { offset, cost };
    }
    const { counts } = problem(best.offset, true);
    const shards = new Int32Array(n);
    for (let m = 0; m < n; m++) shards[m] = (counts as Int32Array)[Math.floor(m / B)] as number;
    return { shardHours: best.cost / 60, shards, blockMinutes: B, windowOffsetMinutes: best.offset };
}
