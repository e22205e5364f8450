// lambda-function-concurrency: each function's concurrency bounded, by its invoker or a reservation.
import { assertNoViolations, assertViolations, compliant, compliantPipeline, FIXTURE_TYPES, set, TYPES, violation, violationsOf } from "../support/policy-harness";
import { arn } from "../support/policy-harness/stack-model";

const POLICY = "lambda-function-concurrency";
const API = "aws:apigatewayv2/api:Api";
const unbounded = (fn: string) =>
    `function ${fn} has no reserved concurrency and no invoker of this stack bounds it (event source mapping, API stage, Firehose); reserve the concurrency it needs.`;
const only = async (resources: Parameters<typeof violationsOf>[0]) => (await violationsOf(resources)).filter((v) => v.policyName === POLICY);

/** The pipeline whose producer sits behind an HTTP API (permission and stage joined to the API by dependencies), reserving nothing. */
function behindApi(stage: Record<string, unknown> | undefined) {
    const p = compliantPipeline();
    set(p.producers.fn, { reservedConcurrentExecutions: undefined });
    const api = p.b.add(API, "orders-api", { protocolType: "HTTP", name: "orders-ingest" }, { parent: p.producers.component });
    p.b.add(FIXTURE_TYPES.lambdaPermission, "orders-ingest", compliant.lambdaPermission("orders-ingest", "api123"), {
        parent: p.producers.component,
        propertyDependencies: { function: [p.producers.fn], sourceArn: [api] },
    });
    const s = stage
        ? p.b.add(FIXTURE_TYPES.stage, "orders-api", compliant.stage("api123", stage), { parent: p.producers.component, propertyDependencies: { apiId: [api] } })
        : undefined;
    return { p, stage: s };
}

describe("policy lambda-function-concurrency", () => {
    it("passes the pipeline: a consumer bounded by its mapping, a producer with its own reservation", async () => {
        assertNoViolations(await violationsOf(compliantPipeline().b.resources));
    });

    describe("a Kinesis consumer (bounded by shards × parallelization factor)", () => {
        it("passes no reservation, or one that covers every batch the mapping runs at once", async () => {
            const p = compliantPipeline();
            set(p.consumer.esm, { parallelizationFactor: 5 });
            assertViolations(await only(p.b.resources), []);
            set(p.consumer.fn, { reservedConcurrentExecutions: 10 });
            assertViolations(await only(p.b.resources), []);
        });

        it("reports a reservation below shards × parallelization factor, which throttles its own mapping", async () => {
            const p = compliantPipeline();
            set(p.consumer.esm, { parallelizationFactor: 5 });
            set(p.consumer.fn, { reservedConcurrentExecutions: 4 });
            assertViolations(await only(p.b.resources), [
                violation(
                    POLICY,
                    p.consumer.fn.urn,
                    "consumer orders-consumer reserves 4 but event source mapping orders-consumer runs up to 10 batches at once (2 shards × parallelization factor 5); reserve at least 10 or none (the mapping bounds it).",
                ),
            ]);
        });

        it("cannot count an on-demand stream's shards: any reservation of at least 1 passes", async () => {
            const p = compliantPipeline();
            set(p.stream, { streamModeDetails: { streamMode: "ON_DEMAND" }, shardCount: undefined });
            set(p.consumer.fn, { reservedConcurrentExecutions: 1 });
            assertViolations(await only(p.b.resources), []);
        });
    });

    describe("a function behind API Gateway (bounded by its stage's throttling)", () => {
        it("passes without a reservation when the stage sets a burst limit", async () => {
            assertViolations(await only(behindApi({}).p.b.resources), []);
        });

        it("reports a stage without a burst limit, and an API with no stage in the stack, unless the function reserves", async () => {
            const { p, stage } = behindApi({ defaultRouteSettings: { throttlingRateLimit: 100 } });
            assertViolations(await only(p.b.resources), [
                violation(
                    POLICY,
                    p.producers.fn.urn,
                    `function orders-ingest is invoked by API Gateway, whose stage ${stage!.name} sets no throttlingBurstLimit; throttle the stage or reserve concurrency, or a burst of requests takes the account's concurrency.`,
                ),
            ]);
            set(p.producers.fn, { reservedConcurrentExecutions: 50 });
            assertViolations(await only(p.b.resources), []);
            const noStage = behindApi(undefined).p;
            assertViolations(await only(noStage.b.resources), [
                violation(
                    POLICY,
                    noStage.producers.fn.urn,
                    "function orders-ingest is invoked by API Gateway through no stage of this stack; throttle the stage or reserve concurrency, or a burst of requests takes the account's concurrency.",
                ),
            ]);
        });
    });

    it("passes a Firehose processor without a reservation (its delivery stream bounds it)", async () => {
        const p = compliantPipeline();
        const log = p.b.add(TYPES.logGroup, "orders-transform", compliant.logGroup("/aws/lambda/orders-transform", compliant.keyArn(p.key.name)), {
            parent: p.archive.component,
            propertyDependencies: { kmsKeyId: [p.key] },
        });
        const fn = p.b.add(TYPES.function, "orders-transform", compliant.function("orders-transform", "/aws/lambda/orders-transform"), {
            parent: p.archive.component,
            propertyDependencies: { loggingConfig: [log] },
        });
        // Until the delivery stream invokes it, nothing bounds it.
        assertViolations(await only(p.b.resources), [violation(POLICY, fn.urn, unbounded("orders-transform"))]);
        const s3 = p.archive.firehose.inputs.extendedS3Configuration as Record<string, unknown>;
        const processing = {
            enabled: true,
            processors: [{ type: "Lambda", parameters: [{ parameterName: "LambdaArn", parameterValue: `${arn.function("orders-transform")}:$LATEST` }] }],
        };
        set(p.archive.firehose, { extendedS3Configuration: { ...s3, processingConfiguration: processing } });
        p.archive.firehose.propertyDependencies.extendedS3Configuration!.push(fn.urn);
        assertViolations(await only(p.b.resources), []);
        // By value too (a stack file without property dependencies).
        p.archive.firehose.propertyDependencies.extendedS3Configuration = p.archive.firehose.propertyDependencies.extendedS3Configuration!.filter((u) => u !== fn.urn);
        assertViolations(await only(p.b.resources), []);
    });

    it("requires a reservation of any other function, and reports 0 (a function that never runs) everywhere", async () => {
        const p = compliantPipeline();
        set(p.producers.fn, { reservedConcurrentExecutions: undefined });
        assertViolations(await only(p.b.resources), [violation(POLICY, p.producers.fn.urn, unbounded("orders-ingest"))]);
        set(p.producers.fn, { reservedConcurrentExecutions: 0 });
        set(p.consumer.fn, { reservedConcurrentExecutions: 0 });
        const zero = (fn: string) => `function ${fn} has reserved concurrency 0, which stops it from running; remove the reservation or reserve what it needs.`;
        assertViolations(await only(p.b.resources), [violation(POLICY, p.consumer.fn.urn, zero("orders-consumer")), violation(POLICY, p.producers.fn.urn, zero("orders-ingest"))]);
    });

    it("leaves the shard autoscaler to lambda-autoscaler-concurrency", async () => {
        const p = compliantPipeline();
        set(p.producers.fn, { name: "orders-autoscaler", reservedConcurrentExecutions: undefined });
        assertViolations(await only(p.b.resources), []);
    });
});
