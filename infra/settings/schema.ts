// Every key of the `kinesis-streaming:` namespace, defined once: its Pulumi type, default, check,
// section and the words Pulumi.yaml and the README show. `npm run gen:config` writes Pulumi.yaml's
// config section and the README's configuration table from it (tests/infra/config.test.ts fails
// when the committed ones differ); infra/settings/index.ts reads a stack's values through it.
import { z } from "zod";
import { DEFAULT_QUARANTINE_RETENTION_DAYS } from "../../contracts/quarantine";
import { MAX_BODY_BYTES } from "../../contracts/env/ingest";
import { EVENT_TYPES } from "../../contracts/events";
import { isAwsRegion } from "../lib/regions";
import { ALERT_SUBSCRIPTION } from "./alert-subscriptions";
import { boolean, eachMatching, eachOf, integer, list, listOf, oneOf, optionalText, subsetOf, text, type Key, type ValueOf } from "./fields";

export const PROJECT = "kinesis-streaming";

export const STREAM_MODES = ["ON_DEMAND", "PROVISIONED"] as const;
export type StreamMode = (typeof STREAM_MODES)[number];

/** Shard-level metrics Kinesis accepts (`EnableEnhancedMonitoring`). */
export const SHARD_LEVEL_METRICS = [
    "IncomingBytes",
    "IncomingRecords",
    "OutgoingBytes",
    "OutgoingRecords",
    "WriteProvisionedThroughputExceeded",
    "ReadProvisionedThroughputExceeded",
    "IteratorAgeMilliseconds",
] as const;

/** Event types (contracts/events.ts), for filter criteria. */
export const EVENT_TYPE_NAMES = EVENT_TYPES;

/** How the replica stream gets its capacity: on-demand (keeps up with any primary), or the primary's mode, shards and autoscaling. */
export const REPLICA_CAPACITIES = ["ON_DEMAND", "MATCH_PRIMARY"] as const;
export type ReplicaCapacity = (typeof REPLICA_CAPACITIES)[number];

/** Retention values CloudWatch Logs accepts (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

export const NAME = { re: /^[a-z][a-z0-9-]{0,19}$/, allowed: "must be 1-20 characters: lowercase letters, digits and hyphens, starting with a letter" };
const LABEL = { re: /^[\w .:/=+@-]{1,256}$/, allowed: "must be 1-256 characters valid in an AWS tag value" };
const KMS_KEY_ARN = {
    re: /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key\/[0-9a-f-]{36}|key\/mrk-[0-9a-f]{32})$/,
    allowed: "must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key-id>)",
};
const PRINCIPAL_ARN = {
    re: /^arn:aws[a-z-]*:iam::\d{12}:(root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+)$/,
    allowed: "each entry must be an IAM account root, role or user ARN (arn:aws:iam::<account>:root|role/<name>|user/<name>)",
};

/**
 * The keys in the order Pulumi.yaml and the README list them (and errors are reported in). The CLI
 * fills every key from Pulumi.yaml's defaults, so "not set" is a default value (0, "" or []), never
 * the absence of a key; a refused value reads as the default for the cross-field rules, except a
 * string or list, which reads as given.
 */
export const SCHEMA = {
    environment: optionalText(NAME, {
        section: "general",
        description: "Environment name used in physical names and tags (lowercase, 1-20 chars); empty means the stack name.",
        doc: "Environment name in physical names (`kinesis-streaming-<environment>-events`, `alias/kinesis-streaming-<environment>-key`; buckets `kinesis-<environment>-archive-…` and `kinesis-<environment>-logs-…`, which fit S3's 63 characters at 20), in resource names and in the `Environment` tag",
        allowed: "empty (the stack name), or 1-20 characters: lowercase letters, digits and hyphens, starting with a letter",
    }),
    owner: text("platform-team", LABEL, {
        section: "general",
        description: "Owner tag on every resource.",
        doc: "`Owner` tag on every resource",
        allowed: "1-256 characters valid in an AWS tag value (letters, digits, spaces and `_ . : / = + - @`)",
    }),
    costCenter: text("unassigned", LABEL, {
        section: "general",
        description: "CostCenter tag on every resource.",
        doc: "`CostCenter` tag on every resource",
        allowed: "as `owner`",
    }),
    deletionProtection: boolean(false, {
        section: "general",
        description: "Pulumi `protect` on the stream and the KMS key so a stray destroy cannot lose data.",
        doc: "Pulumi `protect` on the stream and on the KMS key the stack creates, so a stray `pulumi destroy` cannot lose data",
    }),
    streamMode: oneOf(STREAM_MODES, "ON_DEMAND", {
        section: "stream",
        description: "ON_DEMAND or PROVISIONED.",
        doc: "Capacity mode of the stream",
    }),
    shardCount: integer(
        0,
        { min: 0, max: 10_000, unit: "shards; 0 = not set" },
        {
            section: "stream",
            description: "Shards of a PROVISIONED stream (1-10000, required then); 0 (not set) for ON_DEMAND.",
            doc: "Shards of a provisioned stream",
            allowed: "1-10000 with `streamMode: PROVISIONED` (required then); `0` (not set) with `ON_DEMAND`, anything else is an error",
        },
    ),
    retentionHours: integer(
        168,
        { min: 24, max: 8760, unit: "hours" },
        {
            section: "stream",
            description: "How long records stay readable, 24-8760 hours (168 = Security Hub Kinesis.3).",
            doc: "How long records stay readable (168 h: Security Hub Kinesis.3)",
        },
    ),
    shardLevelMetrics: list(SHARD_LEVEL_METRICS, subsetOf(SHARD_LEVEL_METRICS, `each must be one of ${SHARD_LEVEL_METRICS.join(", ")}`), {
        section: "stream",
        description: "Shard-level (enhanced) metrics to enable.",
        doc: "Shard-level (enhanced) CloudWatch metrics to enable (billed by CloudWatch); `[]` turns them off",
        allowed: "any of those seven",
    }),
    enforceConsumerDeletion: boolean(true, {
        section: "stream",
        description: "Deregister enhanced fan-out consumers when the stream is deleted instead of failing.",
        doc: "Deregister enhanced fan-out consumers when the stream is deleted instead of failing the delete",
    }),
    // The Kinesis guide, "Handle large records": raising the limit changes no shard throughput.
    maxRecordSizeKib: integer(
        1024,
        { min: 1024, max: 10_240, unit: "KiB" },
        {
            section: "stream",
            description:
                "Largest record the stream accepts, 1024-10240 KiB (default 1 MiB). Shard throughput is unchanged (1 MiB/s write per shard), so large records burst and then throttle, and every reader must handle them.",
            doc: "Largest record the stream accepts (`MaxRecordSizeInKiB`); the replica stream takes the same. Per the Kinesis guide's \"Handle large records\": shard throughput does not change (1 MiB/s and 1,000 records/s write per shard; a large record uses the shard's burst capacity and then throttles the shard), keep large records under 2% of the traffic, and spread them over the shards (the stack's producer library does, unless `ordered`). What each reader takes: the consumer and replicator Lambdas (event source mappings) get records base64-encoded within Lambda's 6 MB invocation payload, so at most 4393 KiB (refused above); the archive's Firehose reads the stream with dynamic partitioning and a transformation Lambda, which the guide says do not support large records (plain S3 delivery would), so above 1024 records over 1 MiB may miss `events/` (a failed transformation puts them raw under `errors/processing-failed/` and raises the archive's alarm) and `kinesis-stream-record-size-readers` warns at every preview; a KCL application (the `kclApplicationName` support) needs KCL 2.x or later; a Managed Flink application (`analyticsArtifactBucket`) reads them with the Kinesis source connector (up to 10 MiB) but must not write them with the Kinesis sink connector (1 MiB); external producers using the stack's producer library read the limit with DescribeStreamSummary, which `producerRoleArn` allows",
            allowed:
                "1024-10240 (KiB), and at most 4393 while the consumer Lambda reads the stream (base64 within Lambda's 6 MB payload); above 1024 the `kinesis-stream-record-size-readers` policy warns that the archive's dynamic partitioning and transformation Lambda do not support large records",
        },
    ),
    warmThroughputMibps: integer(
        0,
        { min: 0, max: 10_240, unit: "MiB/s; 0 = not set" },
        {
            section: "stream",
            description: "Write throughput (MiB/s, 1-10240) an ON_DEMAND stream is kept scaled for (warm throughput); needs accountHasMinimumThroughputCommitment. 0 = not set.",
            doc: "Write throughput an on-demand stream is kept scaled to take at once (`UpdateStreamWarmThroughput`). AWS supports it only on `ON_DEMAND` streams in accounts with the minimum throughput billing commitment (On-demand Advantage), up to 10 GiB/s by default",
            allowed: "0 (not set) or 1-10240 with `streamMode: ON_DEMAND` and `accountHasMinimumThroughputCommitment: true`",
        },
    ),
    accountHasMinimumThroughputCommitment: boolean(false, {
        section: "stream",
        description:
            "The account has the minimum throughput billing commitment (On-demand Advantage, set account-wide with UpdateAccountSettings, at least 24 h); never managed by this stack.",
        doc: "Declares that the account has the Kinesis minimum throughput billing commitment (On-demand Advantage). The commitment is account-wide (`UpdateAccountSettings`, held at least 24 hours) and so never managed by a stack; this flag only tells the stack, which then allows `warmThroughputMibps`. The policy pack cannot read the stack's config: set the same `accountHasMinimumThroughputCommitment` on `kinesis-stream-warm-throughput` in `policies/config/<environment>.json`",
    }),
    kmsKeyArn: optionalText(KMS_KEY_ARN, {
        section: "encryption",
        description:
            'Adopt this customer-managed KMS key instead of creating one (then kmsKeyDeletionWindowDays must stay 30); its key policy must let CloudWatch Logs and CloudWatch alarms use it (README, "Adopting a key").',
        doc: "Adopt this customer-managed key instead of creating one. Its key policy is then yours to manage and must hold the two statements of [Adopting a key](#adopting-a-key), or log groups fail to create and alarm notifications are dropped silently (not checked at preview: @pulumi/aws has no data source that reads a key policy)",
        allowed:
            "empty (create a key) or a KMS key ARN `arn:<partition>:kms:<region>:<account>:key/<key-id>` (multi-Region `mrk-` ids too); `kmsKeyDeletionWindowDays` must then stay at its default",
    }),
    kmsKeyDeletionWindowDays: integer(
        30,
        { min: 7, max: 30, unit: "days" },
        {
            section: "encryption",
            description: "Waiting period (7-30 days) before the created key is destroyed after deletion.",
            doc: "Waiting period before a deleted key is destroyed",
            allowed: "7-30; only for a key the stack creates (another value with `kmsKeyArn` is an error)",
        },
    ),
    iteratorAgeAlarmMs: integer(
        60_000,
        { min: 1_000, max: (8760 * 3_600_000) / 2, unit: "milliseconds" },
        {
            section: "alarms",
            description: "Iterator age (ms) that raises the stream's consumer-lag alarm; at most half the retention.",
            doc: "Age of the oldest unread record (`GetRecords.IteratorAgeMilliseconds`, Maximum) that raises the consumer-lag alarm",
            allowed: "from 1000 to half the retention (43200000 at 24 h, 302400000 at 168 h)",
        },
    ),
    // Percentages as integers: Pulumi's config schema has no number type.
    throughputExceededAlarmPercent: integer(
        1,
        { min: 1, max: 100, unit: "percent of requests throttled" },
        {
            section: "alarms",
            description: "Percent of requests throttled (1-100, Average of Read/WriteProvisionedThroughputExceeded) that raises an alarm.",
            doc: "Percent of requests throttled (Average of `WriteProvisionedThroughputExceeded` or `ReadProvisionedThroughputExceeded`) that raises the write or read throttling alarm",
        },
    ),
    putRecordsFailureAlarmPercent: integer(
        1,
        { min: 1, max: 100, unit: "percent of PutRecords entries failing" },
        {
            section: "alarms",
            description: "Percent of PutRecords entries failing (1-100) that raises an alarm.",
            doc: "Percent of PutRecords entries failing (`PutRecords.FailedRecords / PutRecords.TotalRecords`) that raises an alarm",
        },
    ),
    alarmEvaluationPeriods: integer(
        5,
        { min: 1, max: 60, unit: "one-minute periods" },
        {
            section: "alarms",
            description: "Consecutive one-minute periods (1-60) in breach before an alarm fires.",
            doc: "Consecutive one-minute periods in breach before an alarm fires (all of them must breach)",
        },
    ),
    alertSubscriptions: listOf(ALERT_SUBSCRIPTION, {
        section: "alerts",
        description: "Who receives alerts; each entry an email address, an https:// URL or an SQS queue ARN (whose queue policy must let the alerts topic send; see README).",
        doc: "Who receives the alerts. Email and https subscriptions must be confirmed by their owner; an SQS queue is not this stack's: its owner adds the queue-policy statement of [Alerts to an SQS queue](#alerts-to-an-sqs-queue), or nothing arrives",
        allowed:
            "each entry an email address alone (`ops@example.com`: no `mailto:`, no display name), an `https://` URL or an SQS queue ARN (`arn:<partition>:sqs:<region>:<account>:<name>`, `.fifo` allowed); the protocol (SNS `email`, `https`, `sqs`) follows from the form, and every bad entry is reported. SNS's other protocols are not offered: `http` sends alerts in clear text, `sms`, `lambda`, `firehose` and `application` need permissions or roles the stack does not create",
    }),
    logRetentionDays: integer(
        30,
        { min: 1, max: 3653, unit: "days" },
        {
            section: "logs",
            description: "Days to keep Lambda and API logs (a value CloudWatch Logs accepts, e.g. 7, 30, 90, 365).",
            doc: "Days to keep the ingest function's logs, the API access logs and the IoT rule's error log",
            allowed: "a value CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
        },
    ),
    ingestAuthorization: oneOf(["IAM", "JWT"], "IAM", {
        section: "ingest",
        description: "Who may call POST /events. IAM (SigV4, default; not open to the internet) or JWT.",
        doc: "Who may call `POST /events`. `IAM`: requests signed with SigV4 by a principal whose IAM policy allows `execute-api:Invoke` on the API (the external producer role has it; not open to the internet). `JWT`: a bearer token from `ingestJwtIssuer` for one of `ingestJwtAudience`",
    }),
    ingestJwtIssuer: optionalText(
        { re: /^https:\/\/\S+$/, allowed: "must be the https:// URL of the token issuer" },
        {
            section: "ingest",
            description: "Token issuer URL (https) when ingestAuthorization is JWT.",
            doc: "Issuer of the tokens the JWT authorizer accepts",
            allowed: "an `https://` URL; required with `JWT`, not allowed with `IAM`",
        },
    ),
    ingestJwtAudience: list([], z.array(z.string()), {
        section: "ingest",
        description: "Accepted token audiences when ingestAuthorization is JWT.",
        doc: "Audiences the JWT authorizer accepts",
        allowed: "at least one entry with `JWT`, none with `IAM`",
    }),
    ingestThrottleRatePerSecond: integer(
        100,
        { min: 1, max: 10_000, unit: "requests per second" },
        {
            section: "ingest",
            description: "Steady-state requests per second the ingest API accepts (1-10000).",
            doc: "Steady-state requests per second the ingest API stage accepts",
        },
    ),
    ingestThrottleBurst: integer(
        200,
        { min: 1, max: 5_000, unit: "requests" },
        {
            section: "ingest",
            description: "Burst of requests the ingest API accepts (1-5000).",
            doc: "Burst of requests the ingest API stage accepts",
        },
    ),
    ingestMaxBodyBytes: integer(
        0,
        { min: 0, max: MAX_BODY_BYTES.max, unit: "bytes; 0 follows the stream; Lambda takes at most 6 MB synchronously" },
        {
            section: "ingest",
            description:
                "Largest request body the ingest API accepts (1024-6000000 bytes); larger gets HTTP 413. 0 (default) follows the stream: maxRecordSizeKib, at most 6000000 (Lambda's synchronous payload, below the HTTP API's 10 MB).",
            doc: "Largest request body the ingest function accepts; a larger one gets HTTP 413. `0` follows the stream: one record of `maxRecordSizeKib`, capped at 6,000,000 bytes, the lower of Lambda's 6 MB synchronous payload and the HTTP API's 10 MB payload quota (so records over about 5.7 MiB reach the stream only from other producers). Each event becomes one record, so an event over the stream's limit is refused per event (`RecordTooLarge`) even when the body fits",
            allowed: "0 (follow the stream) or 1024-6000000 (Lambda takes at most 6 MB synchronously)",
        },
    ),
    producerTrustedPrincipals: list([], eachMatching(PRINCIPAL_ARN), {
        section: "producers",
        description: "IAM principal ARNs that may assume the external producer role; empty means this account.",
        doc: "Who may assume the external producer role; empty means this account (any of its principals whose own IAM policy allows `sts:AssumeRole` on the role)",
        allowed: "each an IAM ARN `arn:<partition>:iam::<account>:root`, `...:role/<name>` or `...:user/<name>`",
    }),
    iotTopicFilter: optionalText(
        { re: /^[^#+\s'][^\s']*$|^[+#][^\s']*$/, allowed: "must be an MQTT topic filter without spaces or quotes, e.g. devices/+/telemetry" },
        {
            section: "producers",
            description: "MQTT topic filter (e.g. devices/+/telemetry) whose messages an IoT rule sends to the stream; empty = no IoT feed.",
            doc: "An IoT Core rule (`SELECT * FROM '<filter>'`) sends matching device messages to the stream, partition key the topic; rule errors go to a log group",
            allowed: "an MQTT topic filter without spaces or quotes, e.g. `devices/+/telemetry`; empty means no IoT feed",
        },
    ),
    logsSubscriptionLogGroups: list([], eachMatching({ re: /^[\w\-/.#]{1,512}$/, allowed: "each entry must be a log group name (letters, digits, _ - / . #)" }), {
        section: "producers",
        description: "Log groups whose events a CloudWatch Logs subscription sends to the stream.",
        doc: "One subscription filter per log group sends all of its events to the stream",
        allowed: "existing log group names (letters, digits and `_ - / . #`, up to 512 characters)",
    }),
    cdcTableName: optionalText(
        { re: /^[\w.-]{3,255}$/, allowed: "must be a DynamoDB table name (3-255 characters: letters, digits, _ - .)" },
        {
            section: "producers",
            description: "DynamoDB table whose item changes stream into Kinesis (CDC); empty = no CDC feed.",
            doc: "The table's item changes stream into Kinesis (a Kinesis streaming destination with millisecond timestamps)",
            allowed: "an existing DynamoDB table name (3-255 characters: letters, digits and `_ - .`); empty means no CDC feed",
        },
    ),
    consumerStartingPosition: oneOf(["LATEST", "TRIM_HORIZON"], "TRIM_HORIZON", {
        section: "consumer",
        description: "Where the consumer's event source mapping starts on a new shard, TRIM_HORIZON or LATEST.",
        doc: "Where the consumer's event source mapping starts on a new shard",
    }),
    consumerBatchSize: integer(
        100,
        { min: 1, max: 10_000, unit: "records" },
        {
            section: "consumer",
            description: "Records per consumer invocation (1-10000).",
            doc: "Records per consumer invocation",
        },
    ),
    consumerBatchingWindowSeconds: integer(
        1,
        { min: 0, max: 300, unit: "seconds" },
        {
            section: "consumer",
            description: "Seconds the event source mapping gathers records before invoking (0-300).",
            doc: "Seconds the mapping gathers records before invoking",
        },
    ),
    consumerParallelizationFactor: integer(
        1,
        { min: 1, max: 10, unit: "concurrent batches per shard" },
        {
            section: "consumer",
            description: "Concurrent batches per shard (1-10); per-partition-key order holds at any value.",
            doc: "Concurrent batches per shard; per-partition-key order holds at any value",
        },
    ),
    // -1 (retry until the record expires) is what blocks a shard for days: only bounded values.
    consumerMaxRetryAttempts: integer(
        3,
        { min: 0, max: 10_000, unit: "retries; -1 (forever) is not allowed" },
        {
            section: "consumer",
            description: "Retries of a failing batch before its metadata goes to the on-failure queue (0-10000; never -1).",
            doc: "Retries of a failing batch (bisected on each error) before its metadata goes to the on-failure queue",
            allowed: "0-10000 (never `-1`, which retries until the record expires and blocks the shard)",
        },
    ),
    consumerMaxRecordAgeSeconds: integer(
        3600,
        { min: 60, max: 604_800, unit: "seconds; -1 (forever) is not allowed" },
        {
            section: "consumer",
            description: "Oldest record the consumer still processes (60-604800 s, shorter than the retention).",
            doc: "Oldest record the consumer still processes; older ones go to the on-failure queue",
            allowed: "60-604800 and shorter than the retention",
        },
    ),
    consumerUseEfo: boolean(false, {
        section: "consumer",
        description: "Read through an enhanced fan-out consumer (dedicated 2 MiB/s per shard, ~70 ms) instead of shared polling.",
        doc: "Read through an enhanced fan-out consumer (2 MiB/s per shard of its own, ~70 ms) instead of shared polling",
    }),
    consumerFilterEventTypes: list([], eachOf(EVENT_TYPE_NAMES, `each entry must be one of ${EVENT_TYPE_NAMES.join(", ")}`), {
        section: "consumer",
        description:
            "Only these event types reach the consumer (event source mapping filter on plain JSON records; KPL aggregates, Logs and CDC records never match and are dropped, so the ingest API then writes unaggregated); empty = all.",
        doc: "Only these `event_type`s invoke the consumer. The filter sees plain JSON records only: KPL aggregates (what the producer client writes by default), Logs and CDC records never match and are dropped, so leave it empty unless producers send plain JSON. While it is set the ingest API writes plain (unaggregated) records, so its events still reach the consumer",
        allowed: "event types of `functions/shared/events.ts`",
    }),
    consumerMemoryMb: integer(
        512,
        { min: 128, max: 10_240, unit: "MB" },
        {
            section: "consumer",
            description: "Memory of the consumer function (128-10240 MB).",
            doc: "Memory of the consumer function",
        },
    ),
    fraudAmountThreshold: integer(
        10_000,
        { min: 1, max: 1_000_000_000, unit: "order amount" },
        {
            section: "consumer",
            description: "An order at or above this amount raises a fraud alert.",
            doc: "An order at or above this amount raises a fraud alert",
        },
    ),
    fraudOrdersPerMinute: integer(
        5,
        { min: 2, max: 10_000, unit: "orders per user per minute" },
        {
            section: "consumer",
            description: "A user's Nth order within one minute raises a fraud alert (2-10000).",
            doc: "A user's Nth order (and every later one) within one minute raises a fraud alert",
        },
    ),
    resultsTtlDays: integer(
        90,
        { min: 1, max: 3650, unit: "days" },
        {
            section: "results",
            description: "Days results stay in the results table before DynamoDB TTL removes them (1-3650).",
            doc: "Days results stay in the results table before DynamoDB TTL removes them (counted from `occurred_at`)",
        },
    ),
    // Dynamic partitioning needs a buffer of at least 64 MiB (Firehose rejects less).
    archiveBufferSizeMb: integer(
        64,
        { min: 64, max: 128, unit: "MiB; dynamic partitioning needs at least 64" },
        {
            section: "archive",
            description: "Firehose buffer size before writing to S3 (64-128 MiB; dynamic partitioning needs 64).",
            doc: "Firehose buffer size before writing to S3",
            allowed: "64-128 (dynamic partitioning needs at least 64)",
        },
    ),
    // The Firehose guide: "zero buffering is not available for dynamic partitioning"; below 60 s is that
    // low-latency mode's range (multipart uploads) and is not documented for it, so 60 s is the floor.
    archiveBufferIntervalSeconds: integer(
        60,
        { min: 60, max: 900, unit: "seconds; dynamic partitioning allows no zero buffering" },
        {
            section: "archive",
            description: "Firehose buffer interval before writing to S3 (60-900 s; dynamic partitioning has no zero buffering).",
            doc: "Firehose buffer interval before writing to S3",
            allowed: "60-900 (the Firehose guide: no zero buffering with dynamic partitioning; below 60 s is that low-latency mode's range, not documented for it)",
        },
    ),
    archiveTransitionDays: integer(
        30,
        { min: 30, max: 3650, unit: "days before moving to Standard-IA; S3 needs at least 30" },
        {
            section: "archive",
            description: "Days before archived objects move to S3 Standard-IA (at least 30).",
            doc: "Days before archived objects move to S3 Standard-IA",
        },
    ),
    archiveExpirationDays: integer(
        365,
        { min: 0, max: 36_500, unit: "days; 0 keeps objects forever" },
        {
            section: "archive",
            description: "Days before archived objects are deleted; 0 keeps them forever.",
            doc: "Days before archived objects are deleted",
            allowed: "0 (keep forever) or later than `archiveTransitionDays`",
        },
    ),
    archiveFreshnessAlarmSeconds: integer(
        900,
        { min: 60, max: 86_400, unit: "seconds" },
        {
            section: "archive",
            description: "Age of the oldest record not yet delivered to S3 that raises the archive alarm (60-86400 s).",
            doc: "Age of the oldest undelivered record that raises the archive alarm (`DeliveryToS3.DataFreshness`)",
            allowed: "60-86400, longer than the buffer interval",
        },
    ),
    quarantineRetentionDays: integer(
        DEFAULT_QUARANTINE_RETENTION_DAYS,
        { min: 1, max: 3650, unit: "days a quarantined record is kept" },
        {
            section: "archive",
            description: "Days a poison record the consumer quarantined (under quarantine/ in the archive bucket) is kept before it is deleted (1-3650).",
            doc: "Days a poison record the consumer quarantined (`quarantine/` in the archive bucket) is kept; never tiered (see [Quarantine](#quarantine))",
        },
    ),
    kclApplicationName: optionalText(
        { re: /^[a-zA-Z0-9_.-]{1,64}$/, allowed: "must be 1-64 characters: letters, digits, _ . - (it names the EFO consumer and the lease table)" },
        {
            section: "kcl",
            description: "Name of another team's KCL application; creates its EFO consumer, lease table and role. Empty = none.",
            doc: "Another team's KCL application: creates its EFO consumer, its three KCL 3.x tables (`<prefix>-<name>-leases`, `-WorkerMetricStats`, `-CoordinatorState`) and its role; see [KCL consumer applications](#kcl-consumer-applications)",
            allowed: "1-64 characters: letters, digits, `_ . -`; empty means none",
        },
    ),
    kclTrustedPrincipals: list([], eachMatching(PRINCIPAL_ARN), {
        section: "kcl",
        description: "IAM principal ARNs that may assume the KCL application's role; empty means this account.",
        doc: "Who may assume the KCL application's role; empty means this account",
        allowed: "IAM ARNs as in `producerTrustedPrincipals`",
    }),
    workloadRecordsPerSecond: integer(
        0,
        { min: 0, max: 100_000_000, unit: "records per second; 0 = not declared" },
        {
            section: "workload",
            description: "Expected Kinesis records per second (0 = not declared); with workloadAverageRecordBytes it drives the cost estimate and the shard-capacity policy.",
            doc: "Expected Kinesis records per second: the cost estimate of the offline preview and the shard-capacity policy use it",
            allowed: "0 (not declared) to 100000000",
        },
    ),
    workloadAverageRecordBytes: integer(
        0,
        { min: 0, max: 10 * 1024 * 1024, unit: "bytes; 0 = not declared" },
        {
            section: "workload",
            description: "Expected average record size in bytes (0 = not declared).",
            doc: "Expected average record size",
            allowed: "0 (not declared) to 10485760; declared together with `workloadRecordsPerSecond`",
        },
    ),
    autoscalingEnabled: boolean(false, {
        section: "autoscaling",
        description: "Run the shard autoscaler on a PROVISIONED stream (pulumi up then leaves shardCount to it).",
        doc: "Run the shard autoscaler; `pulumi up` then leaves `shardCount` to it",
        allowed: "`true` only with `streamMode: PROVISIONED`",
    }),
    autoscalingMinShards: integer(
        1,
        { min: 1, max: 10_000, unit: "shards" },
        {
            section: "autoscaling",
            description: "Fewest shards the autoscaler scales in to.",
            doc: "Fewest shards the autoscaler scales in to",
            allowed: "1-10000, at most `shardCount`",
        },
    ),
    autoscalingMaxShards: integer(
        64,
        { min: 1, max: 10_000, unit: "shards" },
        {
            section: "autoscaling",
            description: "Most shards the autoscaler scales out to.",
            doc: "Most shards the autoscaler scales out to",
            allowed: "1-10000, at least `shardCount` and `autoscalingMinShards`",
        },
    ),
    autoscalingReservedConcurrency: integer(
        1,
        { min: 0, max: 1, unit: "1 reserves one execution; 0 reserves none and relies on the autoscaler's lock" },
        {
            section: "autoscaling",
            description:
                "Reserved concurrency of the autoscaler (1), or 0 to reserve none on accounts with a low concurrency quota (its DynamoDB lock alone then keeps runs apart).",
            doc: "Reserved concurrency of the autoscaler. `0` reserves none, for accounts whose concurrency quota is too low to reserve any (Lambda keeps 100 unreserved): the autoscaler's own lock (a conditional write to its DynamoDB lock table, also there at `1`) then alone keeps two runs apart, and `lambda-autoscaler-concurrency` accepts it",
        },
    ),
    autoscalingPolicy: oneOf(["planning", "reactive"], "planning", {
        section: "autoscaling",
        description: "planning (forecast the day from 14 days of metrics and plan the 10 calls, reactive guard) or reactive (threshold rules only).",
        doc: "`planning`: forecast the day from 14 days of metrics and plan the 10 daily calls, reactive guard; `reactive`: the threshold rules alone",
    }),
    replicaRegion: optionalText(
        { re: { test: isAwsRegion }, allowed: "must be an AWS region code such as us-west-2 (infra/lib/regions.ts lists them)" },
        {
            section: "replication",
            description: "Region of a replica stream fed by a replicator Lambda (disaster recovery); empty = no replica.",
            doc: "Region of the disaster-recovery replica stream and its alerts topic. Its provider carries the stack's `aws:` settings over (`profile`, `assumeRoles`, `allowedAccountIds`, `forbiddenAccountIds`, `defaultTags`, `ignoreTags`, shared config files, static credentials as secrets, retry and skip settings), all but the region and `endpoints`",
            allowed:
                "empty (no replica) or a region code of `infra/lib/regions.ts` other than the stack's region and in the same partition (one set of credentials cannot reach `aws-cn` from `aws`)",
        },
    ),
    replicaCapacity: oneOf(REPLICA_CAPACITIES, "ON_DEMAND", {
        section: "replication",
        description: "ON_DEMAND (the replica keeps up with any primary) or MATCH_PRIMARY (the primary's mode and shards, with its own autoscaler when the primary has one).",
        doc: "`ON_DEMAND`: the replica scales itself, so it is never throttled once the primary scales out. `MATCH_PRIMARY`: the primary's mode and `shardCount`, and, when `autoscalingEnabled`, an autoscaler of its own in the replica region with the same bounds and concurrency",
        allowed: "`ON_DEMAND`, `MATCH_PRIMARY`; only with `replicaRegion`",
    }),
    // The Kinesis guide, "On-demand Advantage mode features and use cases": "an account-level setting
    // that ... provides a different pricing structure for all on-demand streams in the Region".
    replicaRegionHasMinimumThroughputCommitment: boolean(false, {
        section: "replication",
        description:
            "The account has the minimum throughput billing commitment in replicaRegion too (it is per Region); the on-demand replica then gets the primary's warmThroughputMibps.",
        doc: "Declares that the account also has the minimum throughput billing commitment (On-demand Advantage) in `replicaRegion`: the commitment is an account setting per Region (at least 25 MiB/s ingest and 25 MiB/s retrieval across the Region's on-demand streams), so the primary region's `accountHasMinimumThroughputCommitment` says nothing of the replica's. With it, an on-demand replica is warmed to the primary's `warmThroughputMibps`, so the copies of a forecast peak are not throttled there while the primary takes it; without it the replica gets no warm throughput and scales as on-demand streams do (to twice its previous peak at once)",
        allowed: "`true`, `false`; only with `replicaRegion`",
    }),
    vpcId: optionalText(
        { re: /^vpc-[0-9a-f]{8,17}$/, allowed: "must be a VPC id such as vpc-0abc1234" },
        {
            section: "network",
            description: "VPC for a Kinesis interface endpoint with private DNS; empty = none.",
            doc: "VPC of a Kinesis interface endpoint with private DNS",
            allowed: "empty or a VPC id (`vpc-...`); with `vpcSubnetIds`",
        },
    ),
    vpcSubnetIds: list([], eachMatching({ re: /^subnet-[0-9a-f]{8,17}$/, allowed: "each entry must be a subnet id such as subnet-0abc1234" }), {
        section: "network",
        description: "Subnets of the Kinesis VPC endpoint (and of the Lambdas when lambdasInVpc).",
        doc: "Subnets of the endpoint (and of the Lambdas with `lambdasInVpc`)",
        allowed: "subnet ids (`subnet-...`); with `vpcId`",
    }),
    lambdasInVpc: boolean(false, {
        section: "network",
        description: "Place the consumer and replicator Lambdas in vpcSubnetIds (the VPC must reach DynamoDB, SNS and SQS).",
        doc: "Place the consumer and replicator Lambdas in the subnets (their roles get what `AWSLambdaVPCAccessExecutionRole` grants, `ec2:DescribeSubnets` included); the VPC must then reach DynamoDB, SNS, SQS and, for the replicator, the replica region's Kinesis endpoint (endpoints or NAT)",
        allowed: "`true` only with `vpcId`",
    }),
    analyticsArtifactBucket: optionalText(
        { re: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, allowed: "must be an S3 bucket name" },
        {
            section: "analytics",
            description: "Bucket of your Managed Service for Apache Flink application artifact; empty = no analytics application.",
            doc: "Bucket of your Flink application's artifact",
            allowed: "empty or an S3 bucket name; with `analyticsArtifactKey`",
        },
    ),
    analyticsArtifactKey: optionalText(
        { re: /^\S{1,1024}$/, allowed: "must be an S3 object key (the application's JAR or ZIP)" },
        {
            section: "analytics",
            description: "Object key of the Flink application artifact (JAR or ZIP).",
            doc: "Object key of the artifact (JAR or ZIP)",
            allowed: "empty or an object key; with `analyticsArtifactBucket`",
        },
    ),
    analyticsParallelism: integer(
        1,
        { min: 1, max: 1_000, unit: "parallel tasks" },
        {
            section: "analytics",
            description: "Parallelism of the Flink application (1-1000).",
            doc: "Parallelism of the Flink application",
        },
    ),
    analyticsParallelismPerKpu: integer(
        1,
        { min: 1, max: 4, unit: "tasks per KPU" },
        {
            section: "analytics",
            description: "Parallel tasks per KPU of the Flink application (1-4).",
            doc: "Parallel tasks per KPU",
        },
    ),
    analyticsAutoScaling: boolean(true, {
        section: "analytics",
        description: "Let Managed Service for Apache Flink scale the application's parallelism.",
        doc: "Let the service scale the application's parallelism",
    }),
} satisfies Record<string, Key<unknown>>;

/** The typed value of every key, as read from a stack's config. */
export type Values = { [K in keyof typeof SCHEMA]: ValueOf<(typeof SCHEMA)[K]> };
