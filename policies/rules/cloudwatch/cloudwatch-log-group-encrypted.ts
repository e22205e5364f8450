import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";

export const cloudwatchLogGroupEncrypted: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "cloudwatch-log-group-encrypted",
        description:
            "CloudWatch log groups must be encrypted with the stack's customer-managed KMS key (kmsKeyId): function logs carry record contents. Controls: Checkov CKV_AWS_158.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (group, _args, report) => {
            if (!group.kmsKeyId) report("kmsKeyId is not set; encrypt the log group with the stack's key.");
        }),
    },
    severity: "medium",
    topics: ["encryption", "logging"],
    controls: [{ framework: "Checkov", id: "CKV_AWS_158", coverage: "full" }],
    details: "Every log group has a `kmsKeyId` (the stack's key): function and delivery logs can carry record contents.",
    remediation: "Set kmsKeyId to the stack's key.",
};
