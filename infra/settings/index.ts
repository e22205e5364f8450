// A stack's settings: its config read through the schema of keys (./schema.ts), checked by the
// cross-field rules (./rules.ts) and shaped into what the components take. Pure: infra/config.ts is
// the one place that reads the program's config and hands it here.
import { bodyLimitFor } from "../../contracts/env/ingest";
import { ConfigReader, type RawConfig } from "../lib/config-reader";
import { resolveRegion, type ResolvedRegion } from "../lib/regions";
import type { AlertSubscription } from "./alert-subscriptions";
import { checkRegion, checkRules } from "./rules";
import { PROJECT, SCHEMA, type Values } from "./schema";

type V = Values;

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
        mode: V["streamMode"];
        /** Set only for PROVISIONED streams. */
        shardCount: number | undefined;
        retentionHours: number;
        shardLevelMetrics: string[];
        enforceConsumerDeletion: boolean;
        maxRecordSizeKib: number;
        /** ON_DEMAND streams in a committed account only. */
        warmThroughputMibps: number | undefined;
        /** The account has the minimum throughput billing commitment (account-wide, declared, never managed here). */
        accountHasMinimumThroughputCommitment: boolean;
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
        startingPosition: V["consumerStartingPosition"];
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
    autoscaling: { enabled: boolean; minShards: number; maxShards: number; reservedConcurrency: number; policy: V["autoscalingPolicy"] };
    /**
     * `capacity`: the replica stream ON_DEMAND, or shaped (and autoscaled) like the primary.
     * `warmThroughputMibps`: the primary's, when the replica region has the commitment too.
     */
    replication: { region: string | undefined; capacity: V["replicaCapacity"]; warmThroughputMibps: number | undefined };
    network: { vpcId: string | undefined; subnetIds: string[]; lambdasInVpc: boolean };
    analytics: { artifactBucket: string; artifactKey: string; parallelism: number; parallelismPerKpu: number; autoScaling: boolean } | undefined;
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
 * (undefined when unset). Throws a `ConfigError` listing every bad key, one line each: the region,
 * then each key's own check in schema order, then the cross-field rules, then unknown keys.
 */
export function parseSettings(raw: RawConfig, stack: string, context?: StackContext): Settings {
    const r = new ConfigReader(raw, PROJECT);
    const region = context ? context.region : null;
    checkRegion(r, region);
    const v = r.read(SCHEMA);
    checkRules(r, v, stack, region);
    r.done(context?.setKeys);
    return shape(v, stack);
}

/** The validated values in the shape the components take. */
function shape(v: Values, stack: string): Settings {
    return {
        project: PROJECT,
        stack,
        environment: v.environment ?? stack,
        owner: v.owner,
        costCenter: v.costCenter,
        deletionProtection: v.deletionProtection,
        stream: {
            mode: v.streamMode,
            shardCount: v.streamMode === "PROVISIONED" ? v.shardCount : undefined,
            retentionHours: v.retentionHours,
            shardLevelMetrics: v.shardLevelMetrics,
            enforceConsumerDeletion: v.enforceConsumerDeletion,
            maxRecordSizeKib: v.maxRecordSizeKib,
            warmThroughputMibps: v.warmThroughputMibps === 0 ? undefined : v.warmThroughputMibps,
            accountHasMinimumThroughputCommitment: v.accountHasMinimumThroughputCommitment,
        },
        encryption: { existingKeyArn: v.kmsKeyArn, deletionWindowDays: v.kmsKeyDeletionWindowDays },
        alarms: {
            iteratorAgeMs: v.iteratorAgeAlarmMs,
            throughputExceededThreshold: v.throughputExceededAlarmPercent / 100,
            putRecordsFailureRate: v.putRecordsFailureAlarmPercent / 100,
            evaluationPeriods: v.alarmEvaluationPeriods,
        },
        alerts: { subscriptions: v.alertSubscriptions },
        logRetentionDays: v.logRetentionDays,
        ingest: {
            authorization: v.ingestAuthorization === "JWT" ? { type: "JWT", issuer: v.ingestJwtIssuer ?? "", audience: v.ingestJwtAudience } : { type: "IAM" },
            throttleRatePerSecond: v.ingestThrottleRatePerSecond,
            throttleBurst: v.ingestThrottleBurst,
            maxBodyBytes: v.ingestMaxBodyBytes === 0 ? bodyLimitFor(v.maxRecordSizeKib) : v.ingestMaxBodyBytes,
        },
        producers: { trustedPrincipals: v.producerTrustedPrincipals, iotTopicFilter: v.iotTopicFilter, logGroupNames: v.logsSubscriptionLogGroups, cdcTableName: v.cdcTableName },
        consumer: {
            startingPosition: v.consumerStartingPosition,
            batchSize: v.consumerBatchSize,
            batchingWindowSeconds: v.consumerBatchingWindowSeconds,
            parallelizationFactor: v.consumerParallelizationFactor,
            maxRetryAttempts: v.consumerMaxRetryAttempts,
            maxRecordAgeSeconds: v.consumerMaxRecordAgeSeconds,
            useEfo: v.consumerUseEfo,
            filterEventTypes: v.consumerFilterEventTypes,
            memoryMb: v.consumerMemoryMb,
            fraudAmountThreshold: v.fraudAmountThreshold,
            fraudOrdersPerMinute: v.fraudOrdersPerMinute,
        },
        results: { ttlDays: v.resultsTtlDays },
        archive: {
            bufferSizeMb: v.archiveBufferSizeMb,
            bufferIntervalSeconds: v.archiveBufferIntervalSeconds,
            transitionDays: v.archiveTransitionDays,
            expirationDays: v.archiveExpirationDays,
            freshnessAlarmSeconds: v.archiveFreshnessAlarmSeconds,
            quarantineRetentionDays: v.quarantineRetentionDays,
        },
        kcl: { applicationName: v.kclApplicationName, trustedPrincipals: v.kclTrustedPrincipals },
        workload: { recordsPerSecond: v.workloadRecordsPerSecond, averageRecordBytes: v.workloadAverageRecordBytes },
        autoscaling: {
            enabled: v.autoscalingEnabled,
            minShards: v.autoscalingMinShards,
            maxShards: v.autoscalingMaxShards,
            reservedConcurrency: v.autoscalingReservedConcurrency,
            policy: v.autoscalingPolicy,
        },
        replication: {
            region: v.replicaRegion,
            capacity: v.replicaCapacity,
            warmThroughputMibps: v.replicaRegionHasMinimumThroughputCommitment && v.warmThroughputMibps !== 0 ? v.warmThroughputMibps : undefined,
        },
        network: { vpcId: v.vpcId, subnetIds: v.vpcSubnetIds, lambdasInVpc: v.lambdasInVpc },
        analytics:
            v.analyticsArtifactBucket !== undefined && v.analyticsArtifactKey !== undefined
                ? {
                      artifactBucket: v.analyticsArtifactBucket,
                      artifactKey: v.analyticsArtifactKey,
                      parallelism: v.analyticsParallelism,
                      parallelismPerKpu: v.analyticsParallelismPerKpu,
                      autoScaling: v.analyticsAutoScaling,
                  }
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
