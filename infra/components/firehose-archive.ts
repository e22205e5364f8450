import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { alarmArgs } from "../lib/alarms";
import type { AwsContext } from "../lib/aws-context";
import { withDefaults } from "../lib/defaults";
import { assumedBy, denyInsecureTransport, policyDocument } from "../lib/iam";
import { firehoseTransformEnvironment } from "../../contracts/env/firehose-transform";
import { SCHEMA } from "../settings/schema";
import { QUARANTINE_PREFIX } from "../../contracts/quarantine";
import { type ArgsOverrides, mergeArgs } from "../lib/merge-args";
import { StreamingFunction } from "./streaming-function";

export interface FirehoseArchiveArgs {
    /** Prefix of physical names, e.g. `kinesis-streaming-prod`. */
    namePrefix: string;
    /** Bucket name prefixes (at most 37 characters: the provider appends 26), e.g. from `bucketPrefix`. */
    bucketPrefixes: { archive: string; accessLogs: string };
    streamArn: pulumi.Input<string>;
    kmsKeyArn: pulumi.Input<string>;
    alertsTopicArn: pulumi.Input<string>;
    context: AwsContext;
    /** @default 64 (MiB; dynamic partitioning needs at least 64) */
    bufferSizeMb?: number;
    /** @default 60 */
    bufferIntervalSeconds?: number;
    /** Days before objects move to Standard-IA. @default 30 */
    transitionDays?: number;
    /** Days before objects are deleted; 0 keeps them. @default 365 */
    expirationDays?: number;
    /** @default 900 */
    freshnessAlarmSeconds?: number;
    /** Days the consumer's quarantined records (under `quarantine/`) are kept; never tiered. @default 30 */
    quarantineRetentionDays?: number;
    logRetentionDays?: number;
    /** The transformation Lambda that gives every record its partition keys (functions/firehose-transform). */
    transform: {
        /** Physical function name. */
        functionName: string;
        /** The IoT rule's topic filter, when the IoT feed is on: device messages without the envelope land under `raw_iot`. */
        iotTopicFilter?: string;
        /** MiB Firehose buffers before invoking the function (0.2-3). @default 0.25 */
        bufferSizeMb?: number;
        /** Seconds Firehose buffers before invoking the function (0-900). @default 60 */
        bufferIntervalSeconds?: number;
        /** Invocation retries before a batch goes to the error prefix. @default 3 */
        retries?: number;
    };
    /**
     * Any other `aws.kinesis.FirehoseDeliveryStream` argument, over the settings above (README,
     * "Overriding resource arguments"); `extendedS3Configuration` merges key by key, its `processors`
     * array replaces whole. Forced: the `extended_s3` destination, the source (this stream, Firehose's
     * role) and, in `extendedS3Configuration`, `roleArn`, `bucketArn` (the archive bucket) and
     * `kmsKeyArn` (SSE-KMS with the stack's key). @default {}
     */
    deliveryStreamArgs?: ArgsOverrides<aws.kinesis.FirehoseDeliveryStreamArgs>;
    /**
     * Any other `aws.s3.Bucket` argument of the archive bucket. Kept unset: the inline `acl`, `grants`,
     * `policy`, `serverSideEncryptionConfiguration`, `versioning`, `logging` and `lifecycleRules`, which
     * the guard resources own (SSE-KMS, versioning, every public access block flag, TLS-only policy,
     * access logs, lifecycle), so no inline value fights them. @default {}
     */
    bucketArgs?: ArgsOverrides<aws.s3.BucketArgs>;
    tags: Record<string, string>;
}

/** Inline bucket settings the archive's separate guard resources own: never set on the bucket itself. */
const GUARDED_BUCKET_SETTINGS = ["acl", "grants", "policy", "serverSideEncryptionConfiguration", "versioning", "logging", "lifecycleRules"] as const;

export const ARCHIVE_DEFAULTS = {
    bufferSizeMb: SCHEMA.archiveBufferSizeMb.default,
    bufferIntervalSeconds: SCHEMA.archiveBufferIntervalSeconds.default,
    transitionDays: SCHEMA.archiveTransitionDays.default,
    expirationDays: SCHEMA.archiveExpirationDays.default,
    freshnessAlarmSeconds: SCHEMA.archiveFreshnessAlarmSeconds.default,
    quarantineRetentionDays: SCHEMA.quarantineRetentionDays.default,
};

export const TRANSFORM_DEFAULTS = {
    // Gzip Logs records inflate about 10:1 and base64 adds a third: 0.25 MiB of input keeps the
    // response of an all-Logs batch far under Lambda's 6 MB limit (the function still guards it).
    bufferSizeMb: 0.25,
    bufferIntervalSeconds: 60,
    retries: 3,
    timeoutSeconds: 60,
};

/** Firehose's ranges for a Lambda processor's parameters; a value outside fails here, not at deploy time. */
export function checkTransformArgs(t: { bufferSizeMb: number; bufferIntervalSeconds: number; retries: number }): void {
    const bad = [
        !(t.bufferSizeMb >= 0.2 && t.bufferSizeMb <= 3) && `transform.bufferSizeMb ${t.bufferSizeMb} must be 0.2-3 (MiB)`,
        !(Number.isInteger(t.bufferIntervalSeconds) && t.bufferIntervalSeconds >= 0 && t.bufferIntervalSeconds <= 900) &&
            `transform.bufferIntervalSeconds ${t.bufferIntervalSeconds} must be an integer 0-900`,
        !(Number.isInteger(t.retries) && t.retries >= 0) && `transform.retries ${t.retries} must be a whole number (0 or more)`,
    ].filter((x): x is string => typeof x === "string");
    if (bad.length > 0) throw new Error(bad.join("; "));
}

/**
 * Where records land: partitioned by event type and event date, newline-delimited JSON, GZIP. The
 * transformation Lambda returns the keys (`metadata.partitionKeys`): JQ cannot read gzip Logs
 * records, CDC records or IoT messages without the envelope.
 */
export const ARCHIVE_PREFIX = "events/event_type=!{partitionKeyFromLambda:event_type}/dt=!{partitionKeyFromLambda:event_date}/";
/** Records Firehose could not transform, partition or deliver, by error type and arrival date. */
export const ARCHIVE_ERROR_PREFIX = "errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/";
/**
 * The fixed roots of what Firehose writes (`events/`, `errors/`): the archive's tiering and expiry are
 * scoped to them, because a lifecycle filter takes one prefix and no negation, and the bucket also holds
 * the consumer's quarantine, which keeps its own retention and is never tiered.
 */
export const ARCHIVE_DATA_ROOTS = [ARCHIVE_PREFIX, ARCHIVE_ERROR_PREFIX].map((p) => p.slice(0, p.indexOf("/") + 1));

/**
 * Firehose reading the stream into the S3 data lake. The bucket: SSE-KMS with a bucket key,
 * versioning, every public access block flag, TLS-only policy, lifecycle, access logs to a log
 * bucket (SSE-S3, the encryption S3 log delivery supports). Firehose's role reads only this
 * stream, decrypts with the key only through Kinesis and S3, writes only this bucket and its log,
 * and invokes only its transformation Lambda, which gives every record its partition keys.
 */
export class FirehoseArchive extends pulumi.ComponentResource {
    public readonly bucket: aws.s3.Bucket;
    public readonly logBucket: aws.s3.Bucket;
    public readonly deliveryStream: aws.kinesis.FirehoseDeliveryStream;
    public readonly transform: StreamingFunction;

    constructor(name: string, args: FirehoseArchiveArgs, opts?: pulumi.ComponentResourceOptions) {
        super("streaming:firehose:Archive", name, {}, opts);
        const d = withDefaults(ARCHIVE_DEFAULTS, args);
        const { accountId, region } = args.context;

        this.logBucket = new aws.s3.Bucket(`${name}-access-logs`, { bucketPrefix: args.bucketPrefixes.accessLogs, tags: args.tags }, { parent: this });
        // Declared before its policy so the policy can name it as the only source of logs.
        this.bucket = new aws.s3.Bucket(
            name,
            mergeArgs<aws.s3.BucketArgs>({ bucketPrefix: args.bucketPrefixes.archive, tags: args.tags }, args.bucketArgs, [...GUARDED_BUCKET_SETTINGS], {
                component: "FirehoseArchive",
                arg: "bucketArgs",
                resource: this,
            }),
            { parent: this },
        );
        this.guard(`${name}-access-logs`, this.logBucket, { sseAlgorithm: "AES256" }, [
            {
                Sid: "S3ServerAccessLogDelivery",
                Effect: "Allow",
                Principal: { Service: "logging.s3.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: pulumi.interpolate`${this.logBucket.arn}/*`,
                // The S3 guide's conditions: this account, and only the archive bucket's logs.
                Condition: { StringEquals: { "aws:SourceAccount": accountId }, ArnLike: { "aws:SourceArn": this.bucket.arn } },
            },
        ]);
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-access-logs`,
            {
                bucket: this.logBucket.id,
                rules: [
                    { id: "expire-access-logs", status: "Enabled", filter: {}, expiration: { days: 90 }, noncurrentVersionExpiration: { noncurrentDays: 7 } },
                    ABORT_INCOMPLETE_UPLOADS,
                ],
            },
            { parent: this },
        );

        this.guard(name, this.bucket, { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }, []);
        new aws.s3.BucketLogging(name, { bucket: this.bucket.id, targetBucket: this.logBucket.id, targetPrefix: "archive/" }, { parent: this });
        new aws.s3.BucketLifecycleConfiguration(name, { bucket: this.bucket.id, rules: archiveLifecycleRules(d) }, { parent: this });

        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-delivery`,
            { name: `/aws/kinesisfirehose/${args.namePrefix}-archive`, retentionInDays: args.logRetentionDays ?? 30, kmsKeyId: args.kmsKeyArn, tags: args.tags },
            { parent: this },
        );
        const logStream = new aws.cloudwatch.LogStream(`${name}-delivery`, { name: "S3Delivery", logGroupName: logGroup.name }, { parent: this });

        const t = withDefaults(TRANSFORM_DEFAULTS, args.transform);
        checkTransformArgs(t);
        this.transform = new StreamingFunction(
            `${name}-transform`,
            {
                entry: "firehose-transform",
                functionName: args.transform.functionName,
                description: "Firehose transformation: normalises each feed's records into partitioned events for the archive",
                // Pure computation on the records Firehose passes: no AWS call besides its own logs.
                statements: [],
                environment: {
                    POWERTOOLS_SERVICE_NAME: "firehose-transform",
                    POWERTOOLS_METRICS_NAMESPACE: "StreamingPipeline",
                    ...firehoseTransformEnvironment({ iotTopicFilter: args.transform.iotTopicFilter }),
                },
                // Firehose supports invocations of up to 5 minutes.
                timeout: t.timeoutSeconds,
                kmsKeyArn: args.kmsKeyArn,
                logRetentionDays: args.logRetentionDays,
                tags: args.tags,
            },
            { parent: this },
        );
        // The form the Firehose docs grant and configure: function-name:version.
        const transformArn = pulumi.interpolate`${this.transform.function.arn}:$LATEST`;

        const role = new aws.iam.Role(
            `${name}-firehose`,
            { assumeRolePolicy: pulumi.jsonStringify(assumedBy("firehose.amazonaws.com", { StringEquals: { "sts:ExternalId": accountId } })), tags: args.tags },
            { parent: this },
        );
        const rolePolicy = new aws.iam.RolePolicy(
            `${name}-firehose`,
            {
                role: role.id,
                policy: pulumi.jsonStringify(
                    policyDocument(
                        {
                            Sid: "ReadSourceStream",
                            Effect: "Allow",
                            Action: ["kinesis:DescribeStream", "kinesis:GetShardIterator", "kinesis:GetRecords", "kinesis:ListShards"],
                            Resource: args.streamArn,
                        },
                        {
                            Sid: "DecryptSourceStream",
                            Effect: "Allow",
                            Action: "kms:Decrypt",
                            Resource: args.kmsKeyArn,
                            Condition: { StringEquals: { "kms:ViaService": pulumi.interpolate`kinesis.${region}.amazonaws.com` } },
                        },
                        {
                            Sid: "WriteArchive",
                            Effect: "Allow",
                            Action: ["s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:PutObject"],
                            Resource: [this.bucket.arn, pulumi.interpolate`${this.bucket.arn}/*`],
                        },
                        {
                            Sid: "EncryptArchive",
                            Effect: "Allow",
                            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                            Resource: args.kmsKeyArn,
                            Condition: { StringEquals: { "kms:ViaService": pulumi.interpolate`s3.${region}.amazonaws.com` } },
                        },
                        { Sid: "WriteDeliveryLog", Effect: "Allow", Action: "logs:PutLogEvents", Resource: pulumi.interpolate`${logGroup.arn}:log-stream:*` },
                        { Sid: "InvokeTransform", Effect: "Allow", Action: ["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"], Resource: transformArn },
                    ),
                ),
            },
            { parent: this },
        );

        this.deliveryStream = new aws.kinesis.FirehoseDeliveryStream(
            name,
            mergeArgs<aws.kinesis.FirehoseDeliveryStreamArgs>(
                {
                    name: `${args.namePrefix}-archive`,
                    destination: "extended_s3",
                    // No server-side encryption setting: with a Kinesis source, the stream's KMS encryption protects the data.
                    kinesisSourceConfiguration: { kinesisStreamArn: args.streamArn, roleArn: role.arn },
                    extendedS3Configuration: {
                        roleArn: role.arn,
                        bucketArn: this.bucket.arn,
                        bufferingSize: d.bufferSizeMb,
                        bufferingInterval: d.bufferIntervalSeconds,
                        compressionFormat: "GZIP",
                        kmsKeyArn: args.kmsKeyArn,
                        prefix: ARCHIVE_PREFIX,
                        errorOutputPrefix: ARCHIVE_ERROR_PREFIX,
                        dynamicPartitioningConfiguration: { enabled: true },
                        processingConfiguration: {
                            enabled: true,
                            processors: [
                                {
                                    type: "Lambda",
                                    parameters: [
                                        { parameterName: "LambdaArn", parameterValue: transformArn },
                                        { parameterName: "RoleArn", parameterValue: role.arn },
                                        { parameterName: "BufferSizeInMBs", parameterValue: String(t.bufferSizeMb) },
                                        { parameterName: "BufferIntervalInSeconds", parameterValue: String(t.bufferIntervalSeconds) },
                                        { parameterName: "NumberOfRetries", parameterValue: String(t.retries) },
                                    ],
                                },
                                { type: "AppendDelimiterToRecord", parameters: [{ parameterName: "Delimiter", parameterValue: "\\n" }] },
                            ],
                        },
                        cloudwatchLoggingOptions: { enabled: true, logGroupName: logGroup.name, logStreamName: logStream.name },
                    },
                    tags: args.tags,
                },
                args.deliveryStreamArgs,
                ["destination", "kinesisSourceConfiguration", "extendedS3Configuration.roleArn", "extendedS3Configuration.bucketArn", "extendedS3Configuration.kmsKeyArn"],
                { component: "FirehoseArchive", arg: "deliveryStreamArgs", resource: this },
            ),
            { parent: this, dependsOn: [rolePolicy] },
        );

        new aws.cloudwatch.MetricAlarm(
            `${name}-freshness`,
            alarmArgs(
                {
                    description: `The archive is late: records older than ${d.freshnessAlarmSeconds} s are not yet in S3 (DeliveryToS3.DataFreshness)`,
                    namespace: "AWS/Firehose",
                    metricName: "DeliveryToS3.DataFreshness",
                    dimensions: { DeliveryStreamName: this.deliveryStream.name },
                    statistic: "Maximum",
                    comparisonOperator: "GreaterThanThreshold",
                    threshold: d.freshnessAlarmSeconds,
                    evaluationPeriods: 3,
                    treatMissingData: "notBreaching",
                    periodSeconds: 300,
                },
                args.alertsTopicArn,
                args.tags,
            ),
            { parent: this },
        );
        new aws.cloudwatch.MetricAlarm(
            `${name}-transform-failing`,
            alarmArgs(
                {
                    description: "The archive's transformation Lambda fails invocations (after retries their records go, raw, under errors/processing-failed/)",
                    namespace: "AWS/Firehose",
                    metricName: "ExecuteProcessing.Success",
                    dimensions: { DeliveryStreamName: this.deliveryStream.name },
                    statistic: "Minimum",
                    comparisonOperator: "LessThanThreshold",
                    threshold: 1,
                    evaluationPeriods: 3,
                    treatMissingData: "notBreaching",
                    periodSeconds: 300,
                },
                args.alertsTopicArn,
                args.tags,
            ),
            { parent: this },
        );
        this.registerOutputs({ bucketName: this.bucket.bucket, deliveryStreamName: this.deliveryStream.name, transformFunctionArn: this.transform.function.arn });
    }

    /** The guards every bucket of the stack gets: encryption, versioning, no public access, TLS only. */
    private guard(
        name: string,
        bucket: aws.s3.Bucket,
        encryption: { sseAlgorithm: "AES256" } | { sseAlgorithm: "aws:kms"; kmsMasterKeyId: pulumi.Input<string> },
        extraStatements: Parameters<typeof policyDocument>,
    ): void {
        new aws.s3.BucketServerSideEncryptionConfiguration(
            name,
            { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: encryption, bucketKeyEnabled: encryption.sseAlgorithm === "aws:kms" }] },
            { parent: this },
        );
        new aws.s3.BucketVersioning(name, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, { parent: this });
        const block = new aws.s3.BucketPublicAccessBlock(
            name,
            { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            { parent: this },
        );
        new aws.s3.BucketPolicy(
            name,
            {
                bucket: bucket.id,
                policy: pulumi.jsonStringify(policyDocument(...extraStatements, denyInsecureTransport("s3:*", [bucket.arn, pulumi.interpolate`${bucket.arn}/*`]))),
            },
            // S3 refuses a policy change while the public access block is being applied.
            { parent: this, dependsOn: [block] },
        );
    }
}

/**
 * The archive bucket's lifecycle: what Firehose writes is tiered to Standard-IA, then expired; the
 * quarantine (redrive markers included) is only expired, after its own retention, with no noncurrent
 * copy left behind a day later; incomplete multipart uploads go everywhere after 7 days.
 */
export function archiveLifecycleRules(d: {
    transitionDays: number;
    expirationDays: number;
    quarantineRetentionDays: number;
}): aws.types.input.s3.BucketLifecycleConfigurationRule[] {
    return [
        ...ARCHIVE_DATA_ROOTS.map((prefix) => ({
            id: `tier-and-expire-${prefix.replace(/\/$/, "")}`,
            status: "Enabled",
            filter: { prefix },
            transitions: [{ days: d.transitionDays, storageClass: "STANDARD_IA" }],
            expiration: d.expirationDays > 0 ? { days: d.expirationDays } : undefined,
            noncurrentVersionExpiration: { noncurrentDays: 30 },
        })),
        {
            id: "expire-quarantine",
            status: "Enabled",
            filter: { prefix: QUARANTINE_PREFIX },
            expiration: { days: d.quarantineRetentionDays },
            noncurrentVersionExpiration: { noncurrentDays: 1 },
        },
        ABORT_INCOMPLETE_UPLOADS,
    ];
}

/** Every bucket's lifecycle: the parts of an upload never completed are billed until aborted. */
const ABORT_INCOMPLETE_UPLOADS: aws.types.input.s3.BucketLifecycleConfigurationRule = {
    id: "abort-incomplete-uploads",
    status: "Enabled",
    filter: {},
    abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
};
