// The shard autoscaler: read the stream's state, its call history (a tag on the stream) and its
// metrics, decide (decision.ts), call UpdateShardCount, tell the alerts topic what it did and why,
// emit metrics. Invoked every minute by the schedule and at once by the scale-out alarm.
import type { Logger } from "@aws-lambda-powertools/logger";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { type CloudWatchClient, GetMetricDataCommand, type MetricDataResult } from "@aws-sdk/client-cloudwatch";
import {
    AddTagsToStreamCommand,
    DescribeStreamSummaryCommand,
    type KinesisClient,
    ListTagsForStreamCommand,
    RemoveTagsFromStreamCommand,
    UpdateShardCountCommand,
} from "@aws-sdk/client-kinesis";
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import type { AutoscalerConfig } from "../../contracts/env/autoscaler";
import { type Decision, decide, minuteDemand, type MinuteMetrics } from "./decision";
import { FORECAST } from "./forecast";
import { parseTrigger, type Trigger } from "./events";
import { HISTORY_TAG_KEY } from "../../contracts/tags";
import { callsInWindow, decodeHistory, encodeHistory, type ScalingCall } from "./history";
import { UPDATE_SHARD_COUNT } from "./limits";
import type { RunLock } from "./lock";
import { metricDataRequest, metricWindow, parseMetricData, requestWindows, UNPUBLISHED_MINUTES } from "./metrics";
import { decidePlanning } from "./planning";

export interface AutoscalerDeps {
    kinesis: KinesisClient;
    cloudwatch: CloudWatchClient;
    sns: SNSClient;
    config: AutoscalerConfig;
    logger: Pick<Logger, "info" | "warn" | "error">;
    metrics: Pick<Metrics, "addDimension" | "addMetric" | "publishStoredMetrics">;
    /** Keeps two runs apart when concurrency is not reserved (lock.ts); none: reserved concurrency 1 does. */
    lock?: RunLock;
    /** Epoch ms; injectable for tests. @default Date.now */
    now?: () => number;
}

export interface AutoscalerResult {
    trigger: string;
    streamName: string;
    /** What happened: no change, a call made, a call AWS refused, or (dry run) a call not made. */
    outcome: "no-change" | "scaled" | "refused" | "dry-run" | "locked";
    action: Decision["action"];
    from?: number;
    target?: number;
    reason: string;
    /** UpdateShardCount calls in the last 24 h, this one included. */
    callsInLast24h: number;
}

/** Errors that prove UpdateShardCount changed nothing and cannot have counted against the limit. */
const NOT_COUNTED = new Set(["InvalidArgumentException", "ValidationException", "AccessDeniedException", "ResourceNotFoundException"]);

export function createHandler(deps: AutoscalerDeps) {
    const { kinesis, cloudwatch, sns, config, logger, metrics, lock } = deps;
    const now = deps.now ?? Date.now;
    const stream = config.streamName;

    async function readHistory(): Promise<{ raw: string | undefined; calls: ScalingCall[] }> {
        let raw: string | undefined;
        let start: string | undefined;
        for (;;) {
            const page = await kinesis.send(new ListTagsForStreamCommand({ StreamName: stream, ...(start ? { ExclusiveStartTagKey: start } : {}) }));
            const tags = page.Tags ?? [];
            raw ??= tags.find((t) => t.Key === HISTORY_TAG_KEY)?.Value;
            if (!page.HasMoreTags || tags.length === 0) break;
            start = tags[tags.length - 1]?.Key;
        }
        const { calls, unreadable } = decodeHistory(raw);
        if (unreadable.length > 0) logger.warn("unreadable entries in the history tag, ignored", { tag: HISTORY_TAG_KEY, unreadable });
        return { raw, calls };
    }

    async function readMetrics(minutes: number, at: number): Promise<MinuteMetrics[]> {
        const window = metricWindow(at, minutes);
        const results: MetricDataResult[] = [];
        for (const part of requestWindows(window)) {
            let token: string | undefined;
            do {
                const page = await cloudwatch.send(new GetMetricDataCommand(metricDataRequest(stream, part, token)));
                results.push(...(page.MetricDataResults ?? []));
                token = page.NextToken;
            } while (token !== undefined);
        }
        const parsed = parseMetricData(results, window);
        if (parsed.ignored.length > 0) logger.warn("metric datapoints ignored", { ignored: parsed.ignored.slice(0, 20) });
        return parsed.minutes;
    }

    async function writeHistory(value: string | undefined): Promise<void> {
        if (value === undefined || value === "") await kinesis.send(new RemoveTagsFromStreamCommand({ StreamName: stream, TagKeys: [HISTORY_TAG_KEY] }));
        else await kinesis.send(new AddTagsToStreamCommand({ StreamName: stream, Tags: { [HISTORY_TAG_KEY]: value } }));
    }

    async function notify(subject: string, lines: string[]): Promise<void> {
        await sns.send(new PublishCommand({ TopicArn: config.alertsTopicArn, Subject: subject.slice(0, 99), Message: lines.join("\n") }));
    }

    return async (event: unknown): Promise<AutoscalerResult> => {
        const trigger: Trigger = parseTrigger(event);
        const at = now();
        if (lock && !(await lock.acquire(at))) {
            logger.info("another run holds the lock: nothing done", { trigger: trigger.description });
            return {
                trigger: trigger.description,
                streamName: stream,
                outcome: "locked",
                action: "none",
                reason: "another run of the autoscaler holds the lock",
                callsInLast24h: 0,
            };
        }
        try {
            return await evaluate(trigger, at);
        } finally {
            await lock?.release();
        }
    };

    async function evaluate(trigger: Trigger, at: number): Promise<AutoscalerResult> {
        metrics.addDimension("StreamName", stream);
        try {
            const summary = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary;
            const state = { status: summary?.StreamStatus ?? "UNKNOWN", mode: summary?.StreamModeDetails?.StreamMode ?? "PROVISIONED", openShards: summary?.OpenShardCount ?? 0 };
            metrics.addMetric("OpenShards", MetricUnit.Count, state.openShards);
            const busy = state.status !== "ACTIVE" || state.mode !== "PROVISIONED";
            // A stream that is not ACTIVE and PROVISIONED is left alone: no metrics read, no tag read.
            const history = busy ? { raw: undefined, calls: [] } : await readHistory();
            // The window plus the newest minutes CloudWatch may not have published yet; planning reads
            // 14 days (the newest minutes included), which is one GetMetricData request.
            const planning = config.policy === "planning";
            const span = planning ? FORECAST.historyMinutes : config.settings.scaleInWindowMinutes + UNPUBLISHED_MINUTES;
            const read = busy ? [] : await readMetrics(span, at);
            const minutes = planning ? read.slice(-config.settings.scaleInWindowMinutes) : read;
            const input = { now: at, stream: state, minutes, history: history.calls, settings: config.settings };
            const decision = planning ? decidePlanning({ ...input, longDemand: read.map((m) => minuteDemand(m).shards) }) : decide(input);
            if (decision.utilisation !== undefined) metrics.addMetric("UtilisationPercent", MetricUnit.Percent, Math.round(decision.utilisation * 1000) / 10);
            const base = { trigger: trigger.description, streamName: stream, action: decision.action, reason: decision.reason };

            if (decision.action === "none") {
                logger.info("no change", { trigger: trigger.description, policy: config.policy, ...state, reason: decision.reason, callsInLast24h: decision.callsInLast24h });
                metrics.addMetric("CallsInLast24h", MetricUnit.Count, decision.callsInLast24h);
                return { ...base, outcome: "no-change", callsInLast24h: decision.callsInLast24h };
            }

            const { from, target } = decision;
            const direction = decision.action === "scale-out" ? "out" : "in";
            const calls = decision.callsInLast24h + 1;
            const facts = [`Why: ${decision.reason}`, `Trigger: ${trigger.description}`, `Time: ${new Date(at).toISOString()}`];
            if (config.dryRun) {
                logger.info("dry run: would call UpdateShardCount", { from, target, reason: decision.reason });
                await notify(`Kinesis autoscaler (dry run): ${stream} would scale ${direction} ${from} -> ${target}`, [
                    `Dry run: the autoscaler would scale stream ${stream} ${direction} from ${from} to ${target} shards (${UPDATE_SHARD_COUNT.scalingType}); it made no call.`,
                    ...facts,
                ]);
                metrics.addMetric("CallsInLast24h", MetricUnit.Count, decision.callsInLast24h);
                return { ...base, outcome: "dry-run", from, target, callsInLast24h: decision.callsInLast24h };
            }

            // Write-ahead: the call is in the history before it is made, so a crash after the call
            // can never let the autoscaler believe it has a call left that AWS has counted.
            const updated = encodeHistory([...callsInWindow(history.calls, at), { at, direction }], at);
            await writeHistory(updated);
            try {
                await kinesis.send(new UpdateShardCountCommand({ StreamName: stream, TargetShardCount: target, ScalingType: UPDATE_SHARD_COUNT.scalingType }));
            } catch (e) {
                const err = e as Error;
                // Keep the entry unless the error proves nothing was counted (a retried request that
                // reached AWS, then failed with ResourceInUse, may well have been counted).
                if (NOT_COUNTED.has(err.name)) {
                    await writeHistory(history.raw).catch((restore: unknown) => logger.error("could not restore the history tag", { error: String(restore) }));
                }
                metrics.addMetric("ScalingFailures", MetricUnit.Count, 1);
                logger.error("UpdateShardCount failed", { from, target, error: err.name, message: err.message });
                await notify(`Kinesis autoscaler: UpdateShardCount failed for ${stream} (${err.name})`, [
                    `The autoscaler tried to scale stream ${stream} ${direction} from ${from} to ${target} shards and AWS refused: ${err.name}: ${err.message}`,
                    ...facts,
                    NOT_COUNTED.has(err.name)
                        ? "The call was not counted in the autoscaler's history."
                        : "The call stays counted in the autoscaler's history (AWS may have counted it).",
                ]);
                if (err.name === "LimitExceededException" || err.name === "ResourceInUseException") {
                    return { ...base, outcome: "refused", from, target, reason: `${decision.reason}; AWS refused: ${err.name}: ${err.message}`, callsInLast24h: calls };
                }
                throw err;
            }
            metrics.addMetric("UpdateShardCountCalls", MetricUnit.Count, 1);
            metrics.addMetric("TargetShardCount", MetricUnit.Count, target);
            metrics.addMetric("CallsInLast24h", MetricUnit.Count, calls);
            logger.info("UpdateShardCount called", { policy: config.policy, from, target, reason: decision.reason, callsInLast24h: calls });
            await notify(`Kinesis autoscaler: ${stream} scaled ${direction} ${from} -> ${target} shards`, [
                `The autoscaler scaled stream ${stream} ${direction} from ${from} to ${target} shards (UpdateShardCount, ${UPDATE_SHARD_COUNT.scalingType}).`,
                ...facts,
                `Calls in the last 24 h: ${calls} of ${UPDATE_SHARD_COUNT.callsPer24h}, this one included.`,
            ]);
            return { ...base, outcome: "scaled", from, target, callsInLast24h: calls };
        } finally {
            metrics.publishStoredMetrics();
        }
    }
}
