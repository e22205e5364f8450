// S3 rules. In @pulumi/aws v7 a bucket's encryption, versioning, public access block, policy,
// lifecycle and logging are separate resources, so each rule is a stack policy joining them to
// their bucket through the `bucket` property dependency (its value, the bucket name, is unknown in
// preview for auto-named buckets), falling back to the bucket name. The deprecated inline
// arguments of aws.s3.Bucket are not read: declare the side resources.
import * as aws from "@pulumi/aws";
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { remediateResourceOfType, validateResourceOfType } from "@pulumi/policy";
import { at, deniesInsecureTransport, forEachDecidable, linkedOrThrow, list, rawProps, someDecidable, statementsOf } from "./common";
import { ofType, TYPE } from "./graph";

/** The side resources of `type` that configure `bucket`. */
export function sideResourcesOf(bucket: PolicyResource, resources: PolicyResource[], type: readonly string[], prop = "bucket"): PolicyResource[] {
    return ofType(resources, type).filter(
        (side) =>
            linkedOrThrow(side, prop, [bucket], () => {
                const name = bucket.props.bucket;
                return typeof name === "string" && side.props[prop] === name;
            }).length > 0,
    );
}

/** Buckets that receive S3 server access logs (the target of some BucketLogging). */
export function isLogTarget(bucket: PolicyResource, resources: PolicyResource[]): boolean {
    return sideResourcesOf(bucket, resources, TYPE.bucketLogging, "targetBucket").length > 0;
}

/** A bucket check: reports what is wrong with `bucket` given the stack's resources. */
export type BucketCheck = (bucket: PolicyResource, resources: PolicyResource[], report: (message: string) => void) => void;

interface BucketRule {
    name: string;
    description: string;
    check: BucketCheck;
}

function bucketPolicy({ name, description, check }: BucketRule): StackValidationPolicy {
    return {
        name,
        description,
        enforcementLevel: "mandatory",
        validateStack: (args, report) => {
            forEachDecidable(ofType(args.resources, TYPE.bucket), (bucket) => check(bucket, args.resources, (m) => report(m, bucket.urn)));
        },
    };
}

const s3BucketEncryptionRule: BucketRule = {
    name: "s3-bucket-encryption",
    description:
        "S3 buckets must have a BucketServerSideEncryptionConfiguration with aws:kms, a named key and bucketKeyEnabled; buckets that receive " +
        "S3 server access logs may use SSE-S3 (AES256), the encryption log delivery supports (it cannot use aws/s3). Controls: Security Hub S3.17, Checkov CKV_AWS_145.",
    check: (bucket, resources, report) => {
        const configs = sideResourcesOf(bucket, resources, TYPE.bucketEncryption);
        if (configs.length === 0) {
            report(`bucket ${bucket.name} has no server-side encryption configuration; add a BucketServerSideEncryptionConfiguration with aws:kms, the stack's key and bucketKeyEnabled.`);
            return;
        }
        const logTarget = isLogTarget(bucket, resources);
        for (const config of configs) {
            for (const rule of list(config.props.rules as unknown[])) {
                const sse = at(rule, "applyServerSideEncryptionByDefault");
                const algorithm = at(sse, "sseAlgorithm");
                const keyId = at(sse, "kmsMasterKeyId");
                if (algorithm === "AES256") {
                    if (!logTarget) report(`bucket ${bucket.name} uses SSE-S3 (AES256); use aws:kms with the stack's key (SSE-S3 is accepted only on buckets that receive access logs).`);
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

export function s3BucketEncryption(): StackValidationPolicy {
    return bucketPolicy(s3BucketEncryptionRule);
}

const s3BucketVersioningRule: BucketRule = {
    name: "s3-bucket-versioning",
    description:
        "S3 buckets must have a BucketVersioning with status Enabled, so an overwrite or delete can be undone. Controls: Security Hub S3.14, Checkov CKV_AWS_21.",
    check: (bucket, resources, report) => {
        const configs = sideResourcesOf(bucket, resources, TYPE.bucketVersioning);
        if (configs.length === 0) {
            report(`bucket ${bucket.name} has no BucketVersioning; add one with status Enabled.`);
            return;
        }
        const statuses = configs.map((c) => at(c.props.versioningConfiguration, "status"));
        if (!statuses.includes("Enabled")) report(`bucket ${bucket.name} has versioning ${statuses.map((s) => JSON.stringify(s ?? null)).join(", ")}; set status Enabled.`);
    },
};

export function s3BucketVersioning(): StackValidationPolicy {
    return bucketPolicy(s3BucketVersioningRule);
}

const s3BucketPublicAccessBlockRule: BucketRule = {
    name: "s3-bucket-public-access-block",
    description:
        "S3 buckets must have a BucketPublicAccessBlock (its four flags are s3-public-access-block-flags'). Controls: Security Hub S3.8 (S3.1 at account level), cdk-nag AwsSolutions-S2.",
    check: (bucket, resources, report) => {
        if (sideResourcesOf(bucket, resources, TYPE.bucketPublicAccessBlock).length === 0) {
            report(`bucket ${bucket.name} has no BucketPublicAccessBlock; add one with all four flags true.`);
        }
    },
};

export function s3BucketPublicAccessBlock(): StackValidationPolicy {
    return bucketPolicy(s3BucketPublicAccessBlockRule);
}

export const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

/** Every flag on: no bucket of a streaming pipeline serves the public. Remediable: the fix is the flags. */
export function s3PublicAccessBlockFlags(): ResourceValidationPolicy {
    return {
        name: "s3-public-access-block-flags",
        description:
            "S3 public access blocks must set blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets to true (remediable: sets them). " +
            "Controls: Security Hub S3.8, Checkov CKV_AWS_53 / CKV_AWS_54 / CKV_AWS_55 / CKV_AWS_56.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.s3.BucketPublicAccessBlock, (block, _args, report) => {
            const off = PUBLIC_ACCESS_FLAGS.filter((f) => block[f] !== true);
            if (off.length > 0) report(`${off.join(", ")} ${off.length === 1 ? "is" : "are"} not true; set all four flags to true.`);
        }),
        remediateResource: remediateResourceOfType(aws.s3.BucketPublicAccessBlock, (block) => {
            const raw = rawProps(block as Record<string, unknown>);
            if (PUBLIC_ACCESS_FLAGS.every((f) => raw[f] === true)) return undefined;
            return { ...raw, ...Object.fromEntries(PUBLIC_ACCESS_FLAGS.map((f) => [f, true])) };
        }),
    };
}

/** True when a statement's resources cover the bucket and its objects (`arn:...:::b` and `arn:...:::b/*`, or `*`). */
function coversBucketAndObjects(resources: unknown[]): boolean {
    if (resources.includes("*")) return true;
    return resources.some((r) => /^arn:aws[a-z-]*:s3:::[^/]+$/.test(String(r))) && resources.some((r) => /^arn:aws[a-z-]*:s3:::[^/]+\/\*$/.test(String(r)));
}

const s3BucketTlsOnlyRule: BucketRule = {
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
        const ok = someDecidable(policies, (p) =>
            (statementsOf(p.props.policy) ?? []).some((s) => deniesInsecureTransport(s, "s3:*") && coversBucketAndObjects(list(s.Resource))),
        );
        if (!ok) report(`the policy of bucket ${bucket.name} does not deny s3:* on the bucket and its objects when aws:SecureTransport is false.`);
    },
};

export function s3BucketTlsOnly(): StackValidationPolicy {
    return bucketPolicy(s3BucketTlsOnlyRule);
}

const s3BucketAccessLoggingRule: BucketRule = {
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

export function s3BucketAccessLogging(): StackValidationPolicy {
    return bucketPolicy(s3BucketAccessLoggingRule);
}

const s3BucketLifecycleRule: BucketRule = {
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

export function s3BucketLifecycle(): StackValidationPolicy {
    return bucketPolicy(s3BucketLifecycleRule);
}

/** The bucket rules by name, so firehose-destination-bucket can hold its bucket to the same checks. */
export const BUCKET_CHECKS: ReadonlyMap<string, BucketCheck> = new Map(
    [s3BucketEncryptionRule, s3BucketVersioningRule, s3BucketPublicAccessBlockRule, s3BucketTlsOnlyRule, s3BucketAccessLoggingRule, s3BucketLifecycleRule].map((r) => [r.name, r.check]),
);
