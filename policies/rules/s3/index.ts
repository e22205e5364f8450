// S3 rules. In @pulumi/aws v7 a bucket's encryption, versioning, public access block, policy,
// lifecycle and logging are separate resources, so each rule is a stack policy joining them to
// their bucket through the `bucket` property dependency (its value, the bucket name, is unknown in
// preview for auto-named buckets), falling back to the bucket name. The deprecated inline
// arguments of aws.s3.Bucket are not read: declare the side resources.
export * from "./s3-bucket-access-logging";
export * from "./s3-bucket-encryption";
export * from "./s3-bucket-lifecycle";
export * from "./s3-bucket-public-access-block";
export * from "./s3-bucket-tls-only";
export * from "./s3-bucket-versioning";
export * from "./s3-public-access-block-flags";
export * from "./s3-bucket-durability";
