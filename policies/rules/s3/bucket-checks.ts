import { s3BucketAccessLoggingRule } from "./s3-bucket-access-logging";
import { s3BucketEncryptionRule } from "./s3-bucket-encryption";
import { s3BucketLifecycleRule } from "./s3-bucket-lifecycle";
import { s3BucketPublicAccessBlockRule } from "./s3-bucket-public-access-block";
import { s3BucketTlsOnlyRule } from "./s3-bucket-tls-only";
import { s3BucketVersioningRule } from "./s3-bucket-versioning";
import type { BucketCheck } from "./shared";

/** The bucket rules by name, so firehose-destination-bucket can hold its bucket to the same checks. */
export const BUCKET_CHECKS: ReadonlyMap<string, BucketCheck> = new Map(
    [s3BucketEncryptionRule, s3BucketVersioningRule, s3BucketPublicAccessBlockRule, s3BucketTlsOnlyRule, s3BucketAccessLoggingRule, s3BucketLifecycleRule].map((r) => [
        r.name,
        r.check,
    ]),
);
