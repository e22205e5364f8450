// s3-bucket-durability: every lifecycle aborts incomplete uploads; with crossRegionReplication, the archive replicates.
import { assertNoViolations, assertViolations, compliantPipeline, set, UNKNOWN, violation, violationsOf } from "../support/policy-harness";

const POLICY = "s3-bucket-durability";
const neverAborts = (bucket: string) =>
    `the lifecycle configuration of bucket ${bucket} never aborts incomplete multipart uploads; their parts are billed until deleted. Add an Enabled rule for every object with abortIncompleteMultipartUpload (e.g. 7 days).`;
const notReplicated = (bucket: string) =>
    `archive bucket ${bucket} is not replicated to another region (crossRegionReplication is on); add a BucketReplicationConfig with an Enabled rule to a bucket in the DR region.`;
const REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig";
const expire = { id: "expire", status: "Enabled", filter: {}, expiration: { days: 365 } };
const abort = (extra: Record<string, unknown> = {}) => ({ id: "abort", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 }, ...extra });

describe("policy s3-bucket-durability", () => {
    it('passes buckets whose lifecycle aborts incomplete uploads of every object (no filter, or prefix "")', async () => {
        const p = compliantPipeline();
        assertNoViolations(await violationsOf(p.b.resources));
        set(p.archive.bucketSides.lifecycle, { rules: [expire, abort({ filter: { prefix: "" } })] });
        set(p.archive.logBucketSides.lifecycle, { rules: [expire, abort({ filter: undefined })] });
        assertNoViolations(await violationsOf(p.b.resources));
    });

    const broken: [string, Record<string, unknown>[]][] = [
        ["no abort rule (the access-log bucket's lifecycle before this rule)", [expire]],
        ["an abort rule that is disabled", [expire, abort({ status: "Disabled" })]],
        ["an abort rule for one prefix only", [expire, abort({ filter: { prefix: "events/" } })]],
    ];
    for (const [what, rules] of broken) {
        it(`reports ${what} (advisory)`, async () => {
            const p = compliantPipeline();
            set(p.archive.logBucketSides.lifecycle, { rules });
            assertViolations(await violationsOf(p.b.resources), [violation(POLICY, p.archive.logBucket.urn, neverAborts("orders-archive-access-logs"), "advisory")]);
        });
    }

    it("leaves a bucket without any lifecycle to s3-bucket-lifecycle", async () => {
        const p = compliantPipeline();
        p.b.remove(p.archive.logBucketSides.lifecycle);
        const found = await violationsOf(p.b.resources);
        assertViolations(
            found.filter((v) => v.policyName === POLICY),
            [],
        );
    });

    describe("crossRegionReplication (off by default: weighed against the archive's doubled storage)", () => {
        const on = { [POLICY]: { crossRegionReplication: true } };

        it("reports only the archive (the Firehose's bucket) when replication is asked for, and passes it once replicated", async () => {
            const p = compliantPipeline();
            assertViolations(await violationsOf(p.b.resources, on), [violation(POLICY, p.archive.bucket.urn, notReplicated("orders-archive"), "advisory")]);
            const replication = p.b.add(
                REPLICATION,
                "orders-archive",
                {
                    bucket: "orders-archive-bucket",
                    role: "arn:aws:iam::123456789012:role/replication",
                    rules: [{ id: "dr", status: "Enabled", destination: { bucket: "arn:aws:s3:::orders-archive-dr" } }],
                },
                { parent: p.archive.component, propertyDependencies: { bucket: [p.archive.bucket] } },
            );
            assertNoViolations(await violationsOf(p.b.resources, on));
            set(replication, { rules: [{ id: "dr", status: "Disabled", destination: { bucket: "arn:aws:s3:::orders-archive-dr" } }] });
            assertViolations(await violationsOf(p.b.resources, on), [violation(POLICY, p.archive.bucket.urn, notReplicated("orders-archive"), "advisory")]);
        });

        it("joins the archive by the Firehose's dependency even when its ARN is unknown in preview", async () => {
            const p = compliantPipeline();
            set(p.archive.firehose, { extendedS3Configuration: { ...(p.archive.firehose.inputs.extendedS3Configuration as object), bucketArn: UNKNOWN } });
            assertViolations(await violationsOf(p.b.resources, on), [violation(POLICY, p.archive.bucket.urn, notReplicated("orders-archive"), "advisory")]);
        });
    });
});
