import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** One metric alarm, described by what it watches; `alarmArgs` adds the parts every alarm must have. */
export interface AlarmSpec {
    description: string;
    namespace: string;
    metricName: string;
    dimensions: Record<string, pulumi.Input<string>>;
    statistic: "Average" | "Maximum" | "Minimum" | "Sum" | "SampleCount";
    comparisonOperator: "GreaterThanOrEqualToThreshold" | "GreaterThanThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";
    threshold: number;
    evaluationPeriods: number;
    /** How a period without data counts; throughput metrics are absent when nothing happens. */
    treatMissingData: "missing" | "notBreaching" | "breaching" | "ignore";
    periodSeconds?: number;
}

/** Alarm arguments with the alerts topic as alarm and OK action: an alarm nobody hears is no alarm. */
export function alarmArgs(spec: AlarmSpec, topicArn: pulumi.Input<string>, tags: Record<string, string>): aws.cloudwatch.MetricAlarmArgs {
    return {
        alarmDescription: spec.description,
        namespace: spec.namespace,
        metricName: spec.metricName,
        dimensions: spec.dimensions,
        statistic: spec.statistic,
        comparisonOperator: spec.comparisonOperator,
        threshold: spec.threshold,
        evaluationPeriods: spec.evaluationPeriods,
        datapointsToAlarm: spec.evaluationPeriods,
        period: spec.periodSeconds ?? 60,
        treatMissingData: spec.treatMissingData,
        ...alarmActions(topicArn),
        tags,
    };
}

/** Alarm and OK notifications go to the alerts topic, so on-call hears both the page and the recovery. */
export function alarmActions(topicArn: pulumi.Input<string>): Pick<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions"> {
    return { alarmActions: [topicArn], okActions: [topicArn] };
}

/** An alarm that fires when a count metric (errors, throttles, 5xx, DLQ messages) is non-zero. */
export function anyOccurrence(description: string, namespace: string, metricName: string, dimensions: Record<string, pulumi.Input<string>>, evaluationPeriods: number): AlarmSpec {
    return {
        description,
        namespace,
        metricName,
        dimensions,
        statistic: "Sum",
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        evaluationPeriods,
        treatMissingData: "notBreaching",
    };
}
