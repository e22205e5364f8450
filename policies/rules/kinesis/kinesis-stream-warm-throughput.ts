import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";

/**
 * Warm throughput where AWS rejects it. UpdateStreamWarmThroughput "is only supported for data streams
 * with the on-demand capacity mode in accounts that have MinimumThroughputBillingCommitment enabled";
 * the commitment is account-wide, so the environment's config says whether the account has it.
 */
export const kinesisStreamWarmThroughput: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "kinesis-stream-warm-throughput",
        description:
            "Warm throughput (warmThroughputMibPs) only on ON_DEMAND streams, and only in an account with the minimum throughput billing commitment " +
            "(accountHasMinimumThroughputCommitment): AWS rejects it elsewhere. Controls: pack-specific (no Security Hub, AWS Config, cdk-nag or Checkov check).",
        enforcementLevel: "mandatory",
        configSchema: { properties: { accountHasMinimumThroughputCommitment: { type: "boolean", default: false } } },
        validateResource: validateResourceOfType(aws.kinesis.Stream, (stream, args, report) => {
            const warm = stream.warmThroughputMibPs;
            if (warm === undefined || warm === null) return;
            // Without streamModeDetails, Kinesis creates a PROVISIONED stream.
            const mode = stream.streamModeDetails?.streamMode ?? "PROVISIONED";
            if (mode !== "ON_DEMAND") {
                report(`warmThroughputMibPs ${warm} is set on a ${mode} stream; AWS supports warm throughput only on ON_DEMAND streams: remove it.`);
                return;
            }
            const committed = args.getConfig<{ accountHasMinimumThroughputCommitment?: boolean }>().accountHasMinimumThroughputCommitment ?? false;
            if (!committed) {
                report(
                    `warmThroughputMibPs ${warm} needs the account's minimum throughput billing commitment, which this environment does not declare (accountHasMinimumThroughputCommitment); remove it or declare the commitment.`,
                );
            }
        }),
    },
    severity: "medium",
    topics: ["capacity"],
    controls: [],
    details:
        "A stream's `warmThroughputMibPs` is accepted by AWS only on an `ON_DEMAND` stream (absent `streamModeDetails`: `PROVISIONED`) in an account " +
        "with the minimum throughput billing commitment (On-demand Advantage, `UpdateAccountSettings`, account-wide, held at least 24 hours), which " +
        "the environment declares with `accountHasMinimumThroughputCommitment` (no resource shows it).",
    remediation: "Remove warmThroughputMibPs, switch the stream to ON_DEMAND, or declare accountHasMinimumThroughputCommitment once the account has the commitment.",
};
