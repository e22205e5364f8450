import * as pulumi from "@pulumi/pulumi";
import { ConfigReader, type RawConfig } from "./lib/config-reader";

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
}

/** Every default in one typed place; `Pulumi.yaml` declares the same values (a test keeps them equal). */
export const DEFAULTS = {
    owner: "platform-team",
    costCenter: "unassigned",
    deletionProtection: false,
    streamMode: "ON_DEMAND" as StreamMode,
    shardCount: 1,
    retentionHours: 24,
    shardLevelMetrics: [...SHARD_LEVEL_METRICS] as string[],
    enforceConsumerDeletion: true,
    kmsKeyArn: "",
    kmsKeyDeletionWindowDays: 30,
    iteratorAgeAlarmMs: 60_000,
    throughputExceededAlarmThreshold: 0.01,
    putRecordsFailureRateAlarmThreshold: 0.01,
    alarmEvaluationPeriods: 5,
    alertSubscriptions: [] as string[],
};

const NAME = { re: /^[a-z][a-z0-9-]{0,19}$/, allowed: "must be 1-20 characters: lowercase letters, digits and hyphens, starting with a letter" };
const LABEL = { re: /^[\w .:/=+@-]{1,256}$/, allowed: "must be 1-256 characters valid in an AWS tag value" };
const KMS_KEY_ARN = {
    re: /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key\/[0-9a-f-]{36}|key\/mrk-[0-9a-f]{32})$/,
    allowed: "must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key-id>)",
};
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
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
 * Reads and validates the whole configuration. Pure: `raw` gives the string Pulumi holds for a key
 * (undefined when unset). Throws a `ConfigError` listing every bad key; nothing is created then.
 */
export function parseSettings(raw: RawConfig, stack: string, project = PROJECT): Settings {
    const r = new ConfigReader(raw, project);

    const environment = r.string("environment", stack, NAME);
    const owner = r.string("owner", DEFAULTS.owner, LABEL);
    const costCenter = r.string("costCenter", DEFAULTS.costCenter, LABEL);
    const deletionProtection = r.boolean("deletionProtection", DEFAULTS.deletionProtection);

    const mode = r.oneOf("streamMode", STREAM_MODES, DEFAULTS.streamMode);
    const shardCountSet = r.isSet("shardCount");
    const shardCount = r.integer("shardCount", { min: 1, max: 10_000, unit: "shards" }, DEFAULTS.shardCount);
    if (mode === "ON_DEMAND" && shardCountSet) {
        r.problem("shardCount", shardCount, "applies only when streamMode is PROVISIONED (on-demand streams manage their own shards); remove it");
    }
    const retentionHours = r.integer("retentionHours", { min: 24, max: 8760, unit: "hours" }, DEFAULTS.retentionHours);
    const shardLevelMetrics = r.stringList("shardLevelMetrics", DEFAULTS.shardLevelMetrics);
    const unknownMetrics = shardLevelMetrics.filter((m) => !(SHARD_LEVEL_METRICS as readonly string[]).includes(m));
    if (unknownMetrics.length > 0) {
        r.problem("shardLevelMetrics", unknownMetrics.join(","), `each must be one of ${SHARD_LEVEL_METRICS.join(", ")}`);
    }
    const enforceConsumerDeletion = r.boolean("enforceConsumerDeletion", DEFAULTS.enforceConsumerDeletion);

    const existingKeyArn = r.optionalString("kmsKeyArn", KMS_KEY_ARN);
    const windowSet = r.isSet("kmsKeyDeletionWindowDays");
    const deletionWindowDays = r.integer("kmsKeyDeletionWindowDays", { min: 7, max: 30, unit: "days" }, DEFAULTS.kmsKeyDeletionWindowDays);
    if (existingKeyArn !== undefined && windowSet) {
        r.problem("kmsKeyDeletionWindowDays", deletionWindowDays, "applies only to a key this stack creates; provide either kmsKeyArn or kmsKeyDeletionWindowDays, not both");
    }

    const halfRetentionMs = (retentionHours * 3_600_000) / 2;
    const iteratorAgeMs = r.integer("iteratorAgeAlarmMs", { min: 1_000, max: 8760 * 3_600_000 / 2, unit: "milliseconds" }, DEFAULTS.iteratorAgeAlarmMs);
    if (iteratorAgeMs > halfRetentionMs) {
        r.problem("iteratorAgeAlarmMs", iteratorAgeMs, `must be at most half the retention (${halfRetentionMs} ms for retentionHours ${retentionHours}), or records expire before anyone is alerted`);
    }
    const throughputExceededThreshold = r.number("throughputExceededAlarmThreshold", { min: 0, max: 1, minExclusive: true }, DEFAULTS.throughputExceededAlarmThreshold);
    const putRecordsFailureRate = r.number("putRecordsFailureRateAlarmThreshold", { min: 0, max: 1, minExclusive: true }, DEFAULTS.putRecordsFailureRateAlarmThreshold);
    const evaluationPeriods = r.integer("alarmEvaluationPeriods", { min: 1, max: 60, unit: "one-minute periods" }, DEFAULTS.alarmEvaluationPeriods);

    const subscriptions: AlertSubscription[] = [];
    for (const entry of r.stringList("alertSubscriptions", DEFAULTS.alertSubscriptions)) {
        const sub = parseSubscription(entry);
        if (sub) subscriptions.push(sub);
        else r.problem("alertSubscriptions", entry, "each entry must be an email address, an https:// URL or an SQS queue ARN");
    }

    r.done();
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
    };
}

/** The program's only `pulumi.Config`: reads the current stack's values and validates them. */
export function loadSettings(): Settings {
    const config = new pulumi.Config(PROJECT);
    return parseSettings((key) => config.get(key), pulumi.getStack());
}
