// CloudWatch: log groups that expire and are encrypted with the stack's key, alarms somebody hears.
import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";

export const DEFAULT_MIN_LOG_RETENTION_DAYS = 30;

export function cloudwatchLogGroupRetention(): ResourceValidationPolicy {
    return {
        name: "cloudwatch-log-group-retention",
        description:
            "CloudWatch log groups (Lambda, Firehose, API access logs) must expire, after at least minRetentionDays (default 30; CloudWatch.16 itself asks 365): " +
            "never-expiring groups keep personal data and cost forever, short ones lose the incident. Controls: Security Hub CloudWatch.16, Checkov CKV_AWS_338.",
        enforcementLevel: "mandatory",
        configSchema: { properties: { minRetentionDays: { type: "integer", minimum: 1, maximum: 3653, default: DEFAULT_MIN_LOG_RETENTION_DAYS } } },
        validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (group, args, report) => {
            const min = args.getConfig<{ minRetentionDays?: number }>().minRetentionDays ?? DEFAULT_MIN_LOG_RETENTION_DAYS;
            const days = group.retentionInDays;
            if (days === undefined || days === 0) report(`retentionInDays is not set (logs never expire); set at least ${min} days.`);
            else if (days < min) report(`retentionInDays is ${days}; at least ${min} days is required.`);
        }),
    };
}

export function cloudwatchLogGroupEncrypted(): ResourceValidationPolicy {
    return {
        name: "cloudwatch-log-group-encrypted",
        description:
            "CloudWatch log groups must be encrypted with the stack's customer-managed KMS key (kmsKeyId): function logs carry record contents. Controls: Checkov CKV_AWS_158.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (group, _args, report) => {
            if (!group.kmsKeyId) report("kmsKeyId is not set; encrypt the log group with the stack's key.");
        }),
    };
}

export function cloudwatchAlarmActions(): ResourceValidationPolicy {
    return {
        name: "cloudwatch-alarm-actions",
        description:
            "CloudWatch metric and composite alarms must have at least one alarm action and actions enabled: an alarm nobody hears is no alarm. " +
            "Controls: Security Hub CloudWatch.15.",
        enforcementLevel: "mandatory",
        validateResource: [
            (args, report) => {
                if (!args.isType(aws.cloudwatch.MetricAlarm) && !args.isType(aws.cloudwatch.CompositeAlarm)) return;
                const alarm = args.props as { alarmActions?: unknown[]; actionsEnabled?: boolean };
                if ((alarm.alarmActions ?? []).length === 0) report("alarmActions is empty; notify the alerts topic (or invoke the function that acts on it).");
                if (alarm.actionsEnabled === false) report("actionsEnabled is false; the alarm's actions never run.");
            },
        ],
    };
}
