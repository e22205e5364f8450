import type { StackValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { at, list } from "../common";
import { TYPE } from "../graph";
import { bucketPolicy, type BucketRule, isLogTarget, sideResourcesOf } from "./shared";

export const s3BucketEncryptionRule: BucketRule = {
    name: "s3-bucket-encryption",
    description:
        "S3 buckets must have a BucketServerSideEncryptionConfiguration with aws:kms, a named key and bucketKeyEnabled; buckets that receive " +
        "S3 server access logs may use SSE-S3 (AES256), the encryption log delivery supports (it cannot use aws/s3). Controls: Security Hub S3.17, Checkov CKV_AWS_145.",
    check: (bucket, resources, report) => {
        const configs = sideResourcesOf(bucket, resources, TYPE.bucketEncryption);
        if (configs.length === 0) {
            report(
                `bucket ${bucket.name} has no server-side encryption configuration; add a BucketServerSideEncryptionConfiguration with aws:kms, the stack's key and bucketKeyEnabled.`,
            );
            return;
        }
        const logTarget = isLogTarget(bucket, resources);
        for (const config of configs) {
            for (const rule of list(config.props.rules as unknown[])) {
                const sse = at(rule, "applyServerSideEncryptionByDefault");
                const algorithm = at(sse, "sseAlgorithm");
                const keyId = at(sse, "kmsMasterKeyId");
                if (algorithm === "AES256") {
                    if (!logTarget)
                        report(`bucket ${bucket.name} uses SSE-S3 (AES256); use aws:kms with the stack's key (SSE-S3 is accepted only on buckets that receive access logs).`);
                } else if (algorithm === "aws:kms" || algorithm === "aws:kms:dsse") {
                    if (!keyId) {
                        report(
                            logTarget
                                ? `bucket ${bucket.name} receives access logs with aws:kms on the AWS-managed aws/s3 key, which log delivery cannot use; use AES256.`
                                : `bucket ${bucket.name} uses aws:kms without kmsMasterKeyId (the AWS-managed aws/s3 key); name the stack's key.`,
                        );
                    }
                    if (algorithm === "aws:kms" && at(rule, "bucketKeyEnabled") !== true) {
                        report(`bucket ${bucket.name} has bucketKeyEnabled off; turn the S3 Bucket Key on (far fewer KMS requests).`);
                    }
                } else {
                    report(`bucket ${bucket.name} has an encryption rule without a known sseAlgorithm (${JSON.stringify(algorithm ?? null)}); use aws:kms.`);
                }
            }
        }
    },
};

export const s3BucketEncryption: PackPolicy<StackValidationPolicy> = {
    policy: bucketPolicy(s3BucketEncryptionRule),
    severity: "high",
    topics: ["encryption"],
    controls: [
        { framework: "Security Hub", id: "S3.17", coverage: "full" },
        { framework: "Checkov", id: "CKV_AWS_145", coverage: "full" },
    ],
    details:
        "A stack policy: every bucket has a `BucketServerSideEncryptionConfiguration` (joined by the `bucket` dependency) with `aws:kms`, a " +
        "`kmsMasterKeyId` and `bucketKeyEnabled`. Buckets that receive S3 server access logs (the `targetBucket` of a `BucketLogging`) may use SSE-S3 " +
        "(`AES256`), the encryption log delivery supports; `aws:kms` on the AWS-managed `aws/s3` key is reported there, since log delivery cannot use " +
        "it.",
    remediation: "Add a BucketServerSideEncryptionConfiguration with aws:kms, the stack's key and bucketKeyEnabled (AES256 for access-log buckets).",
};
