// Firehose: delivery logging and buffering (resource policies); source stream encrypted and
// destination bucket compliant (stack policies joined through the delivery stream's property dependencies).
import {
    arn,
    assertNoViolations,
    assertViolations,
    compliantPipeline,
    PIPELINE,
    set,
    TYPES,
    UNKNOWN,
    unknownDiagnostic,
    unlink,
    violation,
    violationsOf,
    violationsWithoutSchemaDefaults,
    STACK_URN,
} from "../support/policy-harness";

const LOGGING = "firehose-delivery-logging";
const BUFFERING = "firehose-buffering";
const SOURCE = "firehose-source-encrypted";
const DESTINATION = "firehose-destination-bucket";

/** The pipeline with the delivery stream's extendedS3Configuration patched. */
function withS3(patch: Record<string, unknown>) {
    const p = compliantPipeline();
    const s3 = { ...(p.archive.firehose.inputs.extendedS3Configuration as Record<string, unknown>) };
    for (const [k, v] of Object.entries(patch)) {
        if (v === undefined) delete s3[k];
        else s3[k] = v;
    }
    set(p.archive.firehose, { extendedS3Configuration: s3 });
    return p;
}

describe("policy firehose-delivery-logging", () => {
    it("passes S3 delivery logging to its log group", async () => {
        assertNoViolations(await violationsOf(compliantPipeline().b.resources));
    });

    const broken: [string, Record<string, unknown>, string][] = [
        [
            "logging disabled",
            { cloudwatchLoggingOptions: { enabled: false, logGroupName: "/aws/kinesisfirehose/orders-archive" } },
            "extendedS3Configuration.cloudwatchLoggingOptions is not enabled; log delivery errors to a log group.",
        ],
        [
            "no cloudwatchLoggingOptions",
            { cloudwatchLoggingOptions: undefined },
            "extendedS3Configuration.cloudwatchLoggingOptions is not enabled; log delivery errors to a log group.",
        ],
        ["logging enabled without a log group", { cloudwatchLoggingOptions: { enabled: true } }, "extendedS3Configuration.cloudwatchLoggingOptions names no logGroupName."],
    ];
    for (const [what, patch, message] of broken) {
        it(`reports ${what}`, async () => {
            const p = withS3(patch);
            assertViolations(await violationsOf(p.b.resources), [violation(LOGGING, p.archive.firehose.urn, message)]);
        });
    }

    it("checks the configuration of other destinations (http_endpoint)", async () => {
        const p = compliantPipeline();
        const fh = p.b.add(
            TYPES.firehose,
            "webhook",
            {
                name: "webhook",
                destination: "http_endpoint",
                httpEndpointConfiguration: { url: "https://example.com", cloudwatchLoggingOptions: { enabled: false } },
                serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: "arn:aws:kms:us-east-1:123456789012:key/app-key-0000-0000-0000-000000000000" },
            },
            { propertyDependencies: { serverSideEncryption: [p.key] } },
        );
        const found = await violationsOf(p.b.resources, { "pipeline-alarms": "disabled" });
        assertViolations(found, [violation(LOGGING, fh.urn, "httpEndpointConfiguration.cloudwatchLoggingOptions is not enabled; log delivery errors to a log group.")]);
    });

    it("reports a destination whose configuration is missing", async () => {
        const p = compliantPipeline();
        set(p.archive.firehose, { extendedS3Configuration: undefined });
        const found = await violationsOf(p.b.resources, { [DESTINATION]: "disabled", [BUFFERING]: "disabled" });
        assertViolations(found, [violation(LOGGING, p.archive.firehose.urn, "destination extended_s3 has no extendedS3Configuration configuration to log from.")]);
    });

    it("cannot check logging options unknown in preview: advisory", async () => {
        const p = withS3({ cloudwatchLoggingOptions: UNKNOWN });
        assertViolations(await violationsOf(p.b.resources), [
            violation(LOGGING, p.archive.firehose.urn, unknownDiagnostic(LOGGING, "string", "extendedS3Configuration.cloudwatchLoggingOptions"), "advisory"),
        ]);
    });
});

describe("policy firehose-buffering", () => {
    it("passes 64 MiB / 60 s with dynamic partitioning, and the limits 128 MiB / 900 s", async () => {
        assertNoViolations(await violationsOf(compliantPipeline().b.resources));
        assertNoViolations(await violationsOf(withS3({ bufferingSize: 128, bufferingInterval: 900 }).b.resources));
        assertNoViolations(await violationsWithoutSchemaDefaults(withS3({ bufferingInterval: 900 }).b.resources));
    });

    const broken: [string, Record<string, unknown>, string[]][] = [
        ["129 MiB", { bufferingSize: 129 }, ["bufferingSize is 129 MiB; Firehose accepts 1 to 128 MiB."]],
        ["0 MiB", { bufferingSize: 0 }, ["bufferingSize is 0 MiB; Firehose accepts 1 to 128 MiB."]],
        ["32 MiB with dynamic partitioning", { bufferingSize: 32 }, ["bufferingSize is 32 MiB with dynamic partitioning on; it needs at least 64 MiB."]],
        ["the 5 MiB default with dynamic partitioning", { bufferingSize: undefined }, ["bufferingSize is 5 MiB with dynamic partitioning on; it needs at least 64 MiB."]],
        ["901 s", { bufferingInterval: 901 }, ["bufferingInterval is 901 s; at most 900 s is allowed."]],
        [
            "both out of range",
            { bufferingSize: 200, bufferingInterval: 1000 },
            ["bufferingInterval is 1000 s; at most 900 s is allowed.", "bufferingSize is 200 MiB; Firehose accepts 1 to 128 MiB."],
        ],
    ];
    for (const [what, patch, messages] of broken) {
        it(`reports ${what}`, async () => {
            const p = withS3(patch);
            assertViolations(
                await violationsOf(p.b.resources),
                messages.map((m) => violation(BUFFERING, p.archive.firehose.urn, m)),
            );
        });
    }

    it("passes 32 MiB without dynamic partitioning", async () => {
        assertNoViolations(await violationsOf(withS3({ bufferingSize: 32, dynamicPartitioningConfiguration: undefined }).b.resources));
    });

    it("uses maxIntervalSeconds from config, the 300 s default counting when unset", async () => {
        const p = withS3({ bufferingInterval: undefined });
        assertViolations(await violationsOf(p.b.resources, { [BUFFERING]: { maxIntervalSeconds: 120 } }), [
            violation(BUFFERING, p.archive.firehose.urn, "bufferingInterval is 300 s; at most 120 s is allowed."),
        ]);
    });

    it("cannot check a size unknown in preview: advisory", async () => {
        const p = withS3({ bufferingSize: UNKNOWN });
        assertViolations(await violationsOf(p.b.resources), [
            violation(BUFFERING, p.archive.firehose.urn, unknownDiagnostic(BUFFERING, "string", "extendedS3Configuration.bufferingSize"), "advisory"),
        ]);
    });
});

describe("policy firehose-source-encrypted", () => {
    it("passes a Firehose reading the stack's KMS-encrypted stream (linked by kinesisSourceConfiguration)", async () => {
        assertNoViolations(await violationsOf(compliantPipeline().b.resources));
    });

    it("reports a Firehose reading an unencrypted stream of the stack", async () => {
        const p = compliantPipeline();
        set(p.stream, { encryptionType: "NONE", kmsKeyId: undefined });
        const found = (await violationsOf(p.b.resources)).filter((v) => v.policyName === SOURCE);
        assertViolations(found, [
            violation(
                SOURCE,
                p.archive.firehose.urn,
                "delivery stream orders-archive reads stream orders, which is not encrypted with KMS; with a Kinesis source the stream's encryption protects the records.",
            ),
        ]);
    });

    it("reports a Firehose reading a stream the stack does not declare", async () => {
        const p = compliantPipeline();
        const external = "arn:aws:kinesis:us-east-1:999999999999:stream/theirs";
        set(p.archive.firehose, { kinesisSourceConfiguration: { kinesisStreamArn: external, roleArn: arn.role("orders-archive-firehose") } });
        p.archive.firehose.propertyDependencies.kinesisSourceConfiguration = [p.archive.role.urn];
        assertViolations(await violationsOf(p.b.resources), [
            violation(SOURCE, p.archive.firehose.urn, `delivery stream orders-archive reads ${external}, a stream this stack does not declare: its encryption cannot be checked.`),
        ]);
    });

    it("links the source stream by its ARN when there are no dependencies (stack file)", async () => {
        const p = compliantPipeline();
        unlink(p.archive.firehose, "kinesisSourceConfiguration");
        assertNoViolations(await violationsOf(p.b.resources));
        set(p.stream, { kmsKeyId: "" });
        const found = (await violationsOf(p.b.resources)).filter((v) => v.policyName === SOURCE);
        assertViolations(found, [
            violation(
                SOURCE,
                p.archive.firehose.urn,
                "delivery stream orders-archive reads stream orders, which is not encrypted with KMS; with a Kinesis source the stream's encryption protects the records.",
            ),
        ]);
    });

    it("passes a Direct PUT Firehose encrypted with a customer-managed key, and reports one without", async () => {
        const p = compliantPipeline();
        const sse = { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: "arn:aws:kms:us-east-1:123456789012:key/app-key-0000-0000-0000-000000000000" };
        set(p.archive.firehose, { kinesisSourceConfiguration: undefined, serverSideEncryption: sse });
        p.archive.firehose.propertyDependencies.kinesisSourceConfiguration = [];
        p.archive.firehose.propertyDependencies.serverSideEncryption = [p.key.urn];
        assertNoViolations(await violationsOf(p.b.resources));
        for (const bad of [undefined, { enabled: true, keyType: "AWS_OWNED_CMK" }, { enabled: false, keyType: "CUSTOMER_MANAGED_CMK", keyArn: sse.keyArn }]) {
            set(p.archive.firehose, { serverSideEncryption: bad });
            const found = (await violationsOf(p.b.resources)).filter((v) => v.policyName === SOURCE);
            assertViolations(found, [
                violation(
                    SOURCE,
                    p.archive.firehose.urn,
                    "delivery stream orders-archive takes direct puts without serverSideEncryption on a customer-managed key (keyType CUSTOMER_MANAGED_CMK, keyArn).",
                ),
            ]);
        }
    });

    it("in preview, links by dependency while the ARN is unknown, and reports an unlinked unknown ARN as advisory", async () => {
        const p = compliantPipeline();
        set(p.archive.firehose, { kinesisSourceConfiguration: { kinesisStreamArn: UNKNOWN, roleArn: UNKNOWN } });
        assertNoViolations(await violationsOf(p.b.resources));
        unlink(p.archive.firehose, "kinesisSourceConfiguration");
        const found = await violationsOf(p.b.resources);
        assertViolations(
            found.filter((v) => v.policyName === SOURCE),
            [violation(SOURCE, STACK_URN, unknownDiagnostic(SOURCE, "string", "kinesisSourceConfiguration.kinesisStreamArn"), "advisory")],
        );
    });
});

describe("policy firehose-destination-bucket", () => {
    it("passes delivery to the stack's guarded bucket", async () => {
        assertNoViolations(await violationsOf(compliantPipeline().b.resources));
    });

    it("reports delivery to a bucket that fails S3 rules, naming them (the S3 rules report the bucket too)", async () => {
        const p = compliantPipeline();
        p.b.remove(p.archive.bucketSides.versioning);
        set(p.archive.bucketSides.lifecycle, { rules: [{ id: "expire", status: "Disabled", expiration: { days: 365 } }] });
        set(p.archive.bucketSides.block, { restrictPublicBuckets: false });
        assertViolations(await violationsOf(p.b.resources), [
            violation(
                DESTINATION,
                p.archive.firehose.urn,
                "delivery stream orders-archive delivers to bucket orders-archive, which fails s3-bucket-versioning, s3-bucket-lifecycle, s3-public-access-block-flags.",
            ),
            violation(
                "s3-bucket-durability",
                p.archive.bucket.urn,
                "the lifecycle configuration of bucket orders-archive never aborts incomplete multipart uploads; their parts are billed until deleted. Add an Enabled rule for every object with abortIncompleteMultipartUpload (e.g. 7 days).",
                "advisory",
            ),
            violation("s3-bucket-lifecycle", p.archive.bucket.urn, "the lifecycle configuration of bucket orders-archive has no Enabled rule."),
            violation("s3-bucket-versioning", p.archive.bucket.urn, "bucket orders-archive has no BucketVersioning; add one with status Enabled."),
            violation("s3-public-access-block-flags", p.archive.bucketSides.block.urn, "restrictPublicBuckets is not true; set all four flags to true."),
        ]);
    });

    it("reports delivery to a bucket the stack does not declare", async () => {
        const p = compliantPipeline();
        const s3 = { ...(p.archive.firehose.inputs.extendedS3Configuration as Record<string, unknown>), bucketArn: "arn:aws:s3:::someone-elses" };
        set(p.archive.firehose, { extendedS3Configuration: s3 });
        p.archive.firehose.propertyDependencies.extendedS3Configuration = [p.archive.role.urn, p.key.urn, p.archive.logGroup.urn];
        assertViolations(await violationsOf(p.b.resources), [
            violation(
                DESTINATION,
                p.archive.firehose.urn,
                "delivery stream orders-archive delivers to arn:aws:s3:::someone-elses, a bucket this stack does not declare: its guards cannot be checked.",
            ),
        ]);
    });

    it("links the bucket by its ARN when no dependency names it", async () => {
        const p = compliantPipeline();
        p.archive.firehose.propertyDependencies.extendedS3Configuration = [p.archive.role.urn, p.key.urn, p.archive.logGroup.urn];
        assertNoViolations(await violationsOf(p.b.resources));
        p.b.remove(p.archive.bucketSides.lifecycle);
        assertViolations(
            (await violationsOf(p.b.resources)).filter((v) => v.policyName === DESTINATION),
            [violation(DESTINATION, p.archive.firehose.urn, "delivery stream orders-archive delivers to bucket orders-archive, which fails s3-bucket-lifecycle.")],
        );
    });

    it("in preview, joins the bucket by dependency while its ARN is unknown", async () => {
        const p = withS3({ bucketArn: UNKNOWN, roleArn: UNKNOWN });
        set(p.archive.firehose, { kinesisSourceConfiguration: { kinesisStreamArn: UNKNOWN, roleArn: UNKNOWN } });
        assertNoViolations(await violationsOf(p.b.resources));
    });

    it("in preview, an unknown bucket policy of the destination is advisory (for this rule and the S3 rule)", async () => {
        const p = compliantPipeline();
        set(p.archive.bucketSides.policy, { policy: UNKNOWN });
        assertViolations(await violationsOf(p.b.resources), [
            violation(DESTINATION, STACK_URN, unknownDiagnostic(DESTINATION, "string", "policy"), "advisory"),
            violation("s3-bucket-tls-only", STACK_URN, unknownDiagnostic("s3-bucket-tls-only", "string", "policy"), "advisory"),
        ]);
        void PIPELINE;
    });
});
