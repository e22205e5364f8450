import type { StackValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { at, list } from "../common";
import { TYPE } from "../graph";
import { bucketPolicy, type BucketRule, sideResourcesOf } from "./shared";

export const s3BucketLifecycleRule: BucketRule = {
    name: "s3-bucket-lifecycle",
    description:
        "S3 buckets must have a BucketLifecycleConfiguration with at least one Enabled rule (tiering, expiry, noncurrent versions), or versioned " +
        "archives grow forever. Controls: Security Hub S3.13, Checkov CKV2_AWS_61.",
    check: (bucket, resources, report) => {
        const configs = sideResourcesOf(bucket, resources, TYPE.bucketLifecycle);
        if (configs.length === 0) {
            report(`bucket ${bucket.name} has no lifecycle configuration; add a BucketLifecycleConfiguration with an Enabled rule.`);
            return;
        }
        const enabled = configs.some((c) => list(c.props.rules as unknown[]).some((r) => at(r, "status") === "Enabled"));
        if (!enabled) report(`the lifecycle configuration of bucket ${bucket.name} has no Enabled rule.`);
    },
};

export const s3BucketLifecycle: PackPolicy<StackValidationPolicy> = {
    policy: bucketPolicy(s3BucketLifecycleRule),
    severity: "low",
    topics: ["cost"],
    controls: [
        { framework: "Security Hub", id: "S3.13", coverage: "full" },
        { framework: "Checkov", id: "CKV2_AWS_61", coverage: "full" },
    ],
    details: "A stack policy: every bucket has a `BucketLifecycleConfiguration` with at least one `Enabled` rule, or a versioned archive grows forever.",
    remediation: "Add a BucketLifecycleConfiguration with at least one Enabled rule.",
};
