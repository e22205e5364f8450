// Autoscaler simulation: the built-in 7-day synthetic trace replayed minute by minute through the
// same model and policies as `npm run autoscaler:replay`, each figure against the oracle (the fewest
// shards each minute that throttle nothing). Run alone with `npx tsx bench/autoscaler.ts [chart.svg]`.
import * as fs from "node:fs";
import { PRICES } from "../infra/lib/cost";
import { replayChartSvg } from "../tools/autoscaler/chart";
import { type PolicyKey, replayAll, type ReplayResult } from "../tools/autoscaler/replay";
import { REFERENCE_POLICY, STEP_POLICY } from "../tools/autoscaler/policies";
import { AUTOSCALER_DEFAULTS } from "../functions/autoscaler/settings";
import { syntheticWeek } from "./traces";
import { figure, type BenchFigure, type BenchSection } from "./types";

const SEED = 7;
const LABELS: Record<PolicyKey, string> = {
    autoscaler: "our autoscaler (planning)",
    reactive: "our reactive autoscaler",
    step: "+1/-1 step policy",
    reference: "reference policy",
    staticPeak: "static at peak",
};

/** The replay of the built-in week with the default settings. */
export function autoscalerReplay(): ReplayResult {
    return replayAll(syntheticWeek({ seed: SEED }), { settings: { ...AUTOSCALER_DEFAULTS } });
}

const r2 = (x: number) => Math.round(x * 100) / 100;

export async function autoscalerBench(): Promise<BenchSection> {
    const r = autoscalerReplay();
    const o = r.oracle;
    const figures: BenchFigure[] = [];
    for (const key of ["autoscaler", "reactive", "step", "reference", "staticPeak"] as const) {
        const run = r.policies[key];
        const label = LABELS[key];
        figures.push(figure(`${label}: shard-hours`, "shard-hours", r2(run.shardHours), "oracle", r2(o.shardHours)));
        figures.push(figure(`${label}: cost`, "USD/week", r2(run.costUsd), "oracle", r2(o.costUsd)));
        if (key === "staticPeak") continue;
        figures.push(figure(`${label}: throttled minutes`, "minutes", run.throttledMinutes, "minutes in the trace (oracle: 0)", r.trace.minutes));
        figures.push(figure(`${label}: records throttled`, "records", Math.round(run.throttledRecords), "records offered (oracle: 0)", Math.round(r.trace.records)));
        figures.push(figure(`${label}: UpdateShardCount calls`, "calls", run.calls.length, "oracle's shard-count changes (no API limit)", o.changes));
        figures.push(figure(`${label}: most calls in any rolling 24 h`, "calls", run.maxCallsIn24h, "AWS limit", 10));
    }
    figures.push(figure("on-demand: cost", "USD/week", r2(r.policies.onDemand.costUsd), "oracle", r2(o.costUsd)));

    const s = r.settings;
    const events = syntheticWeek({ seed: SEED }).events;
    const spikes = events.filter((e) => e.kind === "spike").map((e) => e.minutes);
    return {
        key: "autoscaler",
        title: "Autoscaler simulation: a synthetic week through each scaling policy, against the oracle",
        method:
            `The built-in trace (bench/traces.ts, seed ${SEED}): 7 days, one point per minute, ${r.trace.minutes.toLocaleString("en")} minutes; ` +
            `diurnal cycle (trough 04:00, peak 16:00 UTC, peak ${Math.round(r.trace.peakDemandShards)} shard-equivalents with spikes), weekday/weekend pattern, ` +
            `15 % growth over the week, two slow ramps (x1.8 over 5 h, x1.6 over 6 h), ${spikes.length} sudden 5x spikes of ${spikes.join(", ")} minutes, ` +
            `record size drifting 700-1,300 B so the binding limit switches between records/s and bytes/s, one shared consumer, and a 2-hour night ` +
            `when the consumer falls 30 min behind. The model (tools/autoscaler/model.ts): capacity = shards x (1 MiB/s, 1,000 records/s written; ` +
            `2 MiB/s read), demand above it refused; UpdateShardCount refused while UPDATING, beyond 10 calls per rolling 24 h, below half or above double; ` +
            `a resharding takes ${r.reshardingDelayMinutes} min during which the old count serves; metrics reach a policy ${r.metricsLagMinutes} min after the minute ends. ` +
            `Policies, all starting at ${r.startShards} shards: our autoscaler (the Lambda's decide() with the default settings: scale out at ${s.highWaterPercent} % ` +
            `to ${s.scaleOutTargetPercent} %, scale in below ${s.lowWaterPercent} % for ${s.scaleInWindowMinutes} min to ${s.scaleInTargetPercent} %, ` +
            `scale-out reserve ${s.scaleOutReserveCalls}); the +1/-1 step policy of the AWS Application Auto Scaling sample (out above ` +
            `${STEP_POLICY.scaleOutAbovePercent} % for one minute, in below ${STEP_POLICY.scaleInBelowPercent} % for three 5-minute periods, ` +
            `${STEP_POLICY.cooldownMinutes} min cool-down); the reference document's policy (every ${REFERENCE_POLICY.everyMinutes} min, hour average above ` +
            `${REFERENCE_POLICY.thresholdPercent} %: +50 %, never in); static provisioning at the week's peak; on-demand priced on the same traffic. ` +
            `The oracle is the fewest shards each minute that throttle nothing, ignoring API limits. Prices from infra/lib/prices.json (${PRICES.region}, ` +
            `as of ${PRICES.asOf}): $${PRICES.provisioned.perShardHour}/shard-hour; on-demand $${PRICES.onDemand.perStreamHour}/stream-hour + ` +
            `$${PRICES.onDemand.perGbWritten}/GB written (1 KB rounding per record); PUT payload units, the same for every provisioned policy, are left out. ` +
            `Deterministic: the same figures on every machine (the replay takes well under a second).`,
        figures,
    };
}

if (require.main === module) {
    autoscalerBench().then(
        (section) => {
            console.log(JSON.stringify(section, null, 2));
            const chart = process.argv[2];
            if (chart) fs.writeFileSync(chart, replayChartSvg(autoscalerReplay(), "Autoscaler simulation: the built-in synthetic week"));
        },
        (err: unknown) => {
            console.error(err);
            process.exitCode = 1;
        },
    );
}
