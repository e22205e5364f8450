// The stream metrics the autoscaler reads: one GetMetricData request (period 60, per-minute Sum or
// Maximum) for the decision window, and its answer turned into one MinuteMetrics per minute.
import type { GetMetricDataCommandInput, MetricDataResult } from "@aws-sdk/client-cloudwatch";
import type { MinuteMetrics } from "./decision";

type Field = Exclude<keyof MinuteMetrics, "start">;

/** Query Id, metric name (namespace AWS/Kinesis, dimension StreamName), statistic, and the field it fills. */
export const STREAM_METRICS: readonly { id: string; metricName: string; stat: "Sum" | "Maximum"; field: Field }[] = [
    { id: "incomingBytes", metricName: "IncomingBytes", stat: "Sum", field: "incomingBytes" },
    { id: "incomingRecords", metricName: "IncomingRecords", stat: "Sum", field: "incomingRecords" },
    { id: "writeThrottled", metricName: "WriteProvisionedThroughputExceeded", stat: "Sum", field: "throttledRecords" },
    { id: "readBytes", metricName: "GetRecords.Bytes", stat: "Sum", field: "readBytes" },
    { id: "iteratorAge", metricName: "GetRecords.IteratorAgeMilliseconds", stat: "Maximum", field: "iteratorAgeMs" },
];

export interface MetricWindow {
    /** Start of the oldest minute, epoch ms. */
    start: number;
    /** End of the newest minute (exclusive), epoch ms: the current minute, still filling, is left out. */
    end: number;
    minutes: number;
}

/** The last `minutes` whole minutes before `now`. */
export function metricWindow(now: number, minutes: number): MetricWindow {
    const end = Math.floor(now / 60_000) * 60_000;
    return { start: end - minutes * 60_000, end, minutes };
}

/** GetMetricData returns at most this many datapoints per request (more come in pages). */
export const MAX_DATAPOINTS_PER_REQUEST = 100_800;

/**
 * The window cut into consecutive parts of at most MAX_DATAPOINTS_PER_REQUEST datapoints each (one
 * per minute per metric), one request each: 14 days of the five metrics is exactly one.
 */
export function requestWindows(w: MetricWindow): MetricWindow[] {
    const perRequest = Math.floor(MAX_DATAPOINTS_PER_REQUEST / STREAM_METRICS.length);
    const parts: MetricWindow[] = [];
    for (let start = w.start; start < w.end; start += perRequest * 60_000) {
        const minutes = Math.min(perRequest, (w.end - start) / 60_000);
        parts.push({ start, end: start + minutes * 60_000, minutes });
    }
    return parts;
}

export function metricDataRequest(streamName: string, w: MetricWindow, nextToken?: string): GetMetricDataCommandInput {
    return {
        StartTime: new Date(w.start),
        EndTime: new Date(w.end),
        ScanBy: "TimestampAscending",
        MaxDatapoints: MAX_DATAPOINTS_PER_REQUEST,
        ...(nextToken !== undefined ? { NextToken: nextToken } : {}),
        MetricDataQueries: STREAM_METRICS.map((m) => ({
            Id: m.id,
            Label: m.metricName,
            ReturnData: true,
            MetricStat: {
                Metric: { Namespace: "AWS/Kinesis", MetricName: m.metricName, Dimensions: [{ Name: "StreamName", Value: streamName }] },
                Period: 60,
                Stat: m.stat,
            },
        })),
    };
}

/**
 * Kinesis publishes a minute's datapoints about a minute after it ends: the newest minutes of the
 * window may have none yet. Up to this many trailing minutes without any datapoint are taken as not
 * published (left out) rather than as a minute without traffic; the query asks for this many more.
 */
export const UNPUBLISHED_MINUTES = 2;

export interface ParsedMetrics {
    /**
     * One entry per minute of the window, oldest first, without the trailing minutes not published
     * yet. Older minutes without a datapoint count as 0 (Kinesis publishes none for an idle minute).
     */
    minutes: MinuteMetrics[];
    /** Trailing minutes left out as not yet published. */
    unpublished: number;
    /** Minutes with no IncomingRecords datapoint (Kinesis publishes none for a minute without writes). */
    minutesWithoutData: number;
    /** Datapoints outside the window or off the minute, and unknown Ids: logged, not used. */
    ignored: string[];
}

/** Turns GetMetricData results (all pages) into per-minute metrics for the window. */
export function parseMetricData(results: readonly MetricDataResult[], w: MetricWindow): ParsedMetrics {
    const minutes: MinuteMetrics[] = Array.from({ length: w.minutes }, (_, i) => ({
        start: w.start + i * 60_000,
        incomingBytes: 0,
        incomingRecords: 0,
        throttledRecords: 0,
        readBytes: 0,
        iteratorAgeMs: 0,
    }));
    const hasRecords = new Array<boolean>(w.minutes).fill(false);
    const hasAny = new Array<boolean>(w.minutes).fill(false);
    const ignored: string[] = [];
    for (const r of results) {
        const spec = STREAM_METRICS.find((m) => m.id === r.Id);
        if (spec === undefined) {
            ignored.push(`result with unknown Id ${String(r.Id)}`);
            continue;
        }
        const times = r.Timestamps ?? [];
        const values = r.Values ?? [];
        times.forEach((t, k) => {
            const ms = new Date(t).getTime();
            const i = (ms - w.start) / 60_000;
            const v = values[k];
            if (!Number.isInteger(i) || i < 0 || i >= w.minutes || typeof v !== "number" || !Number.isFinite(v)) {
                ignored.push(`${spec.metricName} datapoint ${new Date(ms).toISOString()} = ${String(v)}`);
                return;
            }
            const m = minutes[i] as MinuteMetrics;
            m[spec.field] = spec.stat === "Maximum" ? Math.max(m[spec.field], v) : m[spec.field] + v;
            if (spec.field === "incomingRecords") hasRecords[i] = true;
            hasAny[i] = true;
        });
    }
    let unpublished = 0;
    while (unpublished < Math.min(UNPUBLISHED_MINUTES, w.minutes) && !hasAny[w.minutes - 1 - unpublished]) unpublished++;
    const kept = w.minutes - unpublished;
    return { minutes: minutes.slice(0, kept), unpublished, minutesWithoutData: hasRecords.slice(0, kept).filter((x) => !x).length, ignored };
}
