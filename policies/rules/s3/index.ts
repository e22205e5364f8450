// The s3 policies, one per file; shared.ts holds what several of them use.
export * from "./s3-bucket-access-logging";
export * from "./s3-bucket-encryption";
export * from "./s3-bucket-lifecycle";
export * from "./s3-bucket-public-access-block";
export * from "./s3-bucket-tls-only";
export * from "./s3-bucket-versioning";
export * from "./s3-public-access-block-flags";
