import type { StackValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { TYPE } from "../graph";
import { bucketPolicy, type BucketRule, sideResourcesOf } from "./shared";

export const s3BucketPublicAccessBlockRule: BucketRule = {
    name: "s3-bucket-public-access-block",
    description:
        "S3 buckets must have a BucketPublicAccessBlock (its four flags are s3-public-access-block-flags'). Controls: Security Hub S3.8 (S3.1 at account level), cdk-nag AwsSolutions-S2.",
    check: (bucket, resources, report) => {
        if (sideResourcesOf(bucket, resources, TYPE.bucketPublicAccessBlock).length === 0) {
            report(`bucket ${bucket.name} has no BucketPublicAccessBlock; add one with all four flags true.`);
        }
    },
};

export const s3BucketPublicAccessBlock: PackPolicy<StackValidationPolicy> = {
    policy: bucketPolicy(s3BucketPublicAccessBlockRule),
    severity: "high",
    topics: ["network"],
    controls: [
        { framework: "Security Hub", id: "S3.8", coverage: "full" },
        { framework: "Security Hub", id: "S3.1", coverage: "partial", note: "S3.1 is the account-level block" },
        { framework: "cdk-nag", id: "AwsSolutions-S2", coverage: "full" },
    ],
    details: "A stack policy: every bucket has a `BucketPublicAccessBlock`.",
    remediation: "Add a BucketPublicAccessBlock for the bucket.",
};
