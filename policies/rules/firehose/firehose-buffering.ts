import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";

export const FIREHOSE_MAX_BUFFER_MIB = 128;

export const FIREHOSE_MAX_INTERVAL_SECONDS = 900;

export const DYNAMIC_PARTITIONING_MIN_BUFFER_MIB = 64;

export const firehoseBuffering: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "firehose-buffering",
        description:
            "Firehose S3 delivery must buffer 1–128 MiB (at least 64 MiB with dynamic partitioning) for at most maxIntervalSeconds (default 900, " +
            "Firehose's maximum): out-of-range values fail at deploy, long intervals delay the archive. Defaults when unset: 5 MiB, 300 s. " +
            "Controls: pack-specific (no Security Hub, AWS Config, cdk-nag or Checkov check).",
        enforcementLevel: "mandatory",
        configSchema: { properties: { maxIntervalSeconds: { type: "integer", minimum: 0, maximum: FIREHOSE_MAX_INTERVAL_SECONDS, default: FIREHOSE_MAX_INTERVAL_SECONDS } } },
        validateResource: validateResourceOfType(aws.kinesis.FirehoseDeliveryStream, (fh, args, report) => {
            if (fh.destination !== "extended_s3") args.notApplicable("only S3 delivery is checked");
            const max = args.getConfig<{ maxIntervalSeconds?: number }>().maxIntervalSeconds ?? FIREHOSE_MAX_INTERVAL_SECONDS;
            const s3 = fh.extendedS3Configuration;
            const size = s3?.bufferingSize ?? 5;
            const interval = s3?.bufferingInterval ?? 300;
            if (size < 1 || size > FIREHOSE_MAX_BUFFER_MIB) report(`bufferingSize is ${size} MiB; Firehose accepts 1 to ${FIREHOSE_MAX_BUFFER_MIB} MiB.`);
            else if (s3?.dynamicPartitioningConfiguration?.enabled === true && size < DYNAMIC_PARTITIONING_MIN_BUFFER_MIB) {
                report(`bufferingSize is ${size} MiB with dynamic partitioning on; it needs at least ${DYNAMIC_PARTITIONING_MIN_BUFFER_MIB} MiB.`);
            }
            if (interval < 0 || interval > max) report(`bufferingInterval is ${interval} s; at most ${max} s is allowed.`);
        }),
    },
    severity: "low",
    topics: ["capacity"],
    controls: [],
    details:
        "S3 delivery buffers 1–128 MiB (at least 64 MiB with dynamic partitioning) for at most `maxIntervalSeconds` (Firehose's maximum is 900 s); " +
        "absent values are Firehose's defaults, 5 MiB and 300 s. Out-of-range values fail at deploy; long intervals delay the archive.",
    remediation: "Set bufferingSize to 1-128 MiB (at least 64 with dynamic partitioning) and bufferingInterval to at most maxIntervalSeconds.",
};
