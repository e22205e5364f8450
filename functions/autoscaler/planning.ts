// The planning autoscaler: every quarter hour, forecast the coming day (forecast.ts) and plan the
// cheapest shard schedule that carries it with the calls the rolling 24 h leaves, keeping some in
// reserve (schedule.ts); make the plan's first step. Scale-outs then land before the daily ramp and
// scale-ins right after the drop, instead of after an hour of evidence. Between quarter hours a guard
// scales out on a surprise the forecast missed; a stream without a usable history gets the reactive
// rules (decision.ts) whole. Pure, no AWS: the Lambda, the replay and the benchmark run this function.
import { decide, type Decision, type DecisionInput } from "./decision";
import { FORECAST, type Forecast, forecastDemand } from "./forecast";
import { callsInWindow } from "./history";
import { UPDATE_SHARD_COUNT } from "./limits";
import { cheapestSchedule } from "./schedule";

export const PLANNING = Object.freeze({
    /** Plans are made on the quarter hours (UTC), on 15-minute blocks. */
    tickMinutes: FORECAST.blockMinutes,
    /** Calls the plan leaves for the guard in every rolling 24 h: one, plus one per burst the forecast missed in the last day, up to the most. */
    reserveCalls: 1,
    maxReserveCalls: 3,
    /**
     * The plan carries each block's forecast busiest minute (error factor included) at the utilisation
     * that would have carried the last day's worst miss too, within these bounds: a forecast that
     * missed by little runs fuller; the rest of 100 % absorbs bursts within a minute.
     */
    minUtilisationPercent: 95,
    maxUtilisationPercent: 98,
    /** Between plans: scale out when the latest minute reaches this utilisation (a surprise)... */
    guardHighWaterPercent: 99,
    /** ...to carry the busiest of the scale-out window at this. */
    guardTargetPercent: 70,
    /** A call is planned only when it saves more than this many shard-minutes: calls are worth keeping. */
    callCostShardMinutes: 60,
});

export interface PlanningInput extends DecisionInput {
    /**
     * Shard-equivalents per minute (`minuteDemand`), oldest first, up to 14 days, ending with the same
     * minute as `minutes`.
     */
    longDemand: ArrayLike<number>;
}

const MINUTE = 60_000;
const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
const x2 = (v: number) => `${v.toFixed(2)}x`;

/** The forecast as of the latest quarter hour (so it is the same all quarter long); `cache` keyed by that quarter hour. */
function forecastAtTick(input: PlanningInput, tick: number, cache?: Map<number, Forecast>): Forecast {
    const cached = cache?.get(tick);
    if (cached) return cached;
    const sinceTick = Math.floor(input.now / MINUTE) - tick;
    const d = input.longDemand;
    const upTo = Math.max(0, d.length - sinceTick);
    const f = forecastDemand(Array.prototype.slice.call(d, 0, upTo) as number[]);
    cache?.set(tick, f);
    return f;
}

export function decidePlanning(input: PlanningInput, cache?: Map<number, Forecast>): Decision {
    const { stream, settings: s, now } = input;
    const c = stream.openShards;
    // Everything but the ordinary running of an ACTIVE provisioned stream inside its bounds: the reactive rules' answer.
    if (stream.mode !== "PROVISIONED" || stream.status !== "ACTIVE" || !Number.isInteger(c) || c < s.minShards || c > s.maxShards || input.minutes.length === 0)
        return decide(input);
    const minute = Math.floor(now / MINUTE);
    const tick = minute - (((minute % PLANNING.tickMinutes) + PLANNING.tickMinutes) % PLANNING.tickMinutes);
    const f = forecastAtTick(input, tick, cache);
    if (!f.usable) {
        const r = decide(input);
        return { ...r, reason: `reactive rules (no usable forecast: ${f.reason}): ${r.reason}` };
    }
    if (minute !== tick) return guard(input, `plan holds until ${hhmm((tick + PLANNING.tickMinutes) * MINUTE)}`);
    return plan(input, f);
}

/** The reactive scale-out at a higher water mark, never a scale-in (the plan's job). */
function guard(input: PlanningInput, context: string): Decision {
    const g = decide({
        ...input,
        settings: { ...input.settings, highWaterPercent: PLANNING.guardHighWaterPercent, scaleOutTargetPercent: PLANNING.guardTargetPercent, lowWaterPercent: 0 },
    });
    if (g.action === "scale-out") return { ...g, reason: `guard (${context}): ${g.reason}` };
    return { action: "none", reason: `${context}; guard: ${g.reason}`, callsInLast24h: g.callsInLast24h };
}

function plan(input: PlanningInput, f: Extract<Forecast, { usable: true }>): Decision {
    const { stream, settings: s, now, history } = input;
    const c = stream.openShards;
    const used = callsInWindow(history, now).length;
    const budget = `${used} of ${UPDATE_SHARD_COUNT.callsPer24h} calls used in the last 24 h`;
    const len = PLANNING.tickMinutes;
    const util = Math.min(PLANNING.maxUtilisationPercent, Math.max(PLANNING.minUtilisationPercent, (100 * Math.max(1, f.errorFactor)) / f.worstError)) / 100;
    // What is happening now bounds the first block from below: the forecast may be behind.
    const recent = input.longDemand;
    let recentPeak = 0;
    for (let i = Math.max(0, recent.length - len); i < recent.length; i++) recentPeak = Math.max(recentPeak, recent[i] as number);
    const need = Int32Array.from(f.blocks, (d, b) => Math.min(s.maxShards, Math.max(s.minShards, 1, Math.ceil((b === 0 ? Math.max(d, recentPeak) : d) / util - 1e-9))));
    const hi = Math.max(c, ...need);
    const reserve = Math.min(PLANNING.maxReserveCalls, PLANNING.reserveCalls + f.surprises);
    const calls = (b: number) => Math.max(0, UPDATE_SHARD_COUNT.callsPer24h - reserve - callsInWindow(history, now + b * len * MINUTE).length);
    const result = cheapestSchedule({
        lo: s.minShards,
        hi,
        need,
        lastNeed: need,
        minutes: new Int32Array(need.length).fill(len),
        changeCost: (_b, count) => len * count + PLANNING.callCostShardMinutes,
        maxChangesPerBlock: 1,
        start: c,
        callsAllowed: calls,
        withSchedule: true,
    });
    const peakBlock = need.indexOf(Math.max(...need));
    const basis = `${f.basis} forecast at ${x2(f.level)} the usual level${f.dayLevel > f.level ? ` (the last day's ${x2(f.dayLevel)} from ${FORECAST.levelHoldMinutes / 60} h on)` : ""}, error factor ${x2(f.errorFactor)} (worst miss ${x2(f.worstError)}: run at ${Math.round(util * 100)}%); the next 24 h reach their peak of ${need[peakBlock]} shards at ${hhmm(now + peakBlock * len * MINUTE)}`;
    if (!result.counts || !result.calls) return guard(input, `no plan carries the forecast with the calls left outside the reserve (${basis}; ${budget})`);
    const counts = result.counts;
    const changes: string[] = [];
    for (let b = 1; b < counts.length && changes.length < 4; b++) if (result.calls[b]) changes.push(`${counts[b]} at ${hhmm(now + b * len * MINUTE)}`);
    const planned = Array.from(result.calls).reduce((a, b) => a + b, 0);
    const summary = `${basis}; plan: ${planned} call(s) in the next 24 h${changes.length ? ` (then ${changes.join(", ")})` : ""}, ${reserve} kept in reserve (${f.surprises} burst(s) missed in the last day); ${budget}`;
    const target = counts[0] as number;
    const none = (why: string): Decision => ({ action: "none", reason: why, callsInLast24h: used });
    if (target === c) return none(`plan holds ${c} shards: ${summary}`);
    if (target < c) {
        // Scale-in waits while the stream refuses writes or consumers are behind, as the reactive rules do.
        const recentMinutes = input.minutes.slice(-len);
        const throttled = recentMinutes.reduce((n, m) => n + m.throttledRecords, 0);
        const age = recentMinutes.reduce((n, m) => Math.max(n, m.iteratorAgeMs), 0);
        if (throttled > 0) return none(`plan wants ${c} → ${target}, but ${Math.round(throttled)} records were throttled in the last ${len} min: ${summary}`);
        if (age >= s.maxIteratorAgeMsForScaleIn) return none(`plan wants ${c} → ${target}, but iterator age reached ${Math.round(age / 1000)} s: consumers are behind: ${summary}`);
    }
    const demand = recentPeak;
    return {
        action: target > c ? "scale-out" : "scale-in",
        from: c,
        target,
        reason: `plan: ${c} → ${target} for the coming ${len} min (${summary})`,
        callsInLast24h: used,
        utilisation: demand / c,
        demandShards: demand,
    };
}
