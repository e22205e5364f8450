import type { StackValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { TYPE } from "../graph";
import { bucketPolicy, type BucketRule, isLogTarget, sideResourcesOf } from "./shared";

export const s3BucketAccessLoggingRule: BucketRule = {
    name: "s3-bucket-access-logging",
    description:
        "S3 buckets must deliver server access logs (a BucketLogging) to another bucket; the buckets that receive access logs are exempt and must not log to themselves. " +
        "Controls: Security Hub S3.9, cdk-nag AwsSolutions-S1, Checkov CKV_AWS_18.",
    check: (bucket, resources, report) => {
        const loggings = sideResourcesOf(bucket, resources, TYPE.bucketLogging);
        const toItself = loggings.filter((l) => sideResourcesOf(bucket, [l], TYPE.bucketLogging, "targetBucket").length > 0);
        if (toItself.length > 0) {
            report(`bucket ${bucket.name} delivers its access logs to itself; deliver them to a separate log bucket.`);
            return;
        }
        if (loggings.length === 0 && !isLogTarget(bucket, resources)) {
            report(`bucket ${bucket.name} has no server access logging; add a BucketLogging that delivers to the stack's log bucket.`);
        }
    },
};

export const s3BucketAccessLogging: PackPolicy<StackValidationPolicy> = {
    policy: bucketPolicy(s3BucketAccessLoggingRule),
    severity: "medium",
    topics: ["logging"],
    controls: [
        { framework: "Security Hub", id: "S3.9", coverage: "full" },
        { framework: "cdk-nag", id: "AwsSolutions-S1", coverage: "full" },
        { framework: "Checkov", id: "CKV_AWS_18", coverage: "full" },
    ],
    details:
        "A stack policy: every bucket that does not itself receive access logs has a `BucketLogging` delivering to another bucket; a bucket " + "delivering to itself is reported.",
    remediation: "Add a BucketLogging that delivers to another bucket of the stack.",
};
