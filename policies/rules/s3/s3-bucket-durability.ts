import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { arnName, at, forEachDecidable, linkedOrThrow, list } from "../common";
import { ofType, TYPE } from "../graph";
import { sideResourcesOf } from "./shared";

/** Cross-region replication of a bucket (not one of graph.ts's joins: only this rule reads it). */
const REPLICATION_TYPES = ["aws:s3/bucketReplicationConfig:BucketReplicationConfig"] as const;

/** True for a lifecycle rule that applies to every object of the bucket (no filter, an empty one, or prefix ""). */
const coversEveryObject = (rule: unknown): boolean => {
    const filter = at(rule, "filter");
    if (filter === undefined || filter === null) return at(rule, "prefix") === undefined || at(rule, "prefix") === "";
    const keys = Object.keys(filter as object).filter((k) => (filter as Record<string, unknown>)[k] !== undefined);
    return keys.length === 0 || (keys.length === 1 && keys[0] === "prefix" && at(filter, "prefix") === "");
};

/** True when a lifecycle configuration aborts incomplete multipart uploads of every object. */
function abortsIncompleteUploads(config: PolicyResource): boolean {
    return list(config.props.rules as unknown[]).some(
        (r) => at(r, "status") === "Enabled" && typeof at(r, "abortIncompleteMultipartUpload", "daysAfterInitiation") === "number" && coversEveryObject(r),
    );
}

/** The buckets a Firehose of the stack delivers to (the archive), joined as firehose-destination-bucket joins them. */
function archiveBuckets(resources: PolicyResource[]): Set<string> {
    const buckets = ofType(resources, TYPE.bucket);
    const urns = new Set<string>();
    forEachDecidable(ofType(resources, TYPE.firehose), (fh) => {
        const bucketArn = () => at(fh.props.extendedS3Configuration, "bucketArn");
        for (const b of linkedOrThrow(fh, "extendedS3Configuration", buckets, (b) => typeof b.props.bucket === "string" && arnName(bucketArn()) === b.props.bucket))
            urns.add(b.urn);
    });
    return urns;
}

export const s3BucketDurability: PackPolicy<StackValidationPolicy> = {
    policy: {
        name: "s3-bucket-durability",
        description:
            "Every bucket lifecycle configuration must abort incomplete multipart uploads for all objects (an Enabled rule with abortIncompleteMultipartUpload " +
            "and no narrowing filter); with crossRegionReplication, the archive (a Firehose destination) must also be replicated to another region, " +
            "which doubles its storage cost (off by default: the stream's replica already covers the live data). Controls: Checkov CKV_AWS_300, CKV_AWS_144.",
        enforcementLevel: "advisory",
        configSchema: { properties: { crossRegionReplication: { type: "boolean", default: false } } },
        validateStack: (args, report) => {
            const replicate = args.getConfig<{ crossRegionReplication?: boolean }>().crossRegionReplication ?? false;
            const archives = replicate ? archiveBuckets(args.resources) : new Set<string>();
            forEachDecidable(ofType(args.resources, TYPE.bucket), (bucket) => {
                const configs = sideResourcesOf(bucket, args.resources, TYPE.bucketLifecycle);
                // No lifecycle at all is s3-bucket-lifecycle's finding.
                if (configs.length > 0 && !configs.some(abortsIncompleteUploads)) {
                    report(
                        `the lifecycle configuration of bucket ${bucket.name} never aborts incomplete multipart uploads; their parts are billed until deleted. Add an Enabled rule for every object with abortIncompleteMultipartUpload (e.g. 7 days).`,
                        bucket.urn,
                    );
                }
                if (archives.has(bucket.urn)) {
                    const replicated = sideResourcesOf(bucket, args.resources, REPLICATION_TYPES).some((c) =>
                        list(c.props.rules as unknown[]).some((r) => at(r, "status") === "Enabled"),
                    );
                    if (!replicated) {
                        report(
                            `archive bucket ${bucket.name} is not replicated to another region (crossRegionReplication is on); add a BucketReplicationConfig with an Enabled rule to a bucket in the DR region.`,
                            bucket.urn,
                        );
                    }
                }
            });
        },
    },
    severity: "low",
    topics: ["resilience", "cost"],
    controls: [
        { framework: "Checkov", id: "CKV_AWS_300", coverage: "full" },
        {
            framework: "Checkov",
            id: "CKV_AWS_144",
            coverage: "partial",
            note: "it asks every bucket to replicate; this asks only the archive (a Firehose destination), and only with crossRegionReplication on",
        },
    ],
    details:
        'A stack policy, advisory: every bucket with a lifecycle configuration has an `Enabled` rule for every object (no filter, or prefix `""`) ' +
        "with `abortIncompleteMultipartUpload` (Firehose and the S3 SDKs upload large objects in parts; an upload never completed is billed until " +
        "aborted). With `crossRegionReplication`, the archive (a bucket a Firehose delivers to) also has a `BucketReplicationConfig` with an " +
        "`Enabled` rule. Weighed against cost: replication doubles the archive's storage and adds transfer per GB, while the stream's replica " +
        "(`replicaRegion`) already keeps the live records in a second region, so it is off by default and in every environment's config; turn it " +
        "on where the archive is the record of truth.",
    remediation:
        "Add an Enabled lifecycle rule with abortIncompleteMultipartUpload (daysAfterInitiation 7) and no filter; for replication, a BucketReplicationConfig (versioning on both buckets) to a bucket in another region.",
    configNote:
        "`crossRegionReplication` is off in every environment: prod's stream replica keeps the live records in a second region, and replicating the archive would double its storage.",
};
