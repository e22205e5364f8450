// S3 stack policies joining @pulumi/aws v7's side resources to their bucket through the `bucket`
// property dependency (the bucket name as fallback), and the public access block flags (resource policy).
import {
    arn,
    assertNoViolations,
    assertViolations,
    compliant,
    compliantPipeline,
    denyInsecureTransport,
    PIPELINE,
    policyDoc,
    set,
    TYPES,
    UNKNOWN,
    unknownDiagnostic,
    unlink,
    violation,
    violationsOf,
    STACK_URN,
} from "../support/policy-harness";

const ENCRYPTION = "s3-bucket-encryption";
const VERSIONING = "s3-bucket-versioning";
const BLOCK = "s3-bucket-public-access-block";
const FLAGS = "s3-public-access-block-flags";
const TLS = "s3-bucket-tls-only";
const LOGGING = "s3-bucket-access-logging";
const LIFECYCLE = "s3-bucket-lifecycle";
const DESTINATION = "firehose-destination-bucket";
const destinationFails = (p: ReturnType<typeof compliantPipeline>, ...rules: string[]) =>
    violation(DESTINATION, p.archive.firehose.urn, `delivery stream orders-archive delivers to bucket orders-archive, which fails ${rules.join(", ")}.`);

/** A bucket outside the archive with every side resource (the compliant fixtures), parented to the root. */
function standaloneBucket(p: ReturnType<typeof compliantPipeline>, name: string) {
    const b = `${name}-bucket`;
    const bucket = p.b.add(TYPES.bucket, name, compliant.bucket(b));
    const on = { propertyDependencies: { bucket: [bucket] } };
    const sides = {
        encryption: p.b.add(TYPES.bucketEncryption, name, compliant.bucketEncryption(b, { sseAlgorithm: "aws:kms", kmsMasterKeyId: compliant.keyArn(p.key.name) }), {
            propertyDependencies: { bucket: [bucket], rules: [p.key] },
        }),
        versioning: p.b.add(TYPES.bucketVersioning, name, compliant.bucketVersioning(b), on),
        block: p.b.add(TYPES.bucketPublicAccessBlock, name, compliant.bucketPublicAccessBlock(b), on),
        policy: p.b.add(TYPES.bucketPolicy, name, compliant.bucketPolicy(b), on),
        lifecycle: p.b.add(TYPES.bucketLifecycle, name, compliant.bucketLifecycle(b), on),
        logging: p.b.add(TYPES.bucketLogging, name, compliant.bucketLogging(b, PIPELINE.logBucket, { targetPrefix: `${name}/` }), {
            propertyDependencies: { bucket: [bucket], targetBucket: [p.archive.logBucket] },
        }),
    };
    return { bucket, sides };
}

describe("S3 bucket policies", () => {
    it("pass the archive bucket (SSE-KMS, bucket key, versioning, block, TLS-only, logging, lifecycle) and its log bucket (SSE-S3, no logging)", async () => {
        assertNoViolations(await violationsOf(compliantPipeline().b.resources));
    });

    it("join side resources by the bucket name when there are no dependencies (stack file), and the v2 side resource types too", async () => {
        const p = compliantPipeline();
        for (const side of [...Object.values(p.archive.bucketSides), ...Object.values(p.archive.logBucketSides)]) unlink(side, "bucket", "targetBucket");
        p.archive.bucketSides.versioning.type = "aws:s3/bucketVersioningV2:BucketVersioningV2";
        assertNoViolations(await violationsOf(p.b.resources));
    });

    it("do not take a side resource of one bucket for another's", async () => {
        const p = compliantPipeline();
        const other = standaloneBucket(p, "exports");
        assertNoViolations(await violationsOf(p.b.resources));
        p.b.remove(other.sides.versioning);
        assertViolations(await violationsOf(p.b.resources), [violation(VERSIONING, other.bucket.urn, "bucket exports has no BucketVersioning; add one with status Enabled.")]);
    });

    describe("s3-bucket-encryption", () => {
        const kmsRule = (patch: Record<string, unknown>) => [
            {
                applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:us-east-1:123456789012:key/app-key-0000-0000-0000-000000000000" },
                bucketKeyEnabled: true,
                ...patch,
            },
        ];

        it("reports a bucket without an encryption configuration", async () => {
            const p = compliantPipeline();
            p.b.remove(p.archive.bucketSides.encryption);
            assertViolations(await violationsOf(p.b.resources), [
                destinationFails(p, ENCRYPTION),
                violation(
                    ENCRYPTION,
                    p.archive.bucket.urn,
                    "bucket orders-archive has no server-side encryption configuration; add a BucketServerSideEncryptionConfiguration with aws:kms, the stack's key and bucketKeyEnabled.",
                ),
            ]);
        });

        const broken: [string, unknown[], string][] = [
            [
                "SSE-S3 on a bucket that receives no access logs",
                [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
                "bucket orders-archive uses SSE-S3 (AES256); use aws:kms with the stack's key (SSE-S3 is accepted only on buckets that receive access logs).",
            ],
            [
                "aws:kms on the AWS-managed aws/s3 key",
                [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }],
                "bucket orders-archive uses aws:kms without kmsMasterKeyId (the AWS-managed aws/s3 key); name the stack's key.",
            ],
            ["the bucket key off", kmsRule({ bucketKeyEnabled: false }), "bucket orders-archive has bucketKeyEnabled off; turn the S3 Bucket Key on (far fewer KMS requests)."],
            [
                "the bucket key unset",
                kmsRule({ bucketKeyEnabled: undefined }),
                "bucket orders-archive has bucketKeyEnabled off; turn the S3 Bucket Key on (far fewer KMS requests).",
            ],
            ["a rule without an algorithm", [{ bucketKeyEnabled: true }], "bucket orders-archive has an encryption rule without a known sseAlgorithm (null); use aws:kms."],
        ];
        for (const [what, rules, message] of broken) {
            it(`reports ${what}`, async () => {
                const p = compliantPipeline();
                set(p.archive.bucketSides.encryption, { rules });
                assertViolations(await violationsOf(p.b.resources), [destinationFails(p, ENCRYPTION), violation(ENCRYPTION, p.archive.bucket.urn, message)]);
            });
        }

        it("passes DSSE-KMS (no bucket key there)", async () => {
            const p = compliantPipeline();
            set(p.archive.bucketSides.encryption, {
                rules: [
                    {
                        applyServerSideEncryptionByDefault: {
                            sseAlgorithm: "aws:kms:dsse",
                            kmsMasterKeyId: "arn:aws:kms:us-east-1:123456789012:key/app-key-0000-0000-0000-000000000000",
                        },
                    },
                ],
            });
            assertNoViolations(await violationsOf(p.b.resources));
        });

        it("accepts SSE-S3 only on a bucket that receives access logs, and reports aws/s3 there (log delivery cannot use it)", async () => {
            const p = compliantPipeline();
            set(p.archive.logBucketSides.encryption, { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }] });
            assertViolations(await violationsOf(p.b.resources), [
                violation(
                    ENCRYPTION,
                    p.archive.logBucket.urn,
                    "bucket orders-archive-access-logs receives access logs with aws:kms on the AWS-managed aws/s3 key, which log delivery cannot use; use AES256.",
                ),
            ]);
        });

        it("in preview, joins by dependency while the bucket name is unknown, and reports unknown rules as advisory", async () => {
            const p = compliantPipeline();
            for (const side of Object.values(p.archive.bucketSides)) set(side, { bucket: UNKNOWN });
            set(p.archive.bucket, { bucket: UNKNOWN });
            assertNoViolations(await violationsOf(p.b.resources));
            set(p.archive.bucketSides.encryption, { rules: UNKNOWN });
            assertViolations(await violationsOf(p.b.resources), [
                violation(DESTINATION, STACK_URN, unknownDiagnostic(DESTINATION, "string", "rules"), "advisory"),
                violation(ENCRYPTION, STACK_URN, unknownDiagnostic(ENCRYPTION, "string", "rules"), "advisory"),
                // pipeline-key-coherence is decided by the rules' dependency on the stack's key.
            ]);
        });
    });

    describe("s3-bucket-versioning", () => {
        it("reports suspended versioning", async () => {
            const p = compliantPipeline();
            set(p.archive.bucketSides.versioning, { versioningConfiguration: { status: "Suspended" } });
            assertViolations(await violationsOf(p.b.resources), [
                destinationFails(p, VERSIONING),
                violation(VERSIONING, p.archive.bucket.urn, 'bucket orders-archive has versioning "Suspended"; set status Enabled.'),
            ]);
        });

        it("reports the log bucket without versioning", async () => {
            const p = compliantPipeline();
            p.b.remove(p.archive.logBucketSides.versioning);
            assertViolations(await violationsOf(p.b.resources), [
                violation(VERSIONING, p.archive.logBucket.urn, "bucket orders-archive-access-logs has no BucketVersioning; add one with status Enabled."),
            ]);
        });
    });

    describe("s3-bucket-public-access-block and s3-public-access-block-flags", () => {
        it("reports a bucket without a public access block", async () => {
            const p = compliantPipeline();
            p.b.remove(p.archive.logBucketSides.block);
            assertViolations(await violationsOf(p.b.resources), [
                violation(BLOCK, p.archive.logBucket.urn, "bucket orders-archive-access-logs has no BucketPublicAccessBlock; add one with all four flags true."),
            ]);
        });

        it("reports each flag off or unset, on the block itself", async () => {
            const p = compliantPipeline();
            set(p.archive.logBucketSides.block, { blockPublicAcls: false, ignorePublicAcls: undefined });
            assertViolations(await violationsOf(p.b.resources), [
                violation(FLAGS, p.archive.logBucketSides.block.urn, "blockPublicAcls, ignorePublicAcls are not true; set all four flags to true."),
            ]);
        });

        it("cannot check a flag unknown in preview: advisory", async () => {
            const p = compliantPipeline();
            set(p.archive.logBucketSides.block, { blockPublicPolicy: UNKNOWN });
            assertViolations(await violationsOf(p.b.resources), [
                violation(FLAGS, p.archive.logBucketSides.block.urn, unknownDiagnostic(FLAGS, "string", "blockPublicPolicy"), "advisory"),
            ]);
        });
    });

    describe("s3-bucket-tls-only", () => {
        it("reports a bucket without a policy", async () => {
            const p = compliantPipeline();
            p.b.remove(p.archive.bucketSides.policy);
            assertViolations(await violationsOf(p.b.resources), [
                destinationFails(p, TLS),
                violation(TLS, p.archive.bucket.urn, "bucket orders-archive has no bucket policy; add one that denies s3:* when aws:SecureTransport is false."),
            ]);
        });

        const bucketArn = arn.bucket(PIPELINE.logBucket);
        const broken: [string, object][] = [
            ["a Deny of s3:GetObject only", denyInsecureTransport("s3:GetObject", [bucketArn, `${bucketArn}/*`])],
            ["a Deny on the objects only", denyInsecureTransport("s3:*", `${bucketArn}/*`)],
            ["a Deny of one principal", { ...denyInsecureTransport("s3:*", [bucketArn, `${bucketArn}/*`]), Principal: { AWS: "arn:aws:iam::123456789012:root" } }],
            [
                'a Deny when aws:SecureTransport is "true"',
                { ...denyInsecureTransport("s3:*", [bucketArn, `${bucketArn}/*`]), Condition: { Bool: { "aws:SecureTransport": "true" } } },
            ],
        ];
        for (const [what, statement] of broken) {
            it(`reports ${what}`, async () => {
                const p = compliantPipeline();
                set(p.archive.logBucketSides.policy, { policy: policyDoc(statement) });
                assertViolations(await violationsOf(p.b.resources), [
                    violation(
                        TLS,
                        p.archive.logBucket.urn,
                        "the policy of bucket orders-archive-access-logs does not deny s3:* on the bucket and its objects when aws:SecureTransport is false.",
                    ),
                ]);
            });
        }

        it('passes a Deny of "*" on Resource "*"', async () => {
            const p = compliantPipeline();
            set(p.archive.logBucketSides.policy, { policy: policyDoc(denyInsecureTransport("*", "*")) });
            assertNoViolations(await violationsOf(p.b.resources));
        });
    });

    describe("s3-bucket-access-logging", () => {
        it("reports a bucket that receives no logs and delivers none", async () => {
            const p = compliantPipeline();
            const other = standaloneBucket(p, "exports");
            p.b.remove(other.sides.logging);
            assertViolations(await violationsOf(p.b.resources), [
                violation(LOGGING, other.bucket.urn, "bucket exports has no server access logging; add a BucketLogging that delivers to the stack's log bucket."),
            ]);
        });

        it("reports a bucket that delivers its access logs to itself", async () => {
            const p = compliantPipeline();
            set(p.archive.bucketSides.logging, { targetBucket: PIPELINE.archiveBucket });
            p.archive.bucketSides.logging.propertyDependencies.targetBucket = [p.archive.bucket.urn];
            assertViolations(
                await violationsOf(p.b.resources),
                [
                    destinationFails(p, LOGGING),
                    // No longer a log target, the log bucket now needs logging and SSE-KMS like any other bucket.
                    violation(
                        LOGGING,
                        p.archive.logBucket.urn,
                        "bucket orders-archive-access-logs has no server access logging; add a BucketLogging that delivers to the stack's log bucket.",
                    ),
                    violation(
                        ENCRYPTION,
                        p.archive.logBucket.urn,
                        "bucket orders-archive-access-logs uses SSE-S3 (AES256); use aws:kms with the stack's key (SSE-S3 is accepted only on buckets that receive access logs).",
                    ),
                    violation(LOGGING, p.archive.bucket.urn, "bucket orders-archive delivers its access logs to itself; deliver them to a separate log bucket."),
                ].sort((a, b) => a.urn.localeCompare(b.urn) || a.policyName.localeCompare(b.policyName)),
            );
        });
    });

    describe("s3-bucket-lifecycle", () => {
        it("reports a bucket without a lifecycle configuration, and one whose rules are all disabled", async () => {
            const p = compliantPipeline();
            p.b.remove(p.archive.logBucketSides.lifecycle);
            set(p.archive.bucketSides.lifecycle, { rules: [{ id: "expire", status: "Disabled" }] });
            assertViolations(await violationsOf(p.b.resources), [
                destinationFails(p, LIFECYCLE),
                // A lifecycle whose rules are all disabled aborts nothing either (no lifecycle at all is this rule's alone).
                violation(
                    "s3-bucket-durability",
                    p.archive.bucket.urn,
                    "the lifecycle configuration of bucket orders-archive never aborts incomplete multipart uploads; their parts are billed until deleted. Add an Enabled rule for every object with abortIncompleteMultipartUpload (e.g. 7 days).",
                    "advisory",
                ),
                violation(LIFECYCLE, p.archive.bucket.urn, "the lifecycle configuration of bucket orders-archive has no Enabled rule."),
                violation(
                    LIFECYCLE,
                    p.archive.logBucket.urn,
                    "bucket orders-archive-access-logs has no lifecycle configuration; add a BucketLifecycleConfiguration with an Enabled rule.",
                ),
            ]);
        });
    });
});
