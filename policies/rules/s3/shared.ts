// What several s3 policies use (the folder's index.ts says what the policies check).
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { dependentsOn, forEachDecidable, linkedOrThrow } from "../common";
import { ofType, TYPE } from "../graph";

/** The side resources of `type` that configure `bucket`. */
export function sideResourcesOf(bucket: PolicyResource, resources: PolicyResource[], type: readonly string[], prop = "bucket"): PolicyResource[] {
    const sides = ofType(resources, type);
    const near = dependentsOn(bucket, prop, sides, { name: `side:${prop}`, keysOf: (side) => [side.props[prop]] }, () => [bucket.props.bucket]);
    return near.filter(
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

export interface BucketRule {
    name: string;
    description: string;
    check: BucketCheck;
}

export function bucketPolicy({ name, description, check }: BucketRule): StackValidationPolicy {
    return {
        name,
        description,
        enforcementLevel: "mandatory",
        validateStack: (args, report) => {
            forEachDecidable(ofType(args.resources, TYPE.bucket), (bucket) => check(bucket, args.resources, (m) => report(m, bucket.urn)));
        },
    };
}

export const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;
