import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";

export const DEFAULT_MIN_LOG_RETENTION_DAYS = 30;

export const cloudwatchLogGroupRetention: PackPolicy<ResourceValidationPolicy> = {
    policy: {
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
    },
    severity: "low",
    topics: ["logging", "cost"],
    controls: [
        {
            framework: "Security Hub",
            id: "CloudWatch.16",
            coverage: "partial",
            note: "it asks for at least 365 days; the default minRetentionDays is 30 (set it to 365 to check the control as written)",
        },
        {
            framework: "Checkov",
            id: "CKV_AWS_338",
            coverage: "partial",
            note: "it asks for at least 365 days; the default minRetentionDays is 30 (set it to 365 to check the control as written)",
        },
    ],
    details:
        "Every `aws.cloudwatch.LogGroup` expires (`retentionInDays` set, not 0) after at least `minRetentionDays`: never-expiring groups keep record " +
        "contents and cost forever, short ones lose the incident. CloudWatch.16 itself asks for 365 days; the pack defaults to 30, what the program " +
        "sets.",
    remediation: "Set retentionInDays to at least minRetentionDays.",
};
