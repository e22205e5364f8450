// The policies the replay compares: ours (the Lambda's decision module), a +1/-1 step policy, the
// reference document's policy, and static provisioning (a policy that never calls).
import { decide, minuteDemand, type MinuteMetrics, SHARD_CAPACITY } from "../../functions/autoscaler/decision";
import { FORECAST, type Forecast } from "../../functions/autoscaler/forecast";
import { decidePlanning } from "../../functions/autoscaler/planning";
import type { ScalingCall } from "../../functions/autoscaler/history";
import type { AutoscalerSettings } from "../../contracts/autoscaler-settings";
import type { Policy, PolicyView } from "./model";

/** What the Lambda would read at this minute: the recent window, its call history, the stream's state. */
function lambdaView(v: PolicyView, settings: AutoscalerSettings) {
    const t0 = v.now - v.minute * 60_000;
    const history: ScalingCall[] = v.calls.map((c) => ({ at: t0 + c.minute * 60_000, direction: c.to > c.from ? "out" : "in" }));
    return {
        now: v.now,
        stream: { status: v.updating ? "UPDATING" : "ACTIVE", mode: "PROVISIONED", openShards: v.shards },
        minutes: v.observed.slice(Math.max(0, v.visible - settings.scaleInWindowMinutes), v.visible),
        history,
        settings,
    };
}

/** Our reactive autoscaler: the same `decide` the Lambda runs, on the metrics it could see, with its own call history. */
export function autoscalerPolicy(settings: AutoscalerSettings): Policy {
    return {
        decide(v: PolicyView) {
            const d = decide(lambdaView(v, settings));
            return d.action === "none" ? undefined : d.target;
        },
    };
}

/**
 * Our planning autoscaler: the same `decidePlanning` the Lambda runs, on up to 14 days of the metrics
 * it could see. The demand series grows as minutes are published and each quarter hour's forecast is
 * kept for its quarter: the answers are the function's own, computed once.
 */
export function planningPolicy(settings: AutoscalerSettings): Policy {
    const demand: number[] = [];
    const cache = new Map<number, Forecast>();
    return {
        decide(v: PolicyView) {
            while (demand.length < v.visible) demand.push(minuteDemand(v.observed[demand.length] as MinuteMetrics).shards);
            const from = Math.max(0, v.visible - FORECAST.historyMinutes);
            const d = decidePlanning({ ...lambdaView(v, settings), longDemand: from === 0 ? demand : demand.slice(from) }, cache);
            return d.action === "none" ? undefined : d.target;
        },
    };
}

/** Write utilisation of a minute as CloudWatch shows it (accepted traffic only), for `shards`. */
function observedUtilisation(m: MinuteMetrics, shards: number): { bytes: number; records: number } {
    return {
        bytes: m.incomingBytes / 60 / SHARD_CAPACITY.writeBytesPerSecond / shards,
        records: m.incomingRecords / 60 / SHARD_CAPACITY.writeRecordsPerSecond / shards,
    };
}

/**
 * The +1/-1 step policy of the AWS Application Auto Scaling sample for Kinesis
 * (aws-samples/aws-application-auto-scaling-kinesis): a scale-out alarm on one 60 s datapoint, a
 * scale-in alarm on three 300 s datapoints, ChangeInCapacity +1 / -1, 600 s cool-down. The sample's
 * thresholds are demo constants (IncomingRecords Sum > 1,000 per minute out, < 700 per 5 minutes in);
 * here they are per-shard utilisation: out above 80 %, in below 40 %. It knows nothing of the
 * 10-calls-per-24-h limit (AWS refuses the extra calls), and waits while the stream is UPDATING.
 */
export const STEP_POLICY = Object.freeze({ scaleOutAbovePercent: 80, scaleInBelowPercent: 40, scaleInPeriods: 3, periodMinutes: 5, cooldownMinutes: 10 });

export function stepPolicy(minShards: number, maxShards: number): Policy {
    let lastAttempt = -Infinity;
    const p = STEP_POLICY;
    return {
        decide(v: PolicyView) {
            if (v.updating || v.visible === 0 || v.minute - lastAttempt < p.cooldownMinutes) return undefined;
            const latest = observedUtilisation(v.observed[v.visible - 1] as MinuteMetrics, v.shards);
            let target: number | undefined;
            if (Math.max(latest.bytes, latest.records) * 100 > p.scaleOutAbovePercent && v.shards < maxShards) target = v.shards + 1;
            else if (v.visible >= p.scaleInPeriods * p.periodMinutes && v.shards > minShards) {
                // Every one of the last three 5-minute averages below the threshold.
                let allLow = true;
                for (let k = 0; k < p.scaleInPeriods && allLow; k++) {
                    let sumB = 0;
                    let sumR = 0;
                    for (let i = v.visible - (k + 1) * p.periodMinutes; i < v.visible - k * p.periodMinutes; i++) {
                        const u = observedUtilisation(v.observed[i] as MinuteMetrics, v.shards);
                        sumB += u.bytes;
                        sumR += u.records;
                    }
                    allLow = (Math.max(sumB, sumR) / p.periodMinutes) * 100 < p.scaleInBelowPercent;
                }
                if (allLow) target = v.shards - 1;
            }
            if (target !== undefined) lastAttempt = v.minute;
            return target;
        },
    };
}

/**
 * The reference document's KinesisShardManager, as intended: every 5 minutes, the last hour's average
 * IncomingRecords and IncomingBytes per shard; above 80 % of 1,000 records/s or 1 MiB/s, +50 %
 * (`int(n * 1.5)`, at least +1 so one shard can grow); never scales in; no check of the stream status
 * or of the 24 h call limit (AWS refuses those calls).
 */
export const REFERENCE_POLICY = Object.freeze({ everyMinutes: 5, windowMinutes: 60, thresholdPercent: 80, factor: 1.5 });

export function referencePolicy(): Policy {
    const p = REFERENCE_POLICY;
    return {
        decide(v: PolicyView) {
            if (v.minute % p.everyMinutes !== 0 || v.visible === 0) return undefined;
            const from = Math.max(0, v.visible - p.windowMinutes);
            let sumB = 0;
            let sumR = 0;
            for (let i = from; i < v.visible; i++) {
                const u = observedUtilisation(v.observed[i] as MinuteMetrics, v.shards);
                sumB += u.bytes;
                sumR += u.records;
            }
            const count = v.visible - from;
            if ((sumR / count) * 100 > p.thresholdPercent || (sumB / count) * 100 > p.thresholdPercent) return Math.max(v.shards + 1, Math.floor(v.shards * p.factor));
            return undefined;
        },
    };
}

/** Static provisioning: never calls UpdateShardCount. */
export const staticPolicy = (): Policy => ({ decide: () => undefined });
