// The planning autoscaler's forecast of the coming day from the stream's own per-minute history:
// a seasonal reference (the same minute a week back; with two weeks, the median of one week back, two
// weeks back and the previous days; with less than a week, the median of the previous days, up to three:
// so a stream two days old is forecast from its first day), scaled to today's level (how the last 3 hours
// compare with their reference: catches growth and a quieter weekday; beyond the next few hours never
// below the last day's level, so one odd evening in the reference does not shrink tomorrow's peak),
// widened by the spread of its own errors over the last day (the forecasts it would have made 2 hours
// ahead, against what came).
// Pure, no AWS.

const DAY = 1_440;
const WEEK = 7 * DAY;

export const FORECAST = Object.freeze({
    /** Forecasts are per block: the busiest minute expected in it. */
    blockMinutes: 15,
    horizonMinutes: DAY,
    /** A block's reference spans this much either side: the day's curve shifts a little day to day. */
    slackMinutes: 5,
    /** Today's level is read over this many latest minutes (a median of 15-minute blocks: a spike does not move it). */
    levelMinutes: 180,
    /** The last 3 hours' level holds this far ahead; further out the forecast is at least the last day's level. */
    levelHoldMinutes: 240,
    /** The error spread is measured on forecasts made this long before each block of the last day. */
    backtestLeadMinutes: 120,
    backtestMinutes: DAY,
    /** The error factor is this quantile of actual / forecast over the last day's blocks. */
    errorQuantile: 0.9,
    /** Above this error factor the history does not predict the stream: planning is left to the reactive rules. */
    maxErrorFactor: 1.6,
    /** A block above its forecast by this factor is a burst the forecast missed (it widens the plan's reserve). */
    surpriseFactor: 1.25,
    /** A quarter hour whose busiest minute is this many times the median of the 2 hours around it is a burst... */
    burstFactor: 1.4,
    /** ...and more than this many in the last week leave the stream to the reactive rules, whose headroom takes them. */
    maxBursts: 1,
    burstLookbackMinutes: WEEK,
    /** Most history read: CloudWatch keeps 1-minute data 15 days. */
    historyMinutes: 14 * DAY,
});

/** Minutes of history before any forecast: the backtest's day, its lead and level window, and a day of reference back from each (about 2.2 days). */
export const MIN_HISTORY_MINUTES = FORECAST.backtestMinutes + FORECAST.backtestLeadMinutes + FORECAST.levelMinutes + FORECAST.slackMinutes + DAY;
const WEEKLY_HISTORY_MINUTES = MIN_HISTORY_MINUTES - DAY + WEEK;

export type Forecast =
    | { usable: false; reason: string }
    | {
          usable: true;
          basis: "weekly" | "daily";
          /** Today's level against the reference (1 = as usual): the last 3 hours'. */
          level: number;
          /** The last day's level: the floor of blocks beyond levelHoldMinutes. */
          dayLevel: number;
          /** The quantile of actual / forecast over the last day's blocks, applied to every block. */
          errorFactor: number;
          /** The largest actual / forecast over the last day's blocks: how far past the error factor the stream went. */
          worstError: number;
          /** Bursts over the last day the forecast missed by more than 25 % (runs of blocks): what the guard had to catch. */
          surprises: number;
          /** Busiest minute expected in each coming block (shard-equivalents), error factor included. */
          blocks: Float64Array;
      };

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    const mid = s.length >> 1;
    return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Bursts in [from, to): runs of 15-minute blocks whose busiest minute is burstFactor x the median of the 2 hours around. */
export function countBursts(demand: ArrayLike<number>, from: number, to: number): number {
    const len = FORECAST.blockMinutes;
    const peaks: number[] = [];
    for (let a = from; a + len <= to; a += len) {
        let m = 0;
        for (let i = a; i < a + len; i++) m = Math.max(m, demand[i] as number);
        peaks.push(m);
    }
    let bursts = 0;
    let inBurst = false;
    for (let b = 0; b < peaks.length; b++) {
        const around = peaks.slice(Math.max(0, b - 4), b + 5);
        const burst = (peaks[b] as number) > FORECAST.burstFactor * median(around) && (peaks[b] as number) > 0;
        if (burst && !inBurst) bursts++;
        inBurst = burst;
    }
    return bursts;
}

/**
 * Forecast from `demand` (shard-equivalents per minute, oldest first; the newest is the minute just
 * before "now", which is index demand.length).
 */
export function forecastDemand(demand: ArrayLike<number>): Forecast {
    // Minutes before the stream's first traffic are no history: the Lambda reads 14 days whatever the
    // stream's age, and CloudWatch has no datapoint for them (read as 0, they would be a weekly reference of nothing).
    let first = 0;
    while (first < demand.length && !((demand[first] as number) > 0)) first++;
    if (first > 0) return forecastDemand(Array.prototype.slice.call(demand, first) as number[]);
    const n = demand.length;
    const f = FORECAST;
    if (n < MIN_HISTORY_MINUTES) return { usable: false, reason: `${Math.floor(n / 60)} h of history, the forecast needs ${Math.ceil(MIN_HISTORY_MINUTES / 60)} h` };
    // Weekly when a week back reaches every minute the backtest needs, else daily (which serves a
    // weekly stream's Monday badly: the error factor says by how much).
    const basis = n >= WEEKLY_HISTORY_MINUTES ? "weekly" : "daily";
    const from = n - f.backtestMinutes - f.backtestLeadMinutes - f.levelMinutes - f.slackMinutes;
    const to = n + f.horizonMinutes + f.slackMinutes;
    const ref = new Float64Array(to - from);
    for (let i = from; i < to; i++) {
        // Medians of three: a spike on one of the days does not come back as a forecast.
        const daily: number[] = [];
        for (let k = 1; k * DAY <= i && daily.length < 3; k++) if (i - k * DAY < n) daily.push(demand[i - k * DAY] as number);
        const weeks = [WEEK, 2 * WEEK].filter((back) => i - back >= 0).map((back) => demand[i - back] as number);
        const refs = basis === "daily" ? daily : weeks.length === 2 ? [...weeks, median(daily)] : weeks;
        ref[i - from] = refs.length > 0 ? median(refs) : 0;
    }
    const refMax = (a: number, b: number) => {
        let m = 0;
        for (let i = Math.max(from, a - f.slackMinutes); i < Math.min(to, b + f.slackMinutes); i++) m = Math.max(m, ref[i - from] as number);
        return m;
    };
    // Today's level as of minute t: the median ratio of 15-minute sums to their reference's.
    const level = (t: number, minutes: number = f.levelMinutes) => {
        const ratios: number[] = [];
        for (let a = t - minutes; a < t; a += f.blockMinutes) {
            let d = 0;
            let r = 0;
            for (let i = a; i < a + f.blockMinutes; i++) {
                d += demand[i] as number;
                r += ref[i - from] as number;
            }
            if (r > 0) ratios.push(d / r);
        }
        return ratios.length === 0 ? 1 : Math.min(4, Math.max(0.25, median(ratios)));
    };
    const errors: number[] = [];
    let surprises = 0;
    let inSurprise = false;
    for (let a = n - f.backtestMinutes; a < n; a += f.blockMinutes) {
        const predicted = refMax(a, a + f.blockMinutes) * level(a - f.backtestLeadMinutes);
        let actual = 0;
        for (let i = a; i < Math.min(n, a + f.blockMinutes); i++) actual = Math.max(actual, demand[i] as number);
        const e = predicted > 0 ? actual / predicted : actual > 0 ? Infinity : 1;
        errors.push(e);
        if (e > f.surpriseFactor && !inSurprise) surprises++;
        inSurprise = e > f.surpriseFactor;
    }
    errors.sort((a, b) => a - b);
    const errorFactor = errors.length === 0 ? 1 : (errors[Math.min(errors.length - 1, Math.floor(f.errorQuantile * errors.length))] as number);
    const worstError = errors.length === 0 ? 1 : (errors[errors.length - 1] as number);
    const bursts = countBursts(demand, Math.max(0, n - f.burstLookbackMinutes), n);
    if (bursts > f.maxBursts) {
        return {
            usable: false,
            reason: `${bursts} bursts in the last ${Math.round(Math.min(n, f.burstLookbackMinutes) / DAY)} days (a quarter hour above ${f.burstFactor}x its neighbours): a spiky stream keeps the reactive rules' headroom`,
        };
    }
    if (!(errorFactor <= f.maxErrorFactor)) {
        return {
            usable: false,
            reason: `the ${basis} forecast missed the last day by up to ${Number.isFinite(errorFactor) ? `${errorFactor.toFixed(2)}x` : "everything"} (${Math.round(f.errorQuantile * 100)}th percentile; usable up to ${f.maxErrorFactor}x)`,
        };
    }
    const now = level(n);
    const dayLevel = level(n, f.backtestMinutes);
    const blocks = new Float64Array(f.horizonMinutes / f.blockMinutes);
    for (let b = 0; b < blocks.length; b++) {
        const lvl = b * f.blockMinutes < f.levelHoldMinutes ? now : Math.max(now, dayLevel);
        blocks[b] = refMax(n + b * f.blockMinutes, n + (b + 1) * f.blockMinutes) * lvl * Math.max(1, errorFactor);
    }
    return { usable: true, basis, level: now, dayLevel, errorFactor, worstError, surprises, blocks };
}
