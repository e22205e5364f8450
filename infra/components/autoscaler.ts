import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LOCK_EXPIRY, LOCK_KEY } from "../../contracts/autoscaler-lock";
import { type AutoscalingPolicy, autoscalerEnvironment } from "../../contracts/env/autoscaler";
import { alarmArgs, anyOccurrence } from "../lib/alarms";
import { assumedBy, fromAccount, policyDocument } from "../lib/iam";
import type { ArgsOverrides } from "../lib/merge-args";
import { StreamingFunction } from "./streaming-function";

export interface AutoscalerArgs {
    functionName: string;
    streamArn: pulumi.Input<string>;
    /** The stream's physical name (known before deployment). */
    streamName: string;
    kmsKeyArn: pulumi.Input<string>;
    alertsTopicArn: pulumi.Input<string>;
    minShards: number;
    maxShards: number;
    /**
     * Reserved concurrency; 0 reserves none (accounts with a low concurrency quota), and the
     * autoscaler's lock alone keeps two runs apart. @default 1
     */
    reservedConcurrency?: number;
    /** @default "planning" */
    policy?: AutoscalingPolicy;
    accountId: pulumi.Input<string>;
    /** DynamoDB deletion protection on the lock table (with the stack's `deletionProtection`). @default false */
    deletionProtection?: boolean;
    logRetentionDays?: number;
    alarmEvaluationPeriods: number;
    /**
     * Any other `aws.lambda.Function` argument of the autoscaler (README, "Overriding resource
     * arguments"). Forced: its role and log group (as every `StreamingFunction`). @default {}
     */
    functionArgs?: ArgsOverrides<aws.lambda.FunctionArgs>;
    tags: Record<string, string>;
}

/**
 * The shard autoscaler of a provisioned stream: a Lambda (reserved concurrency 1 and a lock item
 * taken with a conditional write, so two runs never reshard at once) invoked every minute by EventBridge Scheduler and at once by an alarm on
 * write throttling. It may only describe, tag and reshard this stream, read CloudWatch metrics and
 * publish its decisions to the alerts topic.
 */
export class Autoscaler extends pulumi.ComponentResource {
    public readonly function: StreamingFunction;
    public readonly lockTable: aws.dynamodb.Table;

    constructor(name: string, args: AutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("streaming:kinesis:Autoscaler", name, {}, opts);
        this.lockTable = new aws.dynamodb.Table(
            `${name}-lock`,
            {
                name: `${args.functionName}-lock`,
                billingMode: "PAY_PER_REQUEST",
                hashKey: LOCK_KEY,
                attributes: [{ name: LOCK_KEY, type: "S" }],
                ttl: { attributeName: LOCK_EXPIRY, enabled: true },
                pointInTimeRecovery: { enabled: true },
                serverSideEncryption: { enabled: true, kmsKeyArn: args.kmsKeyArn },
                deletionProtectionEnabled: args.deletionProtection ?? false,
                tags: args.tags,
            },
            { parent: this },
        );
        const reserved = args.reservedConcurrency ?? 1;
        this.function = new StreamingFunction(
            name,
            {
                entry: "autoscaler",
                functionName: args.functionName,
                description: "Reshards the stream from its CloudWatch metrics within the UpdateShardCount limits",
                reservedConcurrency: reserved > 0 ? reserved : undefined,
                timeout: 60,
                statements: [
                    {
                        Sid: "ReshardThisStream",
                        Effect: "Allow",
                        // Tags hold the autoscaler's call history, so the 10-calls-per-24-h budget survives cold starts.
                        Action: [
                            "kinesis:DescribeStreamSummary",
                            "kinesis:UpdateShardCount",
                            "kinesis:ListTagsForStream",
                            "kinesis:AddTagsToStream",
                            "kinesis:RemoveTagsFromStream",
                        ],
                        Resource: args.streamArn,
                    },
                    // GetMetricData has no resource-level permissions.
                    { Sid: "ReadStreamMetrics", Effect: "Allow", Action: "cloudwatch:GetMetricData", Resource: "*" },
                    { Sid: "HoldRunLock", Effect: "Allow", Action: ["dynamodb:PutItem", "dynamodb:DeleteItem"], Resource: this.lockTable.arn },
                    { Sid: "PublishDecisions", Effect: "Allow", Action: "sns:Publish", Resource: args.alertsTopicArn },
                    { Sid: "EncryptDecisions", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: args.kmsKeyArn },
                ],
                environment: {
                    ...autoscalerEnvironment<pulumi.Input<string>>({
                        streamName: args.streamName,
                        alertsTopicArn: args.alertsTopicArn,
                        lockTable: this.lockTable.name,
                        policy: args.policy,
                        settings: { minShards: args.minShards, maxShards: args.maxShards },
                    }),
                    POWERTOOLS_SERVICE_NAME: "autoscaler",
                    POWERTOOLS_METRICS_NAMESPACE: "StreamingPipeline",
                },
                kmsKeyArn: args.kmsKeyArn,
                logRetentionDays: args.logRetentionDays,
                functionArgs: args.functionArgs,
                tags: args.tags,
            },
            { parent: this },
        );
        const fn = this.function.function;

        const schedulerRole = new aws.iam.Role(
            `${name}-scheduler`,
            { assumeRolePolicy: pulumi.jsonStringify(assumedBy("scheduler.amazonaws.com", fromAccount(args.accountId))), tags: args.tags },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            `${name}-scheduler`,
            {
                role: schedulerRole.id,
                policy: pulumi.jsonStringify(policyDocument({ Sid: "InvokeAutoscaler", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: fn.arn })),
            },
            { parent: this },
        );
        new aws.scheduler.Schedule(
            name,
            {
                name: args.functionName,
                description: "Evaluate the stream's shard count every minute",
                scheduleExpression: "rate(1 minute)",
                flexibleTimeWindow: { mode: "OFF" },
                target: {
                    arn: fn.arn,
                    roleArn: schedulerRole.arn,
                    input: JSON.stringify({ trigger: "schedule" }),
                    retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
                },
            },
            { parent: this },
        );

        // Throttled writes cannot wait for the next minute: the alarm invokes the autoscaler directly.
        const scaleOut = new aws.cloudwatch.MetricAlarm(
            `${name}-scale-out`,
            {
                alarmDescription: "Writes to the stream are throttled: evaluate a scale-out now",
                namespace: "AWS/Kinesis",
                metricName: "WriteProvisionedThroughputExceeded",
                dimensions: { StreamName: args.streamName },
                statistic: "Sum",
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                threshold: 1,
                evaluationPeriods: 1,
                period: 60,
                treatMissingData: "notBreaching",
                alarmActions: [fn.arn],
                tags: args.tags,
            },
            { parent: this },
        );
        new aws.lambda.Permission(
            `${name}-alarm`,
            { action: "lambda:InvokeFunction", function: fn.name, principal: "lambda.alarms.cloudwatch.amazonaws.com", sourceArn: scaleOut.arn, sourceAccount: args.accountId },
            { parent: this },
        );
        new aws.cloudwatch.MetricAlarm(
            `${name}-errors`,
            alarmArgs(
                anyOccurrence(`The autoscaler ${args.functionName} is failing (Lambda Errors)`, "AWS/Lambda", "Errors", { FunctionName: fn.name }, args.alarmEvaluationPeriods),
                args.alertsTopicArn,
                args.tags,
            ),
            { parent: this },
        );
        this.registerOutputs({ functionArn: fn.arn });
    }
}
