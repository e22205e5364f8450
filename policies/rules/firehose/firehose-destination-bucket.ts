import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { arnName, at, candidatesFor, forEachDecidable, linksOf } from "../common";
import { ofType, TYPE } from "../graph";
import { BUCKET_CHECKS } from "../s3/bucket-checks";
import { PUBLIC_ACCESS_FLAGS, sideResourcesOf } from "../s3/shared";

/** What is wrong with a bucket by the S3 rules of the pack: the rule names that fail. */
function failingBucketRules(bucket: PolicyResource, resources: PolicyResource[]): string[] {
    const failing: string[] = [];
    for (const [name, check] of BUCKET_CHECKS) {
        let failed = false;
        check(bucket, resources, () => (failed = true));
        if (failed) failing.push(name);
    }
    const blocks = sideResourcesOf(bucket, resources, TYPE.bucketPublicAccessBlock);
    if (blocks.some((b) => PUBLIC_ACCESS_FLAGS.some((f) => b.props[f] !== true))) failing.push("s3-public-access-block-flags");
    return failing;
}

export const firehoseDestinationBucket: PackPolicy<StackValidationPolicy> = {
    policy: {
        name: "firehose-destination-bucket",
        description:
            "A Firehose delivering to S3 must deliver to a bucket the stack declares that passes every S3 rule of the pack (encryption, versioning, public " +
            "access block, TLS-only policy, access logging, lifecycle): the archive holds every record of the stream. " +
            "Controls: pack-specific (joins Security Hub S3.5, S3.8, S3.9, S3.13, S3.14, S3.17 to the delivery stream).",
        enforcementLevel: "mandatory",
        validateStack: (args, report) => {
            const buckets = ofType(args.resources, TYPE.bucket);
            forEachDecidable(ofType(args.resources, TYPE.firehose), (fh) => {
                if (fh.props.destination !== "extended_s3") return;
                // Read only when the dependencies do not decide: the bucket's ARN is unknown in a first preview.
                const bucketArn = () => at(fh.props.extendedS3Configuration, "bucketArn");
                const near = candidatesFor(fh, "extendedS3Configuration", buckets, { name: "bucket", keysOf: (b) => [b.props.bucket] }, () => [arnName(bucketArn())]);
                const { linked, undecided } = linksOf(fh, "extendedS3Configuration", near, (b) => typeof b.props.bucket === "string" && arnName(bucketArn()) === b.props.bucket);
                if (linked.length === 0) {
                    if (undecided !== undefined) throw undecided;
                    report(`delivery stream ${fh.name} delivers to ${String(bucketArn())}, a bucket this stack does not declare: its guards cannot be checked.`, fh.urn);
                    return;
                }
                for (const bucket of linked) {
                    const failing = failingBucketRules(bucket, args.resources);
                    if (failing.length > 0) report(`delivery stream ${fh.name} delivers to bucket ${bucket.name}, which fails ${failing.join(", ")}.`, fh.urn);
                }
            });
        },
    },
    severity: "high",
    topics: ["encryption", "network", "logging"],
    controls: [
        { framework: "Security Hub", id: "S3.5", coverage: "none", note: "joins it to the delivery stream; the S3 rules check it" },
        { framework: "Security Hub", id: "S3.8", coverage: "none", note: "joins it to the delivery stream; the S3 rules check it" },
        { framework: "Security Hub", id: "S3.9", coverage: "none", note: "joins it to the delivery stream; the S3 rules check it" },
        { framework: "Security Hub", id: "S3.13", coverage: "none", note: "joins it to the delivery stream; the S3 rules check it" },
        { framework: "Security Hub", id: "S3.14", coverage: "none", note: "joins it to the delivery stream; the S3 rules check it" },
        { framework: "Security Hub", id: "S3.17", coverage: "none", note: "joins it to the delivery stream; the S3 rules check it" },
    ],
    details:
        "A stack policy: an S3 delivery stream delivers to a bucket of the stack (joined by the `extendedS3Configuration` dependency, else its ARN) " +
        "that passes every S3 rule of the pack; the violation names the rules it fails. The archive holds every record of the stream.",
    remediation: "Deliver to a bucket of the stack and fix the S3 rules the violation names.",
};
