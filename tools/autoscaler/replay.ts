// Replays one trace through every policy on the same model, plus the oracle and both on-demand modes' pricing.
import { shardsToCarry } from "../../functions/autoscaler/decision";
import type { AutoscalerSettings } from "../../contracts/autoscaler-settings";
import { type LimitRun, runLimit } from "./limit";
import { type CapacityMode, cheapest } from "../../infra/lib/cost";
import {
    type AdvantageRun,
    demandShards,
    onDemandAdvantageCost,
    onDemandCost,
    type OnDemandRun,
    type OracleRun,
    type PolicyRun,
    provisionedCost,
    runOracle,
    runPolicy,
    type Trace,
    tracePutPayloadUnits,
} from "./model";
import { autoscalerPolicy, planningPolicy, referencePolicy, staticPolicy, stepPolicy } from "./policies";

export interface ReplayOptions {
    settings: AutoscalerSettings;
    /** Shards at the start of the trace. @default defaultStartShards(trace, settings) */
    startShards?: number;
    /** @default 2 */
    reshardingDelayMinutes?: number;
    /** @default 1 */
    metricsLagMinutes?: number;
    /** The trace's first minutes are history the policies can read, not replayed (see ModelOptions.history). @default 0 */
    historyMinutes?: number;
}

/** `autoscaler` is the default policy (planning); `reactive` the one it replaced, still selectable. */
export const POLICY_KEYS = ["autoscaler", "reactive", "step", "reference", "staticPeak"] as const;
export type PolicyKey = (typeof POLICY_KEYS)[number];

export interface ReplayResult {
    trace: { name: string; minutes: number; start: number; end: number; peakDemandShards: number; records: number; bytes: number };
    startShards: number;
    reshardingDelayMinutes: number;
    metricsLagMinutes: number;
    settings: AutoscalerSettings;
    /** Shard-equivalents each minute needs (fractional). */
    demand: Float64Array;
    oracle: OracleRun;
    /** The best any policy reaches with perfect foresight under the API limits (limit.ts). */
    limit: LimitRun & { costUsd: number };
    policies: Record<PolicyKey, PolicyRun> & { onDemand: OnDemandRun; onDemandAdvantage: AdvantageRun };
    /**
     * The cheapest mode for the trace: provisioned with our autoscaler (its throttled minutes count for
     * nothing here), on-demand standard, or On-demand Advantage (with the commitment's whole shortfall,
     * as if the stream were the account's only on-demand traffic; it needs the account's commitment).
     */
    recommendation: { mode: CapacityMode; costUsd: number };
}

/** Enough shards for the trace's first hour at the scale-out target, within [min, max]. */
export function defaultStartShards(trace: Trace, s: AutoscalerSettings): number {
    const firstHour = trace.minutes.slice(0, 60).reduce((n, d) => Math.max(n, demandShards(d)), 0);
    return Math.min(s.maxShards, Math.max(s.minShards, shardsToCarry(firstHour, s.scaleOutTargetPercent / 100), 1));
}

export function replayAll(full: Trace, options: ReplayOptions): ReplayResult {
    const h = options.historyMinutes ?? 0;
    const history = full.minutes.slice(0, h);
    const trace = { name: full.name, minutes: full.minutes.slice(h) };
    if (trace.minutes.length === 0) throw new Error("the trace has no minutes after its history");
    const s = options.settings;
    const startShards = options.startShards ?? defaultStartShards(trace, s);
    const delay = options.reshardingDelayMinutes ?? 2;
    const lag = options.metricsLagMinutes ?? 1;
    const model = { startShards, reshardingDelayMinutes: delay, metricsLagMinutes: lag, history };
    const oracle = runOracle(trace);
    const limit = runLimit(oracle.shards, { reshardingDelayMinutes: delay });
    const peak = oracle.shards.reduce((n, x) => Math.max(n, x), 1);
    const demand = Float64Array.from(trace.minutes, demandShards);
    const first = trace.minutes[0]!;
    const last = trace.minutes[trace.minutes.length - 1]!;
    const result = {
        trace: {
            name: trace.name,
            minutes: trace.minutes.length,
            start: first.start,
            end: last.start + 60_000,
            peakDemandShards: demand.reduce((n, x) => Math.max(n, x), 0),
            records: trace.minutes.reduce((n, d) => n + d.records, 0),
            bytes: trace.minutes.reduce((n, d) => n + d.bytes, 0),
        },
        startShards,
        reshardingDelayMinutes: delay,
        metricsLagMinutes: lag,
        settings: s,
        demand,
        oracle,
        limit: { ...limit, costUsd: provisionedCost(limit.shardHours, tracePutPayloadUnits(trace)) },
        policies: {
            autoscaler: runPolicy(trace, planningPolicy(s), model),
            reactive: runPolicy(trace, autoscalerPolicy(s), model),
            step: runPolicy(trace, stepPolicy(s.minShards, s.maxShards), model),
            reference: runPolicy(trace, referencePolicy(), model),
            staticPeak: runPolicy(trace, staticPolicy(), { ...model, startShards: peak }),
            onDemand: onDemandCost(trace),
            onDemandAdvantage: onDemandAdvantageCost(trace),
        },
    };
    const best = cheapest<{ mode: CapacityMode; usd: number }>([
        { mode: "PROVISIONED", usd: result.policies.autoscaler.costUsd },
        { mode: "ON_DEMAND", usd: result.policies.onDemand.costUsd },
        { mode: "ON_DEMAND_ADVANTAGE", usd: result.policies.onDemandAdvantage.costUsd },
    ]);
    return { ...result, recommendation: { mode: best.mode, costUsd: best.usd } };
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;
const r4 = (x: number) => Math.round(x * 10_000) / 10_000;

export interface ReplaySummary {
    oracle: { shardHours: number; costUsd: number };
    limit: { shardHours: number; costUsd: number };
    policies: Record<PolicyKey, { shardHours: number; throttledMinutes: number; scalingCalls: number; maxCallsIn24h: number; costUsd: number }> & {
        onDemand: { costUsd: number };
        onDemandAdvantage: { costUsd: number; usageUsd: number; shortfallUsd: number };
    };
    recommendation: { mode: CapacityMode; costUsd: number };
}

/** The `--json` object: exactly the fields the command documents. */
export function summarise(r: ReplayResult): ReplaySummary {
    const p = (run: PolicyRun) => ({
        shardHours: r3(run.shardHours),
        throttledMinutes: run.throttledMinutes,
        scalingCalls: run.calls.length,
        maxCallsIn24h: run.maxCallsIn24h,
        costUsd: r4(run.costUsd),
    });
    return {
        oracle: { shardHours: r3(r.oracle.shardHours), costUsd: r4(r.oracle.costUsd) },
        limit: { shardHours: r3(r.limit.shardHours), costUsd: r4(r.limit.costUsd) },
        policies: {
            autoscaler: p(r.policies.autoscaler),
            reactive: p(r.policies.reactive),
            step: p(r.policies.step),
            reference: p(r.policies.reference),
            staticPeak: p(r.policies.staticPeak),
            onDemand: { costUsd: r4(r.policies.onDemand.costUsd) },
            onDemandAdvantage: {
                costUsd: r4(r.policies.onDemandAdvantage.costUsd),
                usageUsd: r4(r.policies.onDemandAdvantage.usageUsd),
                shortfallUsd: r4(r.policies.onDemandAdvantage.shortfallUsd),
            },
        },
        recommendation: { mode: r.recommendation.mode, costUsd: r4(r.recommendation.costUsd) },
    };
}
