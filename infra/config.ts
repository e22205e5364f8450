import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_QUARANTINE_RETENTION_DAYS } from "../contracts/quarantine";
import { EVENT_TYPES } from "../contracts/events";
import { MAX_BODY_BYTES } from "../contracts/env/ingest";
import { ConfigReader, type RawConfig } from "./lib/config-reader";
import { isAwsRegion, partitionOf, resolveRegion, type ResolvedRegion } from "./lib/regions";

export const PROJECT = "kinesis-streaming";

export type StreamMode = "ON_DEMAND" | "PROVISIONED";
export const STREAM_MODES: readonly StreamMode[] = ["ON_DEMAND", "PROVISIONED"];

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
export type ReplicaCapacity = "ON_DEMAND" | "MATCH_PRIMARY";
export const REPLICA_CAPACITIES: readonly ReplicaCapacity[] = ["ON_DEMAND", "MATCH_PRIMARY"];

export type AlertProtocol = "email" | "https" | "sqs";
export interface AlertSubscription {
    protocol: AlertProtocol;
    endpoint: string;
}

/** The validated settings of one stack: everything the program reads from config. */
export interface Settings {
    project: string;
    stack: string;
    environment: string;
    owner: string;
    costCenter: string;
    /** Pulumi `protect` on stateful resources (stream, key) so a stray `pulumi destroy` cannot lose data. */
    deletionProtection: boolean;
    stream: {
        mode: StreamMode;
        /** Set only for PROVISIONED streams. */
        shardCount: number | undefined;
        retentionHours: number;
        shardLevelMetrics: string[];
        enforceConsumerDeletion: boolean;
    };
    encryption: {
        /** Adopt this key instead of creating one. */
        existingKeyArn: string | undefined;
        deletionWindowDays: number;
    };
    alarms: {
        iteratorAgeMs: number;
        throughputExceededThreshold: number;
        putRecordsFailureRate: number;
        evaluationPeriods: number;
    };
    alerts: {
        subscriptions: AlertSubscription[];
    };
    logRetentionDays: number;
    ingest: {
        authorization: { type: "IAM" } | { type: "JWT"; issuer: string; audience: string[] };
        throttleRatePerSecond: number;
        throttleBurst: number;
        maxBodyBytes: number;
    };
    producers: {
        trustedPrincipals: string[];
        iotTopicFilter: string | undefined;
        logGroupNames: string[];
        cdcTableName: string | undefined;
    };
    consumer: {
        startingPosition: "LATEST" | "TRIM_HORIZON";
        batchSize: number;
        batchingWindowSeconds: number;
        parallelizationFactor: number;
        maxRetryAttempts: number;
        maxRecordAgeSeconds: number;
        useEfo: boolean;
        filterEventTypes: string[];
        memoryMb: number;
        fraudAmountThreshold: number;
        fraudOrdersPerMinute: number;
    };
    results: { ttlDays: number };
    archive: {
        bufferSizeMb: number;
        bufferIntervalSeconds: number;
        transitionDays: number;
        expirationDays: number;
        freshnessAlarmSeconds: number;
        /** Days a quarantined poison record is kept under quarantine/ in the archive bucket. */
        quarantineRetentionDays: number;
    };
    kcl: { applicationName: string | undefined; trustedPrincipals: string[] };
    /** What the stream is expected to carry (0 = not declared): sizes shards, the cost estimate, the policy check. */
    workload: { recordsPerSecond: number; averageRecordBytes: number };
    /** `reservedConcurrency` 0 = none reserved: the autoscaler's own lock alone keeps runs apart. */
    autoscaling: { enabled: boolean; minShards: number; maxShards: number; reservedConcurrency: number; policy: "planning" | "reactive" };
    /** `capacity`: the replica stream ON_DEMAND, or shaped (and autoscaled) like the primary. */
    replication: { region: string | undefined; capacity: ReplicaCapacity };
    network: { vpcId: string | undefined; subnetIds: string[]; lambdasInVpc: boolean };
    analytics: { artifactBucket: string; artifactKey: string; parallelism: number; parallelismPerKpu: number; autoScaling: boolean } | undefined;
}

/** Every default in one typed place; `Pulumi.yaml` declares the same values (a test keeps them equal). */
export const DEFAULTS = {
    owner: "platform-team",
    costCenter: "unassigned",
    deletionProtection: false,
    environment: "",
    streamMode: "ON_DEMAND" as StreamMode,
    /** 0 = not set: the only value an ON_DEMAND stream takes; a PROVISIONED one needs 1-10000. */
    shardCount: 0,
    retentionHours: 168,
    shardLevelMetrics: [...SHARD_LEVEL_METRICS] as string[],
    enforceConsumerDeletion: true,
    kmsKeyArn: "",
    kmsKeyDeletionWindowDays: 30,
    iteratorAgeAlarmMs: 60_000,
    throughputExceededAlarmPercent: 1,
    putRecordsFailureAlarmPercent: 1,
    alarmEvaluationPeriods: 5,
    alertSubscriptions: [] as string[],
    logRetentionDays: 30,
    ingestAuthorization: "IAM" as "IAM" | "JWT",
    ingestJwtIssuer: "",
    ingestJwtAudience: [] as string[],
    ingestThrottleRatePerSecond: 100,
    ingestThrottleBurst: 200,
    ingestMaxBodyBytes: MAX_BODY_BYTES.default,
    producerTrustedPrincipals: [] as string[],
    iotTopicFilter: "",
    logsSubscriptionLogGroups: [] as string[],
    cdcTableName: "",
    consumerStartingPosition: "TRIM_HORIZON" as "LATEST" | "TRIM_HORIZON",
    consumerBatchSize: 100,
    consumerBatchingWindowSeconds: 1,
    consumerParallelizationFactor: 1,
    consumerMaxRetryAttempts: 3,
    consumerMaxRecordAgeSeconds: 3600,
    consumerUseEfo: false,
    consumerFilterEventTypes: [] as string[],
    consumerMemoryMb: 512,
    fraudAmountThreshold: 10_000,
    fraudOrdersPerMinute: 5,
    resultsTtlDays: 90,
    archiveBufferSizeMb: 64,
    archiveBufferIntervalSeconds: 60,
    archiveTransitionDays: 30,
    archiveExpirationDays: 365,
    archiveFreshnessAlarmSeconds: 900,
    quarantineRetentionDays: DEFAULT_QUARANTINE_RETENTION_DAYS,
    kclApplicationName: "",
    kclTrustedPrincipals: [] as string[],
    workloadRecordsPerSecond: 0,
    workloadAverageRecordBytes: 0,
    autoscalingEnabled: false,
    autoscalingMinShards: 1,
    autoscalingMaxShards: 64,
    autoscalingReservedConcurrency: 1,
    autoscalingPolicy: "planning" as "planning" | "reactive",
    replicaRegion: "",
    replicaCapacity: "ON_DEMAND" as ReplicaCapacity,
    vpcId: "",
    vpcSubnetIds: [] as string[],
    lambdasInVpc: false,
    analyticsArtifactBucket: "",
    analyticsArtifactKey: "",
    analyticsParallelism: 1,
    analyticsParallelismPerKpu: 1,
    analyticsAutoScaling: true,
};

/** Retention values CloudWatch Logs accepts (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

const NAME = { re: /^[a-z][a-z0-9-]{0,19}$/, allowed: "must be 1-20 characters: lowercase letters, digits and hyphens, starting with a letter" };
const LABEL = { re: /^[\w .:/=+@-]{1,256}$/, allowed: "must be 1-256 characters valid in an AWS tag value" };
const KMS_KEY_ARN = {
    re: /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key\/[0-9a-f-]{36}|key\/mrk-[0-9a-f]{32})$/,
    allowed: "must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key-id>)",
};
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(root|role\/[\w+=,.@\/-]+|user\/[\w+=,.@\/-]+)$/;
// An address alone: a `mailto:` URI or a display name is not an endpoint SNS's email protocol takes.
const EMAIL = /^[\w.!#$%&'*+=?^`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)+$/;
const HTTPS = /^https:\/\/[^\s/]+(\/\S*)?$/;
const SQS_ARN = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[\w-]{1,80}(\.fifo)?$/;

/** Turns one `alertSubscriptions` entry into a subscription, inferring the protocol from its form. */
export function parseSubscription(entry: string): AlertSubscription | undefined {
    if (EMAIL.test(entry)) return { protocol: "email", endpoint: entry };
    if (HTTPS.test(entry)) return { protocol: "https", endpoint: entry };
    if (SQS_ARN.test(entry)) return { protocol: "sqs", endpoint: entry };
    return undefined;
}

/**
 * Why an `alertSubscriptions` entry is refused. SNS's protocols and the endpoint each takes (Subscribe
 * API): email / email-json an address, http / https a URL with that scheme, sms a phone number, sqs /
 * lambda / firehose / application the ARN of a queue, function, delivery stream or mobile endpoint.
 * This stack offers email, https and sqs: http sends alerts in clear text, and the others need
 * permissions or a role the stack does not create.
 */
function subscriptionProblem(entry: string): string {
    const allowed = "each entry must be an email address (ops@example.com), an https:// URL or an SQS queue ARN";
    if (/^mailto:/i.test(entry)) return `${allowed}; SNS has no mailto protocol: give the address without "mailto:"`;
    if (/^http:\/\//i.test(entry)) return `${allowed}; http:// would send alerts in clear text`;
    return allowed;
}

/**
 * What the program knows of the stack beyond the values of its own keys. Unit tests of single keys
 * leave it out; the program and the tools always give it (see `settingsFromConfig`).
 */
export interface StackContext {
    /** The region the AWS provider will deploy to, undefined when nothing sets one (refused). */
    region: ResolvedRegion | undefined;
    /** Every key the stack sets in the project's namespace, without the prefix: any the program does not read is refused. */
    setKeys: readonly string[];
}

/**
 * Reads and validates the whole configuration. Pure: `raw` gives the string Pulumi holds for a key
 * (undefined when unset). Throws a `ConfigError` listing every bad key; nothing is created then.
 * The CLI fills every key from Pulumi.yaml's defaults, so "not set" is a default value here
 * (0, "" or []), never the absence of a key.
 */
export function parseSettings(raw: RawConfig, stack: string, context?: StackContext): Settings {
    const project = PROJECT;
    const r = new ConfigReader(raw, project);
    const region = context?.region;
    if (context && !region) {
        r.report("No AWS region: set aws:region in the stack file (pulumi config set aws:region us-east-1), or AWS_REGION / AWS_DEFAULT_REGION, or a region in the AWS profile");
    }
    if (region && !isAwsRegion(region.region)) {
        const allowed = "must be an AWS region code such as us-east-1 (infra/lib/regions.ts lists them)";
        r.report(region.source === "aws:region" ? `Invalid configuration aws:region = ${JSON.stringify(region.region)}: ${allowed}` : `Invalid AWS region ${JSON.stringify(region.region)} from ${region.source}: ${allowed}`);
    }

    const environment = r.optionalString("environment", NAME) ?? stack;
    if (environment === stack && !NAME.re.test(stack)) {
        r.problem("environment", stack, `${NAME.allowed} (it defaults to the stack name, so set it when the stack name does not fit)`);
    }
    const owner = r.string("owner", DEFAULTS.owner, LABEL);
    const costCenter = r.string("costCenter", DEFAULTS.costCenter, LABEL);
    const deletionProtection = r.boolean("deletionProtection", DEFAULTS.deletionProtection);

    const mode = r.oneOf("streamMode", STREAM_MODES, DEFAULTS.streamMode);
    const shardCount = r.integer("shardCount", { min: 0, max: 10_000, unit: "shards; 0 = not set" }, DEFAULTS.shardCount);
    if (mode === "ON_DEMAND" && shardCount !== 0) {
        r.problem("shardCount", shardCount, "applies only when streamMode is PROVISIONED (on-demand streams manage their own shards); remove it or set 0");
    }
    if (mode === "PROVISIONED" && shardCount === 0) {
        r.problem("shardCount", shardCount, "is required when streamMode is PROVISIONED: an integer from 1 to 10000 (shards)");
    }
    const retentionHours = r.integer("retentionHours", { min: 24, max: 8760, unit: "hours" }, DEFAULTS.retentionHours);
    const shardLevelMetrics = r.stringList("shardLevelMetrics", DEFAULTS.shardLevelMetrics);
    const unknownMetrics = shardLevelMetrics.filter((m) => !(SHARD_LEVEL_METRICS as readonly string[]).includes(m));
    if (unknownMetrics.length > 0) {
        r.problem("shardLevelMetrics", unknownMetrics.join(","), `each must be one of ${SHARD_LEVEL_METRICS.join(", ")}`);
    }
    const enforceConsumerDeletion = r.boolean("enforceConsumerDeletion", DEFAULTS.enforceConsumerDeletion);

    const existingKeyArn = r.optionalString("kmsKeyArn", KMS_KEY_ARN);
    const deletionWindowDays = r.integer("kmsKeyDeletionWindowDays", { min: 7, max: 30, unit: "days" }, DEFAULTS.kmsKeyDeletionWindowDays);
    if (existingKeyArn !== undefined && deletionWindowDays !== DEFAULTS.kmsKeyDeletionWindowDays) {
        r.problem("kmsKeyDeletionWindowDays", deletionWindowDays, "applies only to a key this stack creates; provide either kmsKeyArn or kmsKeyDeletionWindowDays, not both");
    }

    const halfRetentionMs = (retentionHours * 3_600_000) / 2;
    const iteratorAgeMs = r.integer("iteratorAgeAlarmMs", { min: 1_000, max: 8760 * 3_600_000 / 2, unit: "milliseconds" }, DEFAULTS.iteratorAgeAlarmMs);
    if (iteratorAgeMs > halfRetentionMs) {
        r.problem("iteratorAgeAlarmMs", iteratorAgeMs, `must be at most half the retention (${halfRetentionMs} ms for retentionHours ${retentionHours}), or records expire before anyone is alerted`);
    }
    // Percentages as integers: Pulumi's config schema has no number type.
    const throughputExceededThreshold = r.integer("throughputExceededAlarmPercent", { min: 1, max: 100, unit: "percent of requests throttled" }, DEFAULTS.throughputExceededAlarmPercent) / 100;
    const putRecordsFailureRate = r.integer("putRecordsFailureAlarmPercent", { min: 1, max: 100, unit: "percent of PutRecords entries failing" }, DEFAULTS.putRecordsFailureAlarmPercent) / 100;
    const evaluationPeriods = r.integer("alarmEvaluationPeriods", { min: 1, max: 60, unit: "one-minute periods" }, DEFAULTS.alarmEvaluationPeriods);

    const subscriptions: AlertSubscription[] = [];
    for (const entry of r.stringList("alertSubscriptions", DEFAULTS.alertSubscriptions)) {
        const sub = parseSubscription(entry);
        if (sub) subscriptions.push(sub);
        else r.badEntry("alertSubscriptions", entry, subscriptionProblem(entry));
    }

    const logRetentionDays = r.integer("logRetentionDays", { min: 1, max: 3653, unit: "days" }, DEFAULTS.logRetentionDays);
    if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
        r.problem("logRetentionDays", logRetentionDays, `must be one of the values CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(", ")}`);
    }

    const authType = r.oneOf("ingestAuthorization", ["IAM", "JWT"] as const, DEFAULTS.ingestAuthorization);
    const issuer = r.optionalString("ingestJwtIssuer", { re: /^https:\/\/\S+$/, allowed: "must be the https:// URL of the token issuer" });
    const audience = r.stringList("ingestJwtAudience", DEFAULTS.ingestJwtAudience);
    if (authType === "JWT" && issuer === undefined) r.problem("ingestJwtIssuer", "", "is required when ingestAuthorization is JWT");
    if (authType === "JWT" && audience.length === 0) r.problem("ingestJwtAudience", "[]", "needs at least one audience when ingestAuthorization is JWT");
    if (authType === "IAM" && (issuer !== undefined || audience.length > 0)) {
        r.problem(issuer !== undefined ? "ingestJwtIssuer" : "ingestJwtAudience", issuer ?? audience.join(","), "applies only when ingestAuthorization is JWT");
    }
    const throttleRatePerSecond = r.integer("ingestThrottleRatePerSecond", { min: 1, max: 10_000, unit: "requests per second" }, DEFAULTS.ingestThrottleRatePerSecond);
    const throttleBurst = r.integer("ingestThrottleBurst", { min: 1, max: 5_000, unit: "requests" }, DEFAULTS.ingestThrottleBurst);
    const maxBodyBytes = r.integer("ingestMaxBodyBytes", { min: MAX_BODY_BYTES.min, max: MAX_BODY_BYTES.max, unit: "bytes; Lambda takes at most 6 MB synchronously" }, DEFAULTS.ingestMaxBodyBytes);

    const trustedPrincipals = r.stringList("producerTrustedPrincipals", DEFAULTS.producerTrustedPrincipals);
    for (const p of trustedPrincipals.filter((x) => !PRINCIPAL_ARN.test(x))) {
        r.problem("producerTrustedPrincipals", p, "each entry must be an IAM account root, role or user ARN (arn:aws:iam::<account>:root|role/<name>|user/<name>)");
    }
    const iotTopicFilter = r.optionalString("iotTopicFilter", { re: /^[^#+\s'][^\s']*$|^[+#][^\s']*$/, allowed: "must be an MQTT topic filter without spaces or quotes, e.g. devices/+/telemetry" });
    const logGroupNames = r.stringList("logsSubscriptionLogGroups", DEFAULTS.logsSubscriptionLogGroups);
    for (const g of logGroupNames.filter((x) => !/^[\w\-/.#]{1,512}$/.test(x))) {
        r.problem("logsSubscriptionLogGroups", g, "each entry must be a log group name (letters, digits, _ - / . #)");
    }
    const cdcTableName = r.optionalString("cdcTableName", { re: /^[\w.-]{3,255}$/, allowed: "must be a DynamoDB table name (3-255 characters: letters, digits, _ - .)" });

    const startingPosition = r.oneOf("consumerStartingPosition", ["LATEST", "TRIM_HORIZON"] as const, DEFAULTS.consumerStartingPosition);
    const batchSize = r.integer("consumerBatchSize", { min: 1, max: 10_000, unit: "records" }, DEFAULTS.consumerBatchSize);
    const batchingWindowSeconds = r.integer("consumerBatchingWindowSeconds", { min: 0, max: 300, unit: "seconds" }, DEFAULTS.consumerBatchingWindowSeconds);
    const parallelizationFactor = r.integer("consumerParallelizationFactor", { min: 1, max: 10, unit: "concurrent batches per shard" }, DEFAULTS.consumerParallelizationFactor);
    // -1 (retry until the record expires) is what blocks a shard for days: only bounded values.
    const maxRetryAttempts = r.integer("consumerMaxRetryAttempts", { min: 0, max: 10_000, unit: "retries; -1 (forever) is not allowed" }, DEFAULTS.consumerMaxRetryAttempts);
    const maxRecordAgeSeconds = r.integer("consumerMaxRecordAgeSeconds", { min: 60, max: 604_800, unit: "seconds; -1 (forever) is not allowed" }, DEFAULTS.consumerMaxRecordAgeSeconds);
    if (maxRecordAgeSeconds >= retentionHours * 3600) {
        r.problem("consumerMaxRecordAgeSeconds", maxRecordAgeSeconds, `must be shorter than the retention (${retentionHours * 3600} s for retentionHours ${retentionHours}), so failed batches reach the on-failure destination while they can still be replayed`);
    }
    const useEfo = r.boolean("consumerUseEfo", DEFAULTS.consumerUseEfo);
    const filterEventTypes = r.stringList("consumerFilterEventTypes", DEFAULTS.consumerFilterEventTypes);
    for (const t of filterEventTypes.filter((x) => !(EVENT_TYPE_NAMES as readonly string[]).includes(x))) {
        r.problem("consumerFilterEventTypes", t, `each entry must be one of ${EVENT_TYPE_NAMES.join(", ")}`);
    }
    const memoryMb = r.integer("consumerMemoryMb", { min: 128, max: 10_240, unit: "MB" }, DEFAULTS.consumerMemoryMb);
    const fraudAmountThreshold = r.integer("fraudAmountThreshold", { min: 1, max: 1_000_000_000, unit: "order amount" }, DEFAULTS.fraudAmountThreshold);
    const fraudOrdersPerMinute = r.integer("fraudOrdersPerMinute", { min: 2, max: 10_000, unit: "orders per user per minute" }, DEFAULTS.fraudOrdersPerMinute);
    const ttlDays = r.integer("resultsTtlDays", { min: 1, max: 3650, unit: "days" }, DEFAULTS.resultsTtlDays);

    // Dynamic partitioning needs a buffer of at least 64 MiB (Firehose rejects less).
    const bufferSizeMb = r.integer("archiveBufferSizeMb", { min: 64, max: 128, unit: "MiB; dynamic partitioning needs at least 64" }, DEFAULTS.archiveBufferSizeMb);
    // The Firehose guide: "zero buffering is not available for dynamic partitioning"; below 60 s is that
    // low-latency mode's range (multipart uploads) and is not documented for it, so 60 s is the floor.
    const bufferIntervalSeconds = r.integer("archiveBufferIntervalSeconds", { min: 60, max: 900, unit: "seconds; dynamic partitioning allows no zero buffering" }, DEFAULTS.archiveBufferIntervalSeconds);
    const transitionDays = r.integer("archiveTransitionDays", { min: 30, max: 3650, unit: "days before moving to Standard-IA; S3 needs at least 30" }, DEFAULTS.archiveTransitionDays);
    const expirationDays = r.integer("archiveExpirationDays", { min: 0, max: 36_500, unit: "days; 0 keeps objects forever" }, DEFAULTS.archiveExpirationDays);
    if (expirationDays !== 0 && expirationDays <= transitionDays) {
        r.problem("archiveExpirationDays", expirationDays, `must be 0 (keep forever) or later than archiveTransitionDays (${transitionDays})`);
    }
    const freshnessAlarmSeconds = r.integer("archiveFreshnessAlarmSeconds", { min: 60, max: 86_400, unit: "seconds" }, DEFAULTS.archiveFreshnessAlarmSeconds);
    if (freshnessAlarmSeconds <= bufferIntervalSeconds) {
        r.problem("archiveFreshnessAlarmSeconds", freshnessAlarmSeconds, `must be longer than archiveBufferIntervalSeconds (${bufferIntervalSeconds}), or the alarm fires on every buffer`);
    }
    const quarantineRetentionDays = r.integer("quarantineRetentionDays", { min: 1, max: 3650, unit: "days a quarantined record is kept" }, DEFAULTS.quarantineRetentionDays);

    const kclApplicationName = r.optionalString("kclApplicationName", { re: /^[a-zA-Z0-9_.-]{1,64}$/, allowed: "must be 1-64 characters: letters, digits, _ . - (it names the EFO consumer and the lease table)" });
    const kclTrustedPrincipals = r.stringList("kclTrustedPrincipals", DEFAULTS.kclTrustedPrincipals);
    for (const p of kclTrustedPrincipals.filter((x) => !PRINCIPAL_ARN.test(x))) {
        r.problem("kclTrustedPrincipals", p, "each entry must be an IAM account root, role or user ARN (arn:aws:iam::<account>:root|role/<name>|user/<name>)");
    }

    const recordsPerSecond = r.integer("workloadRecordsPerSecond", { min: 0, max: 100_000_000, unit: "records per second; 0 = not declared" }, DEFAULTS.workloadRecordsPerSecond);
    const averageRecordBytes = r.integer("workloadAverageRecordBytes", { min: 0, max: 10 * 1024 * 1024, unit: "bytes; 0 = not declared" }, DEFAULTS.workloadAverageRecordBytes);
    if ((recordsPerSecond === 0) !== (averageRecordBytes === 0)) {
        r.problem(recordsPerSecond === 0 ? "workloadRecordsPerSecond" : "workloadAverageRecordBytes", 0, "must be declared together with its pair (workloadRecordsPerSecond and workloadAverageRecordBytes), or both left at 0");
    }

    const autoscalingEnabled = r.boolean("autoscalingEnabled", DEFAULTS.autoscalingEnabled);
    const minShards = r.integer("autoscalingMinShards", { min: 1, max: 10_000, unit: "shards" }, DEFAULTS.autoscalingMinShards);
    const maxShards = r.integer("autoscalingMaxShards", { min: 1, max: 10_000, unit: "shards" }, DEFAULTS.autoscalingMaxShards);
    const autoscalingPolicy = r.oneOf("autoscalingPolicy", ["planning", "reactive"] as const, DEFAULTS.autoscalingPolicy);
    if (autoscalingEnabled && mode !== "PROVISIONED") {
        r.problem("autoscalingEnabled", true, "applies only when streamMode is PROVISIONED (on-demand streams scale themselves)");
    }
    const reservedConcurrency = r.integer("autoscalingReservedConcurrency", { min: 0, max: 1, unit: "1 reserves one execution; 0 reserves none and relies on the autoscaler's lock" }, DEFAULTS.autoscalingReservedConcurrency);
    if (maxShards < minShards) r.problem("autoscalingMaxShards", maxShards, `must be at least autoscalingMinShards (${minShards})`);
    if (autoscalingEnabled && mode === "PROVISIONED" && (shardCount < minShards || shardCount > maxShards)) {
        r.problem("shardCount", shardCount, `must lie between autoscalingMinShards (${minShards}) and autoscalingMaxShards (${maxShards}) when autoscaling is on`);
    }

    const replicaRegion = r.optionalString("replicaRegion", { re: { test: isAwsRegion }, allowed: "must be an AWS region code such as us-west-2 (infra/lib/regions.ts lists them)" });
    if (replicaRegion !== undefined && region && isAwsRegion(region.region)) {
        if (replicaRegion === region.region) r.problem("replicaRegion", replicaRegion, `must differ from the stack's own region (${region.region}, from ${region.source})`);
        else if (partitionOf(replicaRegion) !== partitionOf(region.region)) {
            r.problem("replicaRegion", replicaRegion, `must be in the stack's partition (${partitionOf(region.region)}, region ${region.region}): one set of credentials cannot reach another partition`);
        }
    }

    const replicaCapacity = r.oneOf("replicaCapacity", REPLICA_CAPACITIES, DEFAULTS.replicaCapacity);
    if (replicaRegion === undefined && replicaCapacity !== DEFAULTS.replicaCapacity) {
        r.problem("replicaCapacity", replicaCapacity, "applies only when replicaRegion is set");
    }

    const vpcId = r.optionalString("vpcId", { re: /^vpc-[0-9a-f]{8,17}$/, allowed: "must be a VPC id such as vpc-0abc1234" });
    const subnetIds = r.stringList("vpcSubnetIds", DEFAULTS.vpcSubnetIds);
    for (const id of subnetIds.filter((x) => !/^subnet-[0-9a-f]{8,17}$/.test(x))) r.problem("vpcSubnetIds", id, "each entry must be a subnet id such as subnet-0abc1234");
    if ((vpcId === undefined) !== (subnetIds.length === 0)) {
        r.problem(vpcId === undefined ? "vpcId" : "vpcSubnetIds", vpcId ?? "[]", "vpcId and vpcSubnetIds go together: set both for a Kinesis VPC endpoint, or neither");
    }
    const lambdasInVpc = r.boolean("lambdasInVpc", DEFAULTS.lambdasInVpc);
    if (lambdasInVpc && vpcId === undefined) r.problem("lambdasInVpc", true, "needs vpcId and vpcSubnetIds");

    const artifactBucket = r.optionalString("analyticsArtifactBucket", { re: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, allowed: "must be an S3 bucket name" });
    const artifactKey = r.optionalString("analyticsArtifactKey", { re: /^\S{1,1024}$/, allowed: "must be an S3 object key (the application's JAR or ZIP)" });
    if ((artifactBucket === undefined) !== (artifactKey === undefined)) {
        r.problem(artifactBucket === undefined ? "analyticsArtifactBucket" : "analyticsArtifactKey", "", "analyticsArtifactBucket and analyticsArtifactKey go together: set both to deploy the Flink application, or neither");
    }
    const parallelism = r.integer("analyticsParallelism", { min: 1, max: 1_000, unit: "parallel tasks" }, DEFAULTS.analyticsParallelism);
    const parallelismPerKpu = r.integer("analyticsParallelismPerKpu", { min: 1, max: 4, unit: "tasks per KPU" }, DEFAULTS.analyticsParallelismPerKpu);
    const analyticsAutoScaling = r.boolean("analyticsAutoScaling", DEFAULTS.analyticsAutoScaling);

    r.done(context?.setKeys);
    return {
        project,
        stack,
        environment,
        owner,
        costCenter,
        deletionProtection,
        stream: {
            mode,
            shardCount: mode === "PROVISIONED" ? shardCount : undefined,
            retentionHours,
            shardLevelMetrics,
            enforceConsumerDeletion,
        },
        encryption: { existingKeyArn, deletionWindowDays },
        alarms: { iteratorAgeMs, throughputExceededThreshold, putRecordsFailureRate, evaluationPeriods },
        alerts: { subscriptions },
        logRetentionDays,
        ingest: {
            authorization: authType === "JWT" ? { type: "JWT", issuer: issuer ?? "", audience } : { type: "IAM" },
            throttleRatePerSecond,
            throttleBurst,
            maxBodyBytes,
        },
        producers: { trustedPrincipals, iotTopicFilter, logGroupNames, cdcTableName },
        consumer: {
            startingPosition,
            batchSize,
            batchingWindowSeconds,
            parallelizationFactor,
            maxRetryAttempts,
            maxRecordAgeSeconds,
            useEfo,
            filterEventTypes,
            memoryMb,
            fraudAmountThreshold,
            fraudOrdersPerMinute,
        },
        results: { ttlDays },
        archive: { bufferSizeMb, bufferIntervalSeconds, transitionDays, expirationDays, freshnessAlarmSeconds, quarantineRetentionDays },
        kcl: { applicationName: kclApplicationName, trustedPrincipals: kclTrustedPrincipals },
        workload: { recordsPerSecond, averageRecordBytes },
        autoscaling: { enabled: autoscalingEnabled, minShards, maxShards, reservedConcurrency, policy: autoscalingPolicy },
        replication: { region: replicaRegion, capacity: replicaCapacity },
        network: { vpcId, subnetIds, lambdasInVpc },
        analytics:
            artifactBucket !== undefined && artifactKey !== undefined
                ? { artifactBucket, artifactKey, parallelism, parallelismPerKpu, autoScaling: analyticsAutoScaling }
                : undefined,
    };
}

/**
 * Validates a stack's whole config as the CLI hands it over (`"<namespace>:<key>"` to a string, with
 * Pulumi.yaml's defaults filled in): the project's keys, unknown keys in its namespace, and the region
 * the AWS provider will resolve from `aws:region` or `env`.
 */
export function settingsFromConfig(config: Record<string, string | undefined>, stack: string, env: NodeJS.ProcessEnv = process.env): Settings {
    const prefix = `${PROJECT}:`;
    const setKeys = Object.keys(config).flatMap((k) => (k.startsWith(prefix) && config[k] !== undefined ? [k.slice(prefix.length)] : []));
    return parseSettings((key) => config[prefix + key], stack, { region: resolveRegion(config, env), setKeys });
}

/**
 * The program's only config reader: the current stack's values, validated. `allConfig()` (not
 * `pulumi.Config`, which cannot list keys) so that a key the program does not read is refused too.
 */
export function loadSettings(): Settings {
    return settingsFromConfig(pulumi.runtime.allConfig(), pulumi.getStack());
}
