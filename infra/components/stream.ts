import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StreamMode } from "../config";
import { alarmActions, alarmArgs } from "../lib/alarms";
import { withDefaults } from "../lib/defaults";
import { SCHEMA } from "../settings/schema";
import { HISTORY_TAG_KEY, WORKLOAD_TAGS } from "../../contracts/tags";
import { type ArgsOverrides, mergeArgs } from "../lib/merge-args";

export interface StreamAlarmArgs {
    topicArn: pulumi.Input<string>;
    /** Oldest unread record age that pages on-call; at most half the retention. @default 60000 */
    iteratorAgeMs?: number;
    /** Share of requests throttled (Average of *ProvisionedThroughputExceeded). @default 0.01 */
    throughputExceededThreshold?: number;
    /** Share of PutRecords entries rejected (FailedRecords / TotalRecords). @default 0.01 */
    putRecordsFailureRate?: number;
    /** Consecutive one-minute periods before an alarm fires. @default 5 */
    evaluationPeriods?: number;
}

export interface StreamArgs {
    /** Physical stream name, stable so other teams and dashboards can address it. */
    streamName: string;
    /** @default "ON_DEMAND" */
    mode?: StreamMode;
    /** PROVISIONED only. @default 1 */
    shardCount?: number;
    /** 24 to 8,760 hours. @default 168 (a week: Security Hub Kinesis.3) */
    retentionHours?: number;
    kmsKeyArn: pulumi.Input<string>;
    /** Shard-level (enhanced) metrics. @default all seven */
    shardLevelMetrics?: string[];
    /** Delete registered EFO consumers with the stream instead of failing. @default true */
    enforceConsumerDeletion?: boolean;
    /** Largest record, 1,024 to 10,240 KiB; shard throughput does not grow with it. @default 1024 */
    maxRecordSizeKib?: number;
    /** ON_DEMAND only (and only in an account with the minimum throughput billing commitment): MiB/s kept warm. @default none */
    warmThroughputMibps?: number;
    /** Leave `shardCount` to an autoscaler: `pulumi up` then never reverts its changes. @default false */
    autoscaled?: boolean;
    /** Pulumi `protect` on the stream. @default false */
    protect?: boolean;
    alarms: StreamAlarmArgs;
    /**
     * What the stream is expected to carry, as tags on it (`workload:records-per-second`,
     * `workload:average-record-bytes`): the policy pack's shard-capacity rule reads them.
     */
    workload?: { recordsPerSecond: number; averageRecordBytes: number };
    /**
     * Any other `aws.kinesis.Stream` argument, over the settings above (README, "Overriding resource
     * arguments"); not checked by `validateStreamArgs`. Forced: `encryptionType: "KMS"` with `kmsKeyId`
     * the stack's key. @default {}
     */
    streamArgs?: ArgsOverrides<aws.kinesis.StreamArgs>;
    tags: Record<string, string>;
}

export const STREAM_DEFAULTS = {
    mode: SCHEMA.streamMode.default,
    // The component's own: a stack's PROVISIONED stream always names its shard count.
    shardCount: 1,
    retentionHours: SCHEMA.retentionHours.default,
    shardLevelMetrics: [...SCHEMA.shardLevelMetrics.default],
    enforceConsumerDeletion: SCHEMA.enforceConsumerDeletion.default,
    maxRecordSizeKib: SCHEMA.maxRecordSizeKib.default,
    iteratorAgeMs: SCHEMA.iteratorAgeAlarmMs.default,
    throughputExceededThreshold: SCHEMA.throughputExceededAlarmPercent.default / 100,
    putRecordsFailureRate: SCHEMA.putRecordsFailureAlarmPercent.default / 100,
    evaluationPeriods: SCHEMA.alarmEvaluationPeriods.default,
};

/**
 * What `pulumi up` leaves to the autoscaler: the shard count, and the tag in which it keeps its
 * call history (the 10-calls-per-24-h budget), or a refresh followed by an update would erase it.
 */
export const AUTOSCALED_IGNORE_CHANGES = ["shardCount", `tags["${HISTORY_TAG_KEY}"]`, `tagsAll["${HISTORY_TAG_KEY}"]`];

export function workloadTags(workload: StreamArgs["workload"]): Record<string, string> {
    if (!workload) return {};
    return { [WORKLOAD_TAGS.recordsPerSecond]: String(workload.recordsPerSecond), [WORKLOAD_TAGS.averageRecordBytes]: String(workload.averageRecordBytes) };
}

/** Checks what the Kinesis API would reject, before anything is created. */
export function validateStreamArgs(args: StreamArgs): void {
    const mode = args.mode ?? STREAM_DEFAULTS.mode;
    const retention = args.retentionHours ?? STREAM_DEFAULTS.retentionHours;
    if (mode === "ON_DEMAND" && args.shardCount !== undefined) {
        throw new Error("shardCount applies only to PROVISIONED streams");
    }
    if (!Number.isInteger(retention) || retention < 24 || retention > 8760) {
        throw new Error(`retentionHours ${retention} must be an integer from 24 to 8760`);
    }
    const shards = args.shardCount ?? STREAM_DEFAULTS.shardCount;
    if (!Number.isInteger(shards) || shards < 1 || shards > 10_000) {
        throw new Error(`shardCount ${shards} must be an integer from 1 to 10000`);
    }
    const maxRecordSizeKib = args.maxRecordSizeKib ?? STREAM_DEFAULTS.maxRecordSizeKib;
    if (!Number.isInteger(maxRecordSizeKib) || maxRecordSizeKib < 1024 || maxRecordSizeKib > 10_240) {
        throw new Error(`maxRecordSizeKib ${maxRecordSizeKib} must be an integer from 1024 to 10240`);
    }
    if (args.warmThroughputMibps !== undefined && mode !== "ON_DEMAND") throw new Error("warmThroughputMibps applies only to ON_DEMAND streams");
    if (args.warmThroughputMibps !== undefined && (!Number.isInteger(args.warmThroughputMibps) || args.warmThroughputMibps < 1 || args.warmThroughputMibps > 10_240)) {
        throw new Error(`warmThroughputMibps ${args.warmThroughputMibps} must be an integer from 1 to 10240`);
    }
    const iteratorAgeMs = args.alarms.iteratorAgeMs ?? STREAM_DEFAULTS.iteratorAgeMs;
    if (iteratorAgeMs > (retention * 3_600_000) / 2) {
        throw new Error(`iteratorAgeMs ${iteratorAgeMs} must be at most half the retention (${(retention * 3_600_000) / 2} ms)`);
    }
}

/**
 * A KMS-encrypted Kinesis data stream with its operational alarms: iterator age, write and read
 * throttling, PutRecords failure rate, each on this stream's `StreamName` and notifying the alerts topic.
 */
export class Stream extends pulumi.ComponentResource {
    public readonly stream: aws.kinesis.Stream;
    public readonly alarms: aws.cloudwatch.MetricAlarm[];

    constructor(name: string, args: StreamArgs, opts?: pulumi.ComponentResourceOptions) {
        super("streaming:kinesis:Stream", name, {}, opts);
        validateStreamArgs(args);
        const mode = args.mode ?? STREAM_DEFAULTS.mode;
        const d = withDefaults(STREAM_DEFAULTS, args.alarms);

        this.stream = new aws.kinesis.Stream(
            name,
            mergeArgs<aws.kinesis.StreamArgs>(
                {
                    name: args.streamName,
                    streamModeDetails: { streamMode: mode },
                    shardCount: mode === "PROVISIONED" ? (args.shardCount ?? STREAM_DEFAULTS.shardCount) : undefined,
                    retentionPeriod: args.retentionHours ?? STREAM_DEFAULTS.retentionHours,
                    encryptionType: "KMS",
                    kmsKeyId: args.kmsKeyArn,
                    shardLevelMetrics: args.shardLevelMetrics ?? STREAM_DEFAULTS.shardLevelMetrics,
                    enforceConsumerDeletion: args.enforceConsumerDeletion ?? STREAM_DEFAULTS.enforceConsumerDeletion,
                    maxRecordSizeInKib: args.maxRecordSizeKib ?? STREAM_DEFAULTS.maxRecordSizeKib,
                    warmThroughputMibPs: args.warmThroughputMibps,
                    tags: { ...args.tags, ...workloadTags(args.workload) },
                },
                args.streamArgs,
                ["encryptionType", "kmsKeyId"],
                { component: "Stream", arg: "streamArgs", resource: this },
            ),
            { parent: this, protect: args.protect ?? false, ignoreChanges: args.autoscaled ? AUTOSCALED_IGNORE_CHANGES : [] },
        );

        const dimensions = { StreamName: this.stream.name };
        const common = { namespace: "AWS/Kinesis", dimensions, evaluationPeriods: d.evaluationPeriods };
        const alarm = (suffix: string, spec: Omit<Parameters<typeof alarmArgs>[0], keyof typeof common>) =>
            new aws.cloudwatch.MetricAlarm(`${name}-${suffix}`, alarmArgs({ ...common, ...spec }, args.alarms.topicArn, args.tags), { parent: this });

        this.alarms = [
            alarm("iterator-age", {
                description: `Consumers of ${args.streamName} are falling behind: oldest unread record older than ${d.iteratorAgeMs} ms`,
                metricName: "GetRecords.IteratorAgeMilliseconds",
                statistic: "Maximum",
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                threshold: d.iteratorAgeMs,
                treatMissingData: "missing",
            }),
            alarm("write-throttled", {
                description: `Producers to ${args.streamName} are throttled (WriteProvisionedThroughputExceeded)`,
                metricName: "WriteProvisionedThroughputExceeded",
                statistic: "Average",
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                threshold: d.throughputExceededThreshold,
                treatMissingData: "notBreaching",
            }),
            alarm("read-throttled", {
                description: `Consumers of ${args.streamName} are throttled (ReadProvisionedThroughputExceeded)`,
                metricName: "ReadProvisionedThroughputExceeded",
                statistic: "Average",
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                threshold: d.throughputExceededThreshold,
                treatMissingData: "notBreaching",
            }),
            new aws.cloudwatch.MetricAlarm(
                `${name}-put-records-failures`,
                {
                    alarmDescription: `PutRecords entries to ${args.streamName} are failing (FailedRecords / TotalRecords)`,
                    comparisonOperator: "GreaterThanOrEqualToThreshold",
                    threshold: d.putRecordsFailureRate,
                    evaluationPeriods: d.evaluationPeriods,
                    datapointsToAlarm: d.evaluationPeriods,
                    treatMissingData: "notBreaching",
                    metricQueries: [
                        { id: "failed", metric: { namespace: "AWS/Kinesis", metricName: "PutRecords.FailedRecords", dimensions, stat: "Sum", period: 60 } },
                        { id: "total", metric: { namespace: "AWS/Kinesis", metricName: "PutRecords.TotalRecords", dimensions, stat: "Sum", period: 60 } },
                        { id: "rate", expression: "IF(total > 0, failed / total, 0)", label: "PutRecords failure rate", returnData: true },
                    ],
                    ...alarmActions(args.alarms.topicArn),
                    tags: args.tags,
                },
                { parent: this },
            ),
        ];
        this.registerOutputs({ streamArn: this.stream.arn, streamName: this.stream.name });
    }
}
