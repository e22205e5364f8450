import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { QUARANTINE_BUCKET_ENV, QUARANTINE_PREFIX, QUARANTINED_METRIC } from "../../contracts/quarantine";
import { type AlarmSpec, alarmArgs, anyOccurrence } from "../lib/alarms";
import { withDefaults } from "../lib/defaults";
import { denyInsecureTransport, policyDocument, type PolicyStatement } from "../lib/iam";
import { SCHEMA } from "../settings/schema";
import { type ArgsOverrides, mergeArgs } from "../lib/merge-args";
import { StreamingFunction, type StreamingFunctionArgs } from "./streaming-function";

export interface EventSourceSettings {
    /** @default "TRIM_HORIZON" */
    startingPosition?: "LATEST" | "TRIM_HORIZON";
    /** @default 100 */
    batchSize?: number;
    /** @default 1 */
    batchingWindowSeconds?: number;
    /** @default 1 */
    parallelizationFactor?: number;
    /** Bounded: -1 (until the record expires) blocks a shard for the whole retention. @default 3 */
    maxRetryAttempts?: number;
    /** Bounded and shorter than the retention. @default 3600 */
    maxRecordAgeSeconds?: number;
}

export interface LambdaConsumerArgs {
    /** Folder under functions/ with the handler. */
    entry: string;
    functionName: string;
    description: string;
    streamArn: pulumi.Input<string>;
    /** The stream's key: decrypting records, encrypting the queue and the log group. */
    kmsKeyArn: pulumi.Input<string>;
    /** What the handler does with the records (write a table, publish, put to another stream). */
    statements: PolicyStatement[];
    /** Where the alarms notify. */
    alertsTopicArn: pulumi.Input<string>;
    eventSource?: EventSourceSettings;
    /** Read through a dedicated enhanced fan-out consumer. @default false */
    useEfo?: boolean;
    /** Only these `event_type`s invoke the function (unaggregated JSON records). @default [] (all) */
    filterEventTypes?: string[];
    /**
     * The bucket (encrypted with `kmsKeyArn`, an S3 Bucket Key on) the handler quarantines poison records
     * into, under `quarantine/`: the role may put objects there and nowhere else in it, the function gets
     * its name in QUARANTINE_BUCKET, and an alarm fires on any quarantined record. @default none
     */
    quarantine?: { bucketName: pulumi.Input<string>; bucketArn: pulumi.Input<string> };
    /** Handler settings passed as environment variables. */
    environment?: Record<string, pulumi.Input<string>>;
    /** @default 512 */
    memorySize?: number;
    logRetentionDays?: number;
    vpcConfig?: StreamingFunctionArgs["vpcConfig"];
    alarms: { iteratorAgeMs: number; evaluationPeriods: number };
    /**
     * Any other `aws.lambda.Function` argument (README, "Overriding resource arguments"). Forced: the
     * function's role and log group (as every `StreamingFunction`). @default {}
     */
    functionArgs?: StreamingFunctionArgs["functionArgs"];
    /**
     * Any other `aws.lambda.EventSourceMapping` argument, over `eventSource`. Forced: reading this stream
     * (or its EFO consumer) into this function, `bisectBatchOnFunctionError`, `ReportBatchItemFailures`,
     * the bounded `maximumRetryAttempts` and `maximumRecordAgeInSeconds` (set them through `eventSource`)
     * and the on-failure queue as `destinationConfig.onFailure.destinationArn`. @default {}
     */
    eventSourceMappingArgs?: ArgsOverrides<aws.lambda.EventSourceMappingArgs>;
    /** Any other `aws.sqs.Queue` argument of the on-failure queue. Forced: `kmsMasterKeyId` (the stream's key). @default {} */
    queueArgs?: ArgsOverrides<aws.sqs.QueueArgs>;
    tags: Record<string, string>;
}

export const EVENT_SOURCE_DEFAULTS: Required<EventSourceSettings> = {
    startingPosition: SCHEMA.consumerStartingPosition.default,
    batchSize: SCHEMA.consumerBatchSize.default,
    batchingWindowSeconds: SCHEMA.consumerBatchingWindowSeconds.default,
    parallelizationFactor: SCHEMA.consumerParallelizationFactor.default,
    maxRetryAttempts: SCHEMA.consumerMaxRetryAttempts.default,
    maxRecordAgeSeconds: SCHEMA.consumerMaxRecordAgeSeconds.default,
};

/** The Powertools metrics namespace of the functions; their `service` dimension is the function's name. */
export const METRICS_NAMESPACE = "StreamingPipeline";

/** Seconds a consumer invocation may run (the local event source mapping applies the same limit). */
export const CONSUMER_TIMEOUT_SECONDS = 60;

/** The on-failure queue keeps failed batches' metadata for 14 days, SQS's maximum. */
const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;

/**
 * A Lambda function reading the stream through an event source mapping with safe error handling:
 * bisect on error, bounded retries and record age, partial batch responses, failed batches'
 * metadata to an encrypted SQS queue that alarms when it holds anything. Alarms on errors,
 * throttles and iterator age. Its role reads only this stream (or its EFO consumer), decrypts
 * with its key, sends only to its queue, plus exactly the statements its handler needs.
 */
export class LambdaConsumer extends pulumi.ComponentResource {
    public readonly function: StreamingFunction;
    public readonly eventSourceMapping: aws.lambda.EventSourceMapping;
    public readonly deadLetterQueue: aws.sqs.Queue;
    public readonly efoConsumer?: aws.kinesis.StreamConsumer;

    constructor(name: string, args: LambdaConsumerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("streaming:lambda:Consumer", name, {}, opts);
        const esm = withDefaults(EVENT_SOURCE_DEFAULTS, args.eventSource ?? {});

        this.deadLetterQueue = new aws.sqs.Queue(
            `${name}-failures`,
            mergeArgs<aws.sqs.QueueArgs>(
                { kmsMasterKeyId: args.kmsKeyArn, kmsDataKeyReusePeriodSeconds: 300, messageRetentionSeconds: DLQ_RETENTION_SECONDS, tags: args.tags },
                args.queueArgs,
                ["kmsMasterKeyId"],
                { component: "LambdaConsumer", arg: "queueArgs", resource: this },
            ),
            { parent: this },
        );
        new aws.sqs.QueuePolicy(
            `${name}-failures`,
            { queueUrl: this.deadLetterQueue.url, policy: pulumi.jsonStringify(policyDocument(denyInsecureTransport("sqs:*", this.deadLetterQueue.arn))) },
            { parent: this },
        );

        if (args.useEfo) {
            this.efoConsumer = new aws.kinesis.StreamConsumer(name, { name: args.functionName, streamArn: args.streamArn }, { parent: this });
        }
        const source = this.efoConsumer?.arn ?? args.streamArn;

        this.function = new StreamingFunction(
            name,
            {
                entry: args.entry,
                functionName: args.functionName,
                description: args.description,
                statements: [
                    ...readStatements(args, this.deadLetterQueue.arn, this.efoConsumer?.arn),
                    ...(args.quarantine ? quarantineStatements(args.quarantine.bucketArn, args.kmsKeyArn) : []),
                    ...args.statements,
                ],
                environment: {
                    // The function's name, not its entry: each stack's metrics (and the alarms on them) stay its own.
                    POWERTOOLS_SERVICE_NAME: args.functionName,
                    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
                    ...(args.quarantine ? { [QUARANTINE_BUCKET_ENV]: args.quarantine.bucketName } : {}),
                    ...args.environment,
                },
                memorySize: args.memorySize ?? SCHEMA.consumerMemoryMb.default,
                timeout: CONSUMER_TIMEOUT_SECONDS,
                kmsKeyArn: args.kmsKeyArn,
                logRetentionDays: args.logRetentionDays,
                vpcConfig: args.vpcConfig,
                functionArgs: args.functionArgs,
                tags: args.tags,
            },
            { parent: this },
        );

        const filters = args.filterEventTypes ?? [];
        this.eventSourceMapping = new aws.lambda.EventSourceMapping(
            name,
            mergeArgs<aws.lambda.EventSourceMappingArgs>(
                {
                    eventSourceArn: source,
                    functionName: this.function.function.arn,
                    startingPosition: esm.startingPosition,
                    batchSize: esm.batchSize,
                    maximumBatchingWindowInSeconds: esm.batchingWindowSeconds,
                    parallelizationFactor: esm.parallelizationFactor,
                    bisectBatchOnFunctionError: true,
                    maximumRetryAttempts: esm.maxRetryAttempts,
                    maximumRecordAgeInSeconds: esm.maxRecordAgeSeconds,
                    functionResponseTypes: ["ReportBatchItemFailures"],
                    destinationConfig: { onFailure: { destinationArn: this.deadLetterQueue.arn } },
                    filterCriteria: filters.length > 0 ? { filters: [{ pattern: JSON.stringify({ data: { event_type: filters } }) }] } : undefined,
                    tags: args.tags,
                },
                args.eventSourceMappingArgs,
                [
                    "eventSourceArn",
                    "functionName",
                    "bisectBatchOnFunctionError",
                    "maximumRetryAttempts",
                    "maximumRecordAgeInSeconds",
                    "functionResponseTypes",
                    "destinationConfig.onFailure.destinationArn",
                ],
                { component: "LambdaConsumer", arg: "eventSourceMappingArgs", resource: this },
            ),
            // The role must allow reading the stream before Lambda validates the mapping.
            { parent: this, dependsOn: [this.function] },
        );

        const fnName = this.function.function.name;
        const periods = args.alarms.evaluationPeriods;
        const alarms: [string, AlarmSpec][] = [
            ["errors", anyOccurrence(`The consumer ${args.functionName} is failing (Lambda Errors)`, "AWS/Lambda", "Errors", { FunctionName: fnName }, periods)],
            ["throttles", anyOccurrence(`The consumer ${args.functionName} is throttled (Lambda Throttles)`, "AWS/Lambda", "Throttles", { FunctionName: fnName }, periods)],
            [
                "iterator-age",
                {
                    description: `The consumer ${args.functionName} is falling behind (Lambda IteratorAge over ${args.alarms.iteratorAgeMs} ms)`,
                    namespace: "AWS/Lambda",
                    metricName: "IteratorAge",
                    dimensions: { FunctionName: fnName },
                    statistic: "Maximum",
                    comparisonOperator: "GreaterThanOrEqualToThreshold",
                    threshold: args.alarms.iteratorAgeMs,
                    evaluationPeriods: periods,
                    treatMissingData: "notBreaching",
                },
            ],
            [
                "failures-queued",
                {
                    ...anyOccurrence(
                        `Failed batches of ${args.functionName} wait in the on-failure queue: replay them from the stream`,
                        "AWS/SQS",
                        "ApproximateNumberOfMessagesVisible",
                        { QueueName: this.deadLetterQueue.name },
                        1,
                    ),
                    statistic: "Maximum",
                },
            ],
        ];
        if (args.quarantine) {
            // One poison record is worth a look: fire on any, in a single period.
            alarms.push([
                "quarantined",
                anyOccurrence(
                    `${args.functionName} quarantined poison records (${QUARANTINED_METRIC}): inspect them with npm run quarantine -- list`,
                    METRICS_NAMESPACE,
                    QUARANTINED_METRIC,
                    { service: args.functionName },
                    1,
                ),
            ]);
        }
        for (const [suffix, spec] of alarms) new aws.cloudwatch.MetricAlarm(`${name}-${suffix}`, alarmArgs(spec, args.alertsTopicArn, args.tags), { parent: this });
        this.registerOutputs({ functionArn: this.function.function.arn, deadLetterQueueUrl: this.deadLetterQueue.url });
    }
}

/** Reading the stream (directly or through its EFO consumer) and handing failed batches to the queue. */
function readStatements(args: LambdaConsumerArgs, dlqArn: pulumi.Input<string>, efoArn: pulumi.Input<string> | undefined): PolicyStatement[] {
    const read: PolicyStatement[] = [
        {
            Sid: "ReadStream",
            Effect: "Allow",
            Action: ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:GetShardIterator", "kinesis:GetRecords"],
            Resource: args.streamArn,
        },
    ];
    if (efoArn) read.push({ Sid: "ReadThroughEfoConsumer", Effect: "Allow", Action: ["kinesis:SubscribeToShard", "kinesis:DescribeStreamConsumer"], Resource: efoArn });
    return [
        ...read,
        { Sid: "DecryptStream", Effect: "Allow", Action: "kms:Decrypt", Resource: args.kmsKeyArn },
        // SendMessage to a KMS-encrypted queue needs a data key from the queue's (the stack's) key, through SQS only.
        { Sid: "SendFailedBatches", Effect: "Allow", Action: "sqs:SendMessage", Resource: dlqArn },
        {
            Sid: "EncryptFailedBatches",
            Effect: "Allow",
            Action: "kms:GenerateDataKey",
            Resource: args.kmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": viaService("sqs", args.kmsKeyArn) } },
        },
    ];
}

/**
 * Quarantining: PutObject under `quarantine/` only (no read, list or delete), and the data key an SSE-KMS
 * PutObject needs (a single-part upload needs GenerateDataKey alone; Decrypt only multipart), through S3
 * and for this bucket only: with an S3 Bucket Key the encryption context is the bucket's ARN.
 */
function quarantineStatements(bucketArn: pulumi.Input<string>, keyArn: pulumi.Input<string>): PolicyStatement[] {
    return [
        { Sid: "WriteQuarantine", Effect: "Allow", Action: "s3:PutObject", Resource: pulumi.interpolate`${bucketArn}/${QUARANTINE_PREFIX}*` },
        {
            Sid: "EncryptQuarantine",
            Effect: "Allow",
            Action: "kms:GenerateDataKey",
            Resource: keyArn,
            Condition: { StringEquals: { "kms:ViaService": viaService("s3", keyArn), "kms:EncryptionContext:aws:s3:arn": bucketArn } },
        },
    ];
}

/** `<service>.<region>.amazonaws.com` in the key's region (SQS and S3 use only keys of their own region). */
function viaService(service: string, keyArn: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.output(keyArn).apply((arn) => `${service}.${arn.split(":")[3]}.amazonaws.com`);
}
