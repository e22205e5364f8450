// The CloudWatch a local autoscaler invocation reads (npm run invoke -- autoscaler). There is no
// CloudWatch here, so GetMetricData answers with the stream metrics the event implies: the autoscaler
// decides from metrics, not from the event, and an empty answer (an idle stream) scales in whatever
// triggered it. A write-throttling alarm in ALARM fired because the stream refused writes: the stand-in
// shows the stream writing at its full capacity for the last minutes and, in the newest one, the
// records the alarm counted as throttled (the datapoint of its state reason). Any other event gets the
// idle stream.
import type { CloudWatchClient, GetMetricDataCommandInput, MetricDataResult } from "@aws-sdk/client-cloudwatch";
import { SHARD_CAPACITY } from "../../functions/autoscaler/decision";
import { parseTrigger } from "../../functions/autoscaler/events";
import { STREAM_METRICS } from "../../functions/autoscaler/metrics";

/** Minutes at full write capacity before a throttling alarm (the reactive rules look at the last 5). */
export const BUSY_MINUTES = 10;
/** Record size of the busy minutes: a shard's 1,000 records/s of 1 KiB stay just under its 1 MiB/s. */
const RECORD_BYTES = 1024;

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x);

/** What the stand-in shows, per minute of the busy stretch ending at the newest whole minute. */
export interface StandInMetrics {
    /** One line for the user: what the metrics are and why. */
    description: string;
    /** Records written per minute in the busy stretch (0: an idle stream). */
    recordsPerMinute: number;
    /** Records refused in the newest minute. */
    throttledLastMinute: number;
}

/** The throttled-records datapoint an alarm's state reason carries (`... [1520.0 (03/11/25 10:04:00)] ...`); 1 when none. */
function throttledFromReason(event: Obj): number {
    const alarm = isObj(event.alarmData) ? event.alarmData : isObj(event.detail) ? event.detail : {};
    const reason = isObj(alarm.state) && typeof alarm.state.reason === "string" ? alarm.state.reason : "";
    const value = Number(/\[([\d.]+) \(/.exec(reason)?.[1]);
    return Number.isFinite(value) && value >= 1 ? Math.round(value) : 1;
}

/** Whether the event is an alarm on WriteProvisionedThroughputExceeded (or, unnamed, the autoscaler's own alarm, which is that one). */
function isWriteThrottleAlarm(event: Obj): boolean {
    const alarm = isObj(event.alarmData) ? event.alarmData : isObj(event.detail) ? event.detail : {};
    const metrics = isObj(alarm.configuration) && Array.isArray(alarm.configuration.metrics) ? alarm.configuration.metrics : [];
    const names = metrics.map((m) => (isObj(m) && isObj(m.metricStat) && isObj(m.metricStat.metric) ? m.metricStat.metric.name : undefined));
    return names.length === 0 || names.includes("WriteProvisionedThroughputExceeded");
}

/** The metrics a local invocation on `event` sees for a stream of `shards` open shards. */
export function standInMetrics(event: unknown, shards: number): StandInMetrics {
    const trigger = parseTrigger(event);
    if (trigger.kind === "alarm" && trigger.state === "ALARM" && isObj(event) && isWriteThrottleAlarm(event)) {
        const recordsPerMinute = shards * SHARD_CAPACITY.writeRecordsPerSecond * 60;
        const throttledLastMinute = throttledFromReason(event);
        return {
            description: `CloudWatch stand-in showing what the alarm saw: the last ${BUSY_MINUTES} minutes at the ${shards} shards' full write capacity (${recordsPerMinute} records of ${RECORD_BYTES} B a minute) and ${throttledLastMinute} records throttled in the newest`,
            recordsPerMinute,
            throttledLastMinute,
        };
    }
    return { description: "CloudWatch stand-in with no datapoints (an idle stream)", recordsPerMinute: 0, throttledLastMinute: 0 };
}

/** A CloudWatch client answering GetMetricData (the only call the autoscaler makes) with `m`. */
export function standInCloudWatch(m: StandInMetrics): CloudWatchClient {
    const send = async (command: { input: GetMetricDataCommandInput }) => {
        const end = new Date(command.input.EndTime as Date).getTime();
        const start = new Date(command.input.StartTime as Date).getTime();
        const minutes: number[] = [];
        if (m.recordsPerMinute > 0) for (let t = Math.max(start, end - BUSY_MINUTES * 60_000); t < end; t += 60_000) minutes.push(t);
        const last = minutes.at(-1);
        const value: Record<string, (t: number) => number> = {
            incomingRecords: () => m.recordsPerMinute,
            incomingBytes: () => m.recordsPerMinute * RECORD_BYTES,
            writeThrottled: (t) => (t === last ? m.throttledLastMinute : 0),
        };
        const results: MetricDataResult[] = STREAM_METRICS.filter((s) => s.id in value).map((s) => ({
            Id: s.id,
            Label: s.metricName,
            StatusCode: "Complete",
            Timestamps: minutes.map((t) => new Date(t)),
            Values: minutes.map((t) => value[s.id]!(t)),
        }));
        return { MetricDataResults: results, $metadata: {} };
    };
    return { send } as unknown as CloudWatchClient;
}
