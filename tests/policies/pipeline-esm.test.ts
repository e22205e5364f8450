// pipeline-esm-error-handling (stack rule 1) and pipeline-retention-covers-replay (stack rule 2):
// how a Kinesis consumer fails, and whether a failed batch can still be replayed from the stream.
import {
    arn,
    assertNoViolations,
    assertViolations,
    compliant,
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

const ESM = "pipeline-esm-error-handling";
const REPLAY = "pipeline-retention-covers-replay";
const esmMessage = (m: string) => `event source mapping orders-consumer ${m}`;

describe("policy pipeline-esm-error-handling", () => {
    it("passes the consumer's mapping: bisect, 3 retries, 1 h record age, partial failures, on-failure queue", async () => {
        assertNoViolations(await violationsOf(compliantPipeline().b.resources));
    });

    const broken: [string, Record<string, unknown>, string[]][] = [
        ["bisect off", { bisectBatchOnFunctionError: false }, ["does not bisect failing batches; set bisectBatchOnFunctionError true."]],
        ["bisect unset", { bisectBatchOnFunctionError: undefined }, ["does not bisect failing batches; set bisectBatchOnFunctionError true."]],
        ["retries -1 (until the record expires)", { maximumRetryAttempts: -1 }, ["retries a failing batch until its records expire (maximumRetryAttempts -1); set 0 to 10."]],
        [
            "retries unset (Lambda's default is -1)",
            { maximumRetryAttempts: undefined },
            ["retries a failing batch until its records expire (maximumRetryAttempts unset, -1); set 0 to 10."],
        ],
        ["11 retries", { maximumRetryAttempts: 11 }, ["has maximumRetryAttempts 11; at most 10 is allowed."]],
        ["no partial batch responses", { functionResponseTypes: [] }, ['does not report partial batch failures; set functionResponseTypes ["ReportBatchItemFailures"].']],
        ["no on-failure destination", { destinationConfig: undefined }, ["has no on-failure destination; set destinationConfig.onFailure so failed batches are recorded."]],
    ];
    for (const [what, patch, messages] of broken) {
        it(`reports ${what}`, async () => {
            const p = compliantPipeline();
            set(p.consumer.esm, patch);
            // A removed destination takes its dependency with it (the queue is then no DLQ of the stack: nothing else changes).
            if ("destinationConfig" in patch) unlink(p.consumer.esm, "destinationConfig");
            assertViolations(
                await violationsOf(p.b.resources),
                messages.map((m) => violation(ESM, p.consumer.esm.urn, esmMessage(m))),
            );
        });
    }

    it("reports an unbounded record age here and, from the stream's side, in pipeline-retention-covers-replay", async () => {
        const p = compliantPipeline();
        set(p.consumer.esm, { maximumRecordAgeInSeconds: -1 });
        assertViolations(await violationsOf(p.b.resources), [
            violation(
                REPLAY,
                p.stream.urn,
                "stream orders: event source mapping orders-consumer has no record age limit, so a failed batch may reach its on-failure destination when its records are about to expire, with no time to replay; bound maximumRecordAgeInSeconds.",
            ),
            violation(ESM, p.consumer.esm.urn, esmMessage("keeps records of any age (maximumRecordAgeInSeconds -1); bound it (60 to 604800 s, below the retention).")),
        ]);
    });

    it("takes maxRetryAttempts from config, defaulting in code", async () => {
        const p = compliantPipeline();
        set(p.consumer.esm, { maximumRetryAttempts: 10 });
        assertNoViolations(await violationsWithoutSchemaDefaults(p.b.resources));
        assertViolations(await violationsOf(p.b.resources, { [ESM]: { maxRetryAttempts: 2 } }), [
            violation(ESM, p.consumer.esm.urn, esmMessage("has maximumRetryAttempts 10; at most 2 is allowed.")),
        ]);
    });

    it("checks a mapping that reads through an enhanced fan-out consumer, and one reading a stream outside the stack", async () => {
        const p = compliantPipeline();
        const efo = p.b.add(
            TYPES.streamConsumer,
            "orders-efo",
            { name: "orders-efo", streamArn: arn.stream(PIPELINE.stream) },
            { parent: p.consumer.component, propertyDependencies: { streamArn: [p.stream] } },
        );
        set(p.consumer.esm, { eventSourceArn: arn.streamConsumer(PIPELINE.stream, "orders-efo"), bisectBatchOnFunctionError: false });
        p.consumer.esm.propertyDependencies.eventSourceArn = [efo.urn];
        assertViolations(await violationsOf(p.b.resources), [
            violation(ESM, p.consumer.esm.urn, esmMessage("does not bisect failing batches; set bisectBatchOnFunctionError true.")),
        ]);
        set(p.consumer.esm, { eventSourceArn: "arn:aws:kinesis:us-east-1:999999999999:stream/theirs" });
        unlink(p.consumer.esm, "eventSourceArn");
        const found = await violationsOf(p.b.resources);
        assertViolations(
            found.filter((v) => v.policyName === ESM),
            [violation(ESM, p.consumer.esm.urn, esmMessage("does not bisect failing batches; set bisectBatchOnFunctionError true."))],
        );
    });

    it("ignores mappings of other sources (an SQS queue)", async () => {
        const p = compliantPipeline();
        const work = p.b.add(TYPES.queue, "work", compliant.queue("work", "k", { messageRetentionSeconds: 345600, policy: compliant.queueTlsOnly("work") }), {
            propertyDependencies: { kmsMasterKeyId: [p.key] },
        });
        p.b.add(
            TYPES.esm,
            "work",
            { eventSourceArn: arn.queue("work"), functionName: arn.function(PIPELINE.consumerFunction), batchSize: 10 },
            { propertyDependencies: { eventSourceArn: [work], functionName: [p.consumer.fn] } },
        );
        assertNoViolations(await violationsOf(p.b.resources));
    });

    it("checks a mapping reading another stack's stream through a StackReference (undecided in preview, external once known)", async () => {
        const p = compliantPipeline();
        const ref = p.b.add("pulumi:pulumi:StackReference", "acme/kinesis-streaming/prod", { name: "acme/kinesis-streaming/prod" }, {}, true);
        set(p.consumer.esm, { eventSourceArn: UNKNOWN, bisectBatchOnFunctionError: false });
        p.consumer.esm.propertyDependencies.eventSourceArn = [ref.urn];
        const preview = await violationsOf(p.b.resources);
        assertViolations(
            preview.filter((v) => v.policyName === ESM),
            [violation(ESM, STACK_URN, unknownDiagnostic(ESM, "string", "eventSourceArn"), "advisory")],
        );
        set(p.consumer.esm, { eventSourceArn: "arn:aws:kinesis:us-east-1:999999999999:stream/theirs" });
        const known = await violationsOf(p.b.resources);
        assertViolations(
            known.filter((v) => v.policyName === ESM),
            [violation(ESM, p.consumer.esm.urn, esmMessage("does not bisect failing batches; set bisectBatchOnFunctionError true."))],
        );
    });

    it("in preview, a mapping whose unknown source depends on a queue is not a Kinesis mapping", async () => {
        const p = compliantPipeline();
        const work = p.b.add(TYPES.queue, "work", compliant.queue("work", "k", { messageRetentionSeconds: 345600, policy: compliant.queueTlsOnly("work") }), {
            propertyDependencies: { kmsMasterKeyId: [p.key] },
        });
        p.b.add(
            TYPES.esm,
            "work",
            { eventSourceArn: UNKNOWN, functionName: UNKNOWN, batchSize: 10 },
            { propertyDependencies: { eventSourceArn: [work], functionName: [p.consumer.fn] } },
        );
        assertNoViolations(await violationsOf(p.b.resources));
    });

    it("finds the Kinesis source by its ARN when there are no dependencies (stack file)", async () => {
        const p = compliantPipeline();
        unlink(p.consumer.esm);
        set(p.consumer.esm, { maximumRetryAttempts: 50 });
        assertViolations(await violationsOf(p.b.resources), [violation(ESM, p.consumer.esm.urn, esmMessage("has maximumRetryAttempts 50; at most 10 is allowed."))]);
    });

    it("in preview, a source ARN unknown and unlinked is advisory; a linked one is checked", async () => {
        const p = compliantPipeline();
        set(p.consumer.esm, { eventSourceArn: UNKNOWN, functionName: UNKNOWN, destinationConfig: { onFailure: { destinationArn: UNKNOWN } } });
        assertNoViolations(await violationsOf(p.b.resources));
        set(p.consumer.esm, { bisectBatchOnFunctionError: false });
        assertViolations(await violationsOf(p.b.resources), [
            violation(ESM, p.consumer.esm.urn, esmMessage("does not bisect failing batches; set bisectBatchOnFunctionError true.")),
        ]);
        unlink(p.consumer.esm, "eventSourceArn");
        const found = await violationsOf(p.b.resources);
        assertViolations(
            found.filter((v) => v.policyName === ESM),
            [violation(ESM, STACK_URN, unknownDiagnostic(ESM, "string", "eventSourceArn"), "advisory")],
        );
    });
});

describe("policy pipeline-retention-covers-replay", () => {
    const short = (retention: number, age: number, window = 72) =>
        `stream orders keeps records ${retention} h, less than the ${age} h record age of event source mapping orders-consumer plus the ${window} h replay window (${age + window} h); raise retentionPeriod or lower maximumRecordAgeInSeconds.`;

    it("passes 168 h retention for a 1 h record age plus the 72 h window, and exactly 73 h", async () => {
        assertNoViolations(await violationsOf(compliantPipeline().b.resources));
        const p = compliantPipeline();
        set(p.stream, { retentionPeriod: 73 });
        assertNoViolations(await violationsOf(p.b.resources, { "kinesis-stream-retention": { minRetentionHours: 24 } }));
    });

    it("reports 72 h retention, one hour short, also without schema defaults", async () => {
        const p = compliantPipeline();
        set(p.stream, { retentionPeriod: 72 });
        assertViolations(await violationsOf(p.b.resources, { "kinesis-stream-retention": { minRetentionHours: 24 } }), [violation(REPLAY, p.stream.urn, short(72, 1))]);
        assertViolations(await violationsWithoutSchemaDefaults(p.b.resources), [
            violation("kinesis-stream-retention", p.stream.urn, "retentionPeriod is 72 h; at least 168 h is required."),
            violation(REPLAY, p.stream.urn, short(72, 1)),
        ]);
    });

    it("dev: 24 h retention passes a 23 h replay window and fails the default", async () => {
        const p = compliantPipeline();
        set(p.stream, { retentionPeriod: 24 });
        const dev = { "kinesis-stream-retention": { minRetentionHours: 24 }, [REPLAY]: { replayWindowHours: 23 }, "sqs-dlq-retention": { replayWindowHours: 23 } };
        assertNoViolations(await violationsOf(p.b.resources, dev));
        assertViolations(await violationsOf(p.b.resources, { "kinesis-stream-retention": { minRetentionHours: 24 } }), [violation(REPLAY, p.stream.urn, short(24, 1))]);
    });

    it("binds on the consumer with the longest record age (fractions of hours shown)", async () => {
        const p = compliantPipeline();
        set(p.consumer.esm, { maximumRecordAgeInSeconds: 360_000 });
        assertViolations(await violationsOf(p.b.resources), [violation(REPLAY, p.stream.urn, short(168, 100))]);
        set(p.consumer.esm, { maximumRecordAgeInSeconds: 351_000 });
        assertViolations(await violationsOf(p.b.resources), [violation(REPLAY, p.stream.urn, short(168, 97.5))]);
    });

    it("exempts a mapping whose on-failure destination is S3 (it receives the records themselves)", async () => {
        const p = compliantPipeline();
        set(p.consumer.esm, { maximumRecordAgeInSeconds: 604_800, destinationConfig: { onFailure: { destinationArn: arn.bucket(PIPELINE.archiveBucket) } } });
        p.consumer.esm.propertyDependencies.destinationConfig = [p.archive.bucket.urn];
        const found = await violationsOf(p.b.resources);
        assertViolations(
            found.filter((v) => v.policyName === REPLAY),
            [],
        );
        unlink(p.consumer.esm, "destinationConfig");
        assertViolations(
            (await violationsOf(p.b.resources)).filter((v) => v.policyName === REPLAY),
            [],
        );
    });

    it("uses the Kinesis default of 24 h when retentionPeriod is unset", async () => {
        const p = compliantPipeline();
        set(p.stream, { retentionPeriod: undefined });
        assertViolations(
            (await violationsOf(p.b.resources, { "kinesis-stream-retention": { minRetentionHours: 24 } })).filter((v) => v.policyName === REPLAY),
            [violation(REPLAY, p.stream.urn, short(24, 1))],
        );
    });

    it("cannot check a record age unknown in preview: advisory", async () => {
        const p = compliantPipeline();
        set(p.consumer.esm, { maximumRecordAgeInSeconds: UNKNOWN });
        assertViolations(
            (await violationsOf(p.b.resources)).filter((v) => v.policyName === REPLAY),
            [violation(REPLAY, STACK_URN, unknownDiagnostic(REPLAY, "string", "maximumRecordAgeInSeconds"), "advisory")],
        );
    });
});
