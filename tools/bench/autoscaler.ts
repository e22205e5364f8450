// Autoscaler simulation: the built-in 7-day synthetic trace replayed minute by minute through the
// same model and policies as `npm run autoscaler:replay`, each figure against the oracle (the fewest
// shards each minute that throttle nothing). Run alone with `npx tsx tools/bench/autoscaler.ts [chart.svg]`.
import * as fs from "node:fs";
import { PRICES } from "../../infra/lib/cost";
import { replayChartSvg } from "../autoscaler/chart";
import type { Trace } from "../autoscaler/model";
import { type PolicyKey, replayAll, type ReplayOptions, type ReplayResult } from "../autoscaler/replay";
import { REFERENCE_POLICY, STEP_POLICY } from "../autoscaler/policies";
import { MIN_HISTORY_MINUTES } from "../../functions/autoscaler/forecast";
import { AUTOSCALER_DEFAULTS } from "../../contracts/autoscaler-settings";
import { PLANNING } from "../../functions/autoscaler/planning";
import { median } from "./aggregate";
import { syntheticWeek, TRACE_FAMILIES, type TraceFamily, traceFamily } from "./traces";
import { figure, type BenchFigure, type BenchSection } from "./types";

const SEED = 7;
const ADV = PRICES.onDemandAdvantage;
const LABELS: Record<PolicyKey, string> = {
    autoscaler: "our autoscaler (planning)",
    reactive: "our reactive autoscaler",
    step: "+1/-1 step policy",
    reference: "reference policy",
    staticPeak: "static at peak",
};

/** What the bench replays: the built-in week with the default settings (no history before it: planning starts on the reactive rules). */
export function autoscalerReplayInput(): [Trace, ReplayOptions] {
    return [syntheticWeek({ seed: SEED }), { settings: { ...AUTOSCALER_DEFAULTS } }];
}

/** The replay of the built-in week with the default settings. */
export function autoscalerReplay(): ReplayResult {
    return replayAll(...autoscalerReplayInput());
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Seeds of each trace family; figures are medians over them. */
export const FAMILY_SEEDS = [1, 2, 3];
/** Days of each family trace the policies read as history before the replayed week. */
export const HISTORY_DAYS = 9;

export interface FamilyRow {
    family: TraceFamily;
    /** Medians over the seeds. */
    limitVsOracle: number;
    planning: { vsOracle: number; vsLimit: number; throttledMinutes: number; maxCallsIn24h: number };
    reactive: { vsOracle: number; vsLimit: number; throttledMinutes: number; maxCallsIn24h: number };
    /** Planning's shard-hours over reactive's (median of per-seed ratios). */
    planningVsReactive: number;
    minutes: number;
}

/** Each family, each seed: the last 7 days replayed after HISTORY_DAYS of history, with the default settings. */
export function familyRows(families: readonly TraceFamily[] = TRACE_FAMILIES): FamilyRow[] {
    return families.map((family) => {
        const runs = FAMILY_SEEDS.map((seed) =>
            replayAll(traceFamily(family, seed, HISTORY_DAYS + 7), { settings: { ...AUTOSCALER_DEFAULTS }, historyMinutes: HISTORY_DAYS * 1_440 }),
        );
        const side = (k: "autoscaler" | "reactive") => ({
            vsOracle: r3(median(runs.map((r) => r.policies[k].shardHours / r.oracle.shardHours))),
            vsLimit: r3(median(runs.map((r) => r.policies[k].shardHours / r.limit.shardHours))),
            throttledMinutes: median(runs.map((r) => r.policies[k].throttledMinutes)),
            maxCallsIn24h: Math.max(...runs.map((r) => r.policies[k].maxCallsIn24h)),
        });
        return {
            family,
            limitVsOracle: r3(median(runs.map((r) => r.limit.shardHours / r.oracle.shardHours))),
            planning: side("autoscaler"),
            reactive: side("reactive"),
            planningVsReactive: r3(median(runs.map((r) => r.policies.autoscaler.shardHours / r.policies.reactive.shardHours))),
            minutes: runs[0]?.trace.minutes ?? 0,
        };
    });
}

export async function autoscalerBench(): Promise<BenchSection> {
    const r = autoscalerReplay();
    const o = r.oracle;
    const figures: BenchFigure[] = [figure("limit: shard-hours", "shard-hours", r2(r.limit.shardHours), "oracle", r2(o.shardHours))];
    for (const key of ["autoscaler", "reactive", "step", "reference", "staticPeak"] as const) {
        const run = r.policies[key];
        const label = LABELS[key];
        figures.push(figure(`${label}: shard-hours`, "shard-hours", r2(run.shardHours), "oracle", r2(o.shardHours)));
        figures.push(figure(`${label}: shard-hours against the limit`, "shard-hours", r2(run.shardHours), "limit", r2(r.limit.shardHours)));
        figures.push(figure(`${label}: cost`, "USD/week", r2(run.costUsd), "oracle", r2(o.costUsd)));
        if (key === "staticPeak") continue;
        figures.push(figure(`${label}: throttled minutes`, "minutes", run.throttledMinutes, "minutes in the trace (oracle: 0)", r.trace.minutes));
        figures.push(figure(`${label}: records throttled`, "records", Math.round(run.throttledRecords), "records offered (oracle: 0)", Math.round(r.trace.records)));
        figures.push(figure(`${label}: UpdateShardCount calls`, "calls", run.calls.length, "oracle's shard-count changes (no API limit)", o.changes));
        figures.push(figure(`${label}: most calls in any rolling 24 h`, "calls", run.maxCallsIn24h, "AWS limit", 10));
    }
    figures.push(figure("on-demand: cost", "USD/week", r2(r.policies.onDemand.costUsd), "oracle", r2(o.costUsd)));
    const adv = r.policies.onDemandAdvantage;
    figures.push(figure("On-demand Advantage: cost (the account's minimum included)", "USD/week", r2(adv.costUsd), "on-demand standard", r2(r.policies.onDemand.costUsd)));
    figures.push(
        figure("On-demand Advantage: cost when the account already meets its minimum", "USD/week", r2(adv.usageUsd), "on-demand standard", r2(r.policies.onDemand.costUsd)),
    );
    for (const row of familyRows()) {
        figures.push(figure(`${row.family}: planning shard-hours`, "x oracle", row.planning.vsOracle, "limit (x oracle)", row.limitVsOracle));
        figures.push(figure(`${row.family}: planning against reactive`, "shard-hours ratio", row.planningVsReactive, "reactive", 1));
        figures.push(figure(`${row.family}: planning throttled minutes`, "minutes", row.planning.throttledMinutes, "reactive", row.reactive.throttledMinutes));
        figures.push(figure(`${row.family}: planning most calls in any 24 h`, "calls", row.planning.maxCallsIn24h, "AWS limit", 10));
    }

    const s = r.settings;
    const events = syntheticWeek({ seed: SEED }).events;
    const spikes = events.filter((e) => e.kind === "spike").map((e) => e.minutes);
    return {
        key: "autoscaler",
        title: "Autoscaler simulation: each scaling policy against the oracle and the limit, on the synthetic week and seven trace families",
        method:
            `The built-in trace (tools/bench/traces.ts, seed ${SEED}): 7 days, one point per minute, ${r.trace.minutes.toLocaleString("en")} minutes; ` +
            `diurnal cycle (trough 04:00, peak 16:00 UTC, peak ${Math.round(r.trace.peakDemandShards)} shard-equivalents with spikes), weekday/weekend pattern, ` +
            `15 % growth over the week, two slow ramps (x1.8 over 5 h, x1.6 over 6 h), ${spikes.length} sudden 5x spikes of ${spikes.join(", ")} minutes, ` +
            `record size drifting 700-1,300 B so the binding limit switches between records/s and bytes/s, one shared consumer, and a 2-hour night ` +
            `when the consumer falls 30 min behind. The model (tools/autoscaler/model.ts): capacity = shards x (1 MiB/s, 1,000 records/s written; ` +
            `2 MiB/s read), demand above it refused; UpdateShardCount refused while UPDATING, beyond 10 calls per rolling 24 h, below half or above double; ` +
            `a resharding takes ${r.reshardingDelayMinutes} min during which the old count serves; metrics reach a policy ${r.metricsLagMinutes} min after the minute ends. ` +
            `Policies, all starting at ${r.startShards} shards: our planning autoscaler (the Lambda's decidePlanning(): each quarter hour a forecast of the ` +
            `coming day from the stream's history and a plan of the calls at ${PLANNING.minUtilisationPercent}-${PLANNING.maxUtilisationPercent} % by the forecast's confidence, a guard between plans at ${PLANNING.guardHighWaterPercent} %; ` +
            `the reactive rules without ${Math.round(MIN_HISTORY_MINUTES / 60)} h of history or with bursts); ` +
            `our reactive autoscaler (the Lambda's decide() with the default settings: scale out at ${s.highWaterPercent} % ` +
            `to ${s.scaleOutTargetPercent} %, scale in below ${s.lowWaterPercent} % for ${s.scaleInWindowMinutes} min to ${s.scaleInTargetPercent} %, ` +
            `scale-out reserve ${s.scaleOutReserveCalls}); the +1/-1 step policy of the AWS Application Auto Scaling sample (out above ` +
            `${STEP_POLICY.scaleOutAbovePercent} % for one minute, in below ${STEP_POLICY.scaleInBelowPercent} % for three 5-minute periods, ` +
            `${STEP_POLICY.cooldownMinutes} min cool-down); the reference document's policy (every ${REFERENCE_POLICY.everyMinutes} min, hour average above ` +
            `${REFERENCE_POLICY.thresholdPercent} %: +50 %, never in); static provisioning at the week's peak; on-demand standard and On-demand Advantage priced on the same traffic. ` +
            `The oracle is the fewest shards each minute that throttle nothing, ignoring API limits; the limit (tools/autoscaler/limit.ts) the fewest shard-hours ` +
            `of any schedule that throttles nothing with at most 10 calls per 24 h, half to double each, knowing the demand (a lower bound, ${r.limit.blockMinutes}-minute blocks here). ` +
            `Prices from contracts/prices.json (${PRICES.region}, as of ${PRICES.asOf}): $${PRICES.provisioned.perShardHour}/shard-hour + ` +
            `$${PRICES.provisioned.perMillionPutPayloadUnits} per million PUT payload units (25 KB, rounded up per record at each minute's average size); ` +
            `on-demand $${PRICES.onDemand.perStreamHour}/stream-hour + $${PRICES.onDemand.perGbWritten}/GB written (1 KB rounding per record) + $${PRICES.onDemand.perGbRead}/GB read; ` +
            `On-demand Advantage (${ADV.asOf}) $${ADV.perGbWritten}/GB written + $${ADV.perGbRead}/GB read, no stream-hours, each hour at least the account's minimum of ` +
            `${ADV.commitment.minimumWriteMibps} MiB/s written and ${ADV.commitment.minimumReadMibps} MiB/s read (as if this stream were the account's only on-demand traffic; also shown without it). ` +
            `Trace families (tools/bench/traces.ts traceFamily: ${TRACE_FAMILIES.join(", ")}), seeds ${FAMILY_SEEDS.join(", ")}: ${HISTORY_DAYS} days the policies read as ` +
            `CloudWatch history, then 7 days replayed; family figures are medians over the seeds (shard-hours as a ratio to the oracle, to the limit and to the reactive policy). ` +
            `Deterministic: the same figures on every machine.`,
        figures,
    };
}

if (require.main === module) {
    autoscalerBench().then(
        (section) => {
            console.log(JSON.stringify(section, null, 2));
            const chart = process.argv[2];
            if (chart) fs.writeFileSync(chart, replayChartSvg(autoscalerReplay(), "Autoscaler simulation: the built-in synthetic week"));
            if (process.argv[3]) {
                const [family, seed] = process.argv[3].split(":") as [TraceFamily, string];
                const r = replayAll(traceFamily(family, Number(seed ?? 1), HISTORY_DAYS + 7), { settings: { ...AUTOSCALER_DEFAULTS }, historyMinutes: HISTORY_DAYS * 1_440 });
                fs.writeFileSync(`${family}-${seed ?? 1}.svg`, replayChartSvg(r, `Autoscaler simulation: ${r.trace.name}, last 7 days`));
            }
        },
        (err: unknown) => {
            console.error(err);
            process.exitCode = 1;
        },
    );
}
