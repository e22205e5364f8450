import type { StackValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { deniesInsecureTransport, list, someDecidable, statementsOf } from "../common";
import { TYPE } from "../graph";
import { bucketPolicy, type BucketRule, sideResourcesOf } from "./shared";

/** True when a statement's resources cover the bucket and its objects (`arn:...:::b` and `arn:...:::b/*`, or `*`). */
function coversBucketAndObjects(resources: unknown[]): boolean {
    if (resources.includes("*")) return true;
    return resources.some((r) => /^arn:aws[a-z-]*:s3:::[^/]+$/.test(String(r))) && resources.some((r) => /^arn:aws[a-z-]*:s3:::[^/]+\/\*$/.test(String(r)));
}

export const s3BucketTlsOnlyRule: BucketRule = {
    name: "s3-bucket-tls-only",
    description:
        'S3 buckets must have a bucket policy that denies s3:* to every principal on the bucket and its objects when "aws:SecureTransport" is false. ' +
        "Controls: Security Hub S3.5, cdk-nag AwsSolutions-S10.",
    check: (bucket, resources, report) => {
        const policies = sideResourcesOf(bucket, resources, TYPE.bucketPolicy);
        if (policies.length === 0) {
            report(`bucket ${bucket.name} has no bucket policy; add one that denies s3:* when aws:SecureTransport is false.`);
            return;
        }
        const ok = someDecidable(policies, (p) => (statementsOf(p.props.policy) ?? []).some((s) => deniesInsecureTransport(s, "s3:*") && coversBucketAndObjects(list(s.Resource))));
        if (!ok) report(`the policy of bucket ${bucket.name} does not deny s3:* on the bucket and its objects when aws:SecureTransport is false.`);
    },
};

export const s3BucketTlsOnly: PackPolicy<StackValidationPolicy> = {
    policy: bucketPolicy(s3BucketTlsOnlyRule),
    severity: "medium",
    topics: ["network"],
    controls: [
        { framework: "Security Hub", id: "S3.5", coverage: "full" },
        { framework: "cdk-nag", id: "AwsSolutions-S10", coverage: "full" },
    ],
    details:
        "A stack policy: every bucket has a `BucketPolicy` with a `Deny` of `s3:*` (or `*`) to every principal, on the bucket and its objects, when " +
        "`aws:SecureTransport` is `false`.",
    remediation: "Add a BucketPolicy statement that denies s3:* on the bucket and its objects when aws:SecureTransport is false.",
};
