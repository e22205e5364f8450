import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, type StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isAwsManagedKey, isUnknownValueError, refersTo } from "./common";

export const MAX_RETENTION_HOURS = 8760;
export const DEFAULT_MIN_RETENTION_HOURS = 168;
export const DEFAULT_MAX_ITERATOR_AGE_SHARE = 0.5;

/** Every stream encrypts records at rest with KMS. */
export function kinesisStreamEncrypted(): ResourceValidationPolicy {
    return {
        name: "kinesis-stream-encrypted",
        description:
            "Kinesis streams must use server-side encryption with KMS (encryptionType KMS and a key). " +
            "Controls: Security Hub Kinesis.1, cdk-nag AwsSolutions-KDS1, Checkov CKV_AWS_43.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.kinesis.Stream, (stream, _args, report) => {
            if (stream.encryptionType !== "KMS") {
                report(`encryptionType is ${JSON.stringify(stream.encryptionType ?? "NONE")}; set encryptionType "KMS" with kmsKeyId.`);
            } else if (!stream.kmsKeyId) {
                report("encryptionType is KMS but kmsKeyId is empty; set kmsKeyId to the stack's key.");
            }
        }),
    };
}

/** Encryption with a key the account controls, not the AWS-managed `aws/kinesis`. */
export function kinesisStreamCustomerKey(): ResourceValidationPolicy {
    return {
        name: "kinesis-stream-customer-key",
        description:
            "Kinesis streams must be encrypted with a customer-managed KMS key, not alias/aws/kinesis, so the key " +
            "policy decides who reads the data and rotation is the account's choice. Controls: cdk-nag AwsSolutions-KDS3, Checkov CKV_AWS_185.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.kinesis.Stream, (stream, _args, report) => {
            // An absent key with KMS on is kinesis-stream-encrypted's finding; only a named AWS key is this rule's.
            if (stream.encryptionType === "KMS" && stream.kmsKeyId && isAwsManagedKey(stream.kmsKeyId)) {
                report(`kmsKeyId ${JSON.stringify(stream.kmsKeyId ?? "")} is the AWS-managed key; use a customer-managed key.`);
            }
        }),
    };
}

/** Retention long enough to replay after an incident, within what Kinesis allows. */
export function kinesisStreamRetention(): ResourceValidationPolicy {
    return {
        name: "kinesis-stream-retention",
        description:
            "Kinesis stream retention must be at least minRetentionHours (default 168, a week to recover and replay) and at most 8760. " +
            "Controls: Security Hub Kinesis.3, AWS Config kinesis-stream-backup-retention-check.",
        enforcementLevel: "mandatory",
        configSchema: {
            properties: { minRetentionHours: { type: "integer", minimum: 24, maximum: MAX_RETENTION_HOURS, default: DEFAULT_MIN_RETENTION_HOURS } },
        },
        validateResource: validateResourceOfType(aws.kinesis.Stream, (stream, args, report) => {
            const min = args.getConfig<{ minRetentionHours?: number }>().minRetentionHours ?? DEFAULT_MIN_RETENTION_HOURS;
            const hours = stream.retentionPeriod ?? 24;
            if (hours < min) report(`retentionPeriod is ${hours} h; at least ${min} h is required.`);
            if (hours > MAX_RETENTION_HOURS) report(`retentionPeriod is ${hours} h; Kinesis allows at most ${MAX_RETENTION_HOURS} h.`);
        }),
    };
}

const ITERATOR_AGE = "GetRecords.IteratorAgeMilliseconds";

/**
 * A stack policy: a stream nobody watches loses data silently once consumers fall behind by more
 * than the retention. Each stream needs an iterator-age alarm on its StreamName, with an action,
 * whose threshold leaves time to react (at most a share of the retention).
 */
export function kinesisStreamIteratorAgeAlarm(): StackValidationPolicy {
    return {
        name: "kinesis-stream-iterator-age-alarm",
        description:
            "Every Kinesis stream must have a CloudWatch alarm on GetRecords.IteratorAgeMilliseconds for its StreamName, with an alarm action (and actions enabled), " +
            "and a threshold of at most maxThresholdShareOfRetention (default 0.5) of the retention. " +
            "Controls: CloudWatch.15 (alarm actions); AWS Solutions Constructs iterator-age alarm.",
        enforcementLevel: "mandatory",
        configSchema: {
            properties: { maxThresholdShareOfRetention: { type: "number", minimum: 0.01, maximum: 1, default: DEFAULT_MAX_ITERATOR_AGE_SHARE } },
        },
        validateStack: (args, report) => {
            const share = args.getConfig<{ maxThresholdShareOfRetention?: number }>().maxThresholdShareOfRetention ?? DEFAULT_MAX_ITERATOR_AGE_SHARE;
            const alarms = args.resources.filter((r) => r.isType(aws.cloudwatch.MetricAlarm));
            for (const stream of args.resources.filter((r) => r.isType(aws.kinesis.Stream))) {
                const props = stream.asType(aws.kinesis.Stream)!;
                const maxMs = (props.retentionPeriod ?? 24) * 3_600_000 * share;
                // In preview a name can be unknown: an alarm the dependencies do not link is then undecided,
                // and if no alarm is linked the unknown is rethrown (the engine reports it) rather than guessed.
                let undecided: unknown;
                const watching = alarms.filter((a) => {
                    const p = a.asType(aws.cloudwatch.MetricAlarm)!;
                    if (p.metricName !== ITERATOR_AGE || p.namespace !== "AWS/Kinesis") return false;
                    try {
                        return refersTo(a, "dimensions", stream, () => props.name !== undefined && p.dimensions?.StreamName === props.name);
                    } catch (e) {
                        if (!isUnknownValueError(e)) throw e;
                        undecided ??= e;
                        return false;
                    }
                });
                if (watching.length === 0 && undecided !== undefined) throw undecided;
                if (watching.length === 0) {
                    report(`stream ${stream.name} has no ${ITERATOR_AGE} alarm on its StreamName.`, stream.urn);
                    continue;
                }
                const good = watching.filter((a) => {
                    const p = a.asType(aws.cloudwatch.MetricAlarm)!;
                    return (p.alarmActions ?? []).length > 0 && p.actionsEnabled !== false && (p.threshold ?? Infinity) <= maxMs;
                });
                if (good.length === 0) {
                    report(
                        `stream ${stream.name}: its iterator-age alarm needs an alarm action and a threshold of at most ${maxMs} ms (${share} of ${props.retentionPeriod ?? 24} h retention).`,
                        stream.urn,
                    );
                }
            }
        },
    };
}

export const STREAM_MODES = ["ON_DEMAND", "PROVISIONED"] as const;

/** Which capacity mode an environment may use: a planned, autoscaled shard count or on-demand. */
export function kinesisStreamMode(): ResourceValidationPolicy {
    return {
        name: "kinesis-stream-mode",
        description:
            "Kinesis streams must use a capacity mode the environment allows (allowedModes: ON_DEMAND, PROVISIONED): on-demand needs no " +
            "capacity planning, provisioned needs a shard count checked against the declared workload and an autoscaler. " +
            "Controls: pack-specific (no Security Hub, AWS Config, cdk-nag or Checkov check).",
        enforcementLevel: "mandatory",
        configSchema: {
            properties: { allowedModes: { type: "array", items: { type: "string", enum: [...STREAM_MODES] }, minItems: 1, default: [...STREAM_MODES] } },
        },
        validateResource: validateResourceOfType(aws.kinesis.Stream, (stream, args, report) => {
            const allowed = args.getConfig<{ allowedModes?: string[] }>().allowedModes ?? [...STREAM_MODES];
            // Without streamModeDetails, Kinesis creates a PROVISIONED stream.
            const mode = stream.streamModeDetails?.streamMode ?? "PROVISIONED";
            if (!allowed.includes(mode)) report(`stream mode is ${mode}; this environment allows ${allowed.join(", ")}.`);
        }),
    };
}

/**
 * The shard-level metrics Kinesis offers. The pack keeps its own copy: it is published and run
 * without the program (tests/policies/kinesis-mode-monitoring.test.ts keeps it equal to infra/config.ts).
 */
export const SHARD_LEVEL_METRICS = [
    "IncomingBytes",
    "IncomingRecords",
    "OutgoingBytes",
    "OutgoingRecords",
    "WriteProvisionedThroughputExceeded",
    "ReadProvisionedThroughputExceeded",
    "IteratorAgeMilliseconds",
] as const;

/** Shard-level metrics show the hot shard the stream-level averages hide. */
export function kinesisStreamEnhancedMonitoring(): ResourceValidationPolicy {
    return {
        name: "kinesis-stream-enhanced-monitoring",
        description:
            "Kinesis streams must enable the shard-level (enhanced) metrics in requiredMetrics (default all seven, or ALL): a hot shard " +
            "throttles while the stream-level averages look healthy, and the autoscaler and on-call need per-shard figures. " +
            "Controls: pack-specific (no Security Hub, AWS Config, cdk-nag or Checkov check).",
        enforcementLevel: "mandatory",
        configSchema: {
            properties: { requiredMetrics: { type: "array", items: { type: "string", enum: [...SHARD_LEVEL_METRICS] }, default: [...SHARD_LEVEL_METRICS] } },
        },
        validateResource: validateResourceOfType(aws.kinesis.Stream, (stream, args, report) => {
            const required = args.getConfig<{ requiredMetrics?: string[] }>().requiredMetrics ?? [...SHARD_LEVEL_METRICS];
            const enabled = [...(stream.shardLevelMetrics ?? [])];
            if (enabled.includes("ALL")) return;
            const missing = required.filter((m) => !enabled.includes(m));
            if (missing.length > 0) report(`shardLevelMetrics lacks ${missing.join(", ")}; enable them (or ALL).`);
        }),
    };
}
