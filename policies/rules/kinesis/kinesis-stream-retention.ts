import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";

export const MAX_RETENTION_HOURS = 8760;

export const DEFAULT_MIN_RETENTION_HOURS = 168;

/** Retention long enough to replay after an incident, within what Kinesis allows. */
export const kinesisStreamRetention: PackPolicy<ResourceValidationPolicy> = {
    policy: {
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
    },
    severity: "medium",
    topics: ["resilience"],
    controls: [
        { framework: "Security Hub", id: "Kinesis.3", coverage: "full" },
        { framework: "AWS Config", id: "kinesis-stream-backup-retention-check", coverage: "full" },
    ],
    details:
        "`retentionPeriod` (absent: the Kinesis default of 24 h) is at least `minRetentionHours`, so consumers can replay after an outage, and at " +
        "most 8,760 h, the Kinesis maximum.",
    remediation: "Set retentionPeriod between minRetentionHours and 8760 hours.",
};
