// Lambda: a supported runtime, a log group the stack declares, and an autoscaler reserved to one run at a time.
import { strict as assert } from "node:assert";
import { AUTOSCALER_ENV } from "../../contracts/env/autoscaler";
import { AUTOSCALER_LOCK_TABLE_ENV, parseRuntime } from "../../policies/rules/lambda";
import {
    arn,
    assertNoViolations,
    assertViolations,
    compliant,
    compliantPipeline,
    PIPELINE,
    policyDoc,
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

const RUNTIME = "lambda-runtime-supported";
const LOG_GROUP = "lambda-function-log-group";
const AUTOSCALER = "lambda-autoscaler-concurrency";

describe("policy lambda-runtime-supported", () => {
    for (const runtime of ["nodejs22.x", "nodejs24.x", "python3.12", "python3.13", "java21", "java25", "dotnet8", "ruby3.4", "provided.al2023"]) {
        it(`passes ${runtime}`, async () => {
            const p = compliantPipeline();
            set(p.consumer.fn, { runtime });
            assertNoViolations(await violationsOf(p.b.resources));
        });
    }

    const old: [string, string][] = [
        ["nodejs20.x", "nodejs22.x"],
        ["python3.9", "python3.12"],
        ["java17", "java21"],
        ["java8.al2", "java21"],
        ["dotnet6", "dotnet8"],
        ["ruby3.2", "ruby3.3"],
        ["provided.al2", "provided.al2023"],
        ["provided", "provided.al2023"],
    ];
    for (const [runtime, minimum] of old) {
        it(`reports ${runtime}, older than ${minimum}, also without schema defaults`, async () => {
            for (const run of [violationsOf, violationsWithoutSchemaDefaults]) {
                const p = compliantPipeline();
                set(p.consumer.fn, { runtime });
                const family = parseRuntime(runtime)!.family;
                assertViolations(await run(p.b.resources), [
                    violation(RUNTIME, p.consumer.fn.urn, `runtime ${runtime} is older than ${minimum}, the oldest supported ${family} runtime; upgrade it.`),
                ]);
            }
        });
    }

    for (const runtime of ["go1.x", "dotnetcore3.1", "nodejs"]) {
        it(`reports ${runtime}, a family the pack does not accept`, async () => {
            const p = compliantPipeline();
            set(p.consumer.fn, { runtime });
            assertViolations(await violationsOf(p.b.resources), [
                violation(RUNTIME, p.consumer.fn.urn, `runtime ${runtime} is not of a supported family (nodejs, python, java, dotnet, ruby, provided).`),
            ]);
        });
    }

    it("reports a zip function without a runtime, and does not apply to container images", async () => {
        const p = compliantPipeline();
        set(p.consumer.fn, { runtime: undefined });
        assertViolations(await violationsOf(p.b.resources), [violation(RUNTIME, p.consumer.fn.urn, "runtime is not set; choose a supported runtime.")]);
        set(p.consumer.fn, { packageType: "Image", imageUri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/consumer:1" });
        assertNoViolations(await violationsOf(p.b.resources));
    });

    it("takes minimumRuntimes from config", async () => {
        const p = compliantPipeline();
        set(p.consumer.fn, { runtime: "nodejs20.x" });
        assertNoViolations(await violationsOf(p.b.resources, { [RUNTIME]: { minimumRuntimes: ["nodejs20.x"] } }));
        set(p.consumer.fn, { runtime: "python3.13" });
        assertViolations(await violationsOf(p.b.resources, { [RUNTIME]: { minimumRuntimes: ["nodejs20.x"] } }), [
            violation(RUNTIME, p.consumer.fn.urn, "runtime python3.13 is not of a supported family (nodejs)."),
        ]);
    });

    it("parses runtimes into family and version", () => {
        assert.deepEqual(parseRuntime("nodejs22.x"), { family: "nodejs", version: [22] });
        assert.deepEqual(parseRuntime("python3.12"), { family: "python", version: [3, 12] });
        assert.deepEqual(parseRuntime("provided.al2023"), { family: "provided", version: [2023] });
        assert.equal(parseRuntime("nodejs"), undefined);
    });

    it("cannot check a runtime unknown in preview: advisory", async () => {
        const p = compliantPipeline();
        set(p.consumer.fn, { runtime: UNKNOWN });
        assertViolations(await violationsOf(p.b.resources), [violation(RUNTIME, p.consumer.fn.urn, unknownDiagnostic(RUNTIME, "string", "runtime"), "advisory")]);
    });
});

describe("policy lambda-function-log-group", () => {
    const missing = (fn: string) => `function ${fn} has no log group declared in the stack; declare /aws/lambda/<name> (retention, key) and set loggingConfig.logGroup to it.`;

    it("finds the log group by the loggingConfig dependency, by loggingConfig.logGroup, or by /aws/lambda/<name>", async () => {
        const p = compliantPipeline();
        assertNoViolations(await violationsOf(p.b.resources));
        unlink(p.consumer.fn, "loggingConfig");
        assertNoViolations(await violationsOf(p.b.resources));
        set(p.consumer.fn, { loggingConfig: undefined });
        assertNoViolations(await violationsOf(p.b.resources));
    });

    it("reports a function whose log group the stack does not declare (Lambda would create one that never expires)", async () => {
        const p = compliantPipeline();
        p.b.remove(p.producers.logGroup);
        assertViolations(await violationsOf(p.b.resources), [violation(LOG_GROUP, p.producers.fn.urn, missing("orders-ingest"))]);
    });

    it("reports a function logging to a group of another function", async () => {
        const p = compliantPipeline();
        unlink(p.producers.fn, "loggingConfig");
        set(p.producers.fn, { loggingConfig: { logFormat: "JSON", logGroup: "/aws/lambda/shared" } });
        assertViolations(await violationsOf(p.b.resources), [violation(LOG_GROUP, p.producers.fn.urn, missing("orders-ingest"))]);
    });

    it("in preview, links by dependency while names are unknown, and reports an unlinked unknown name as advisory", async () => {
        const p = compliantPipeline();
        set(p.consumer.fn, { name: UNKNOWN, loggingConfig: { logFormat: "JSON", logGroup: UNKNOWN } });
        set(p.consumer.logGroup, { name: UNKNOWN });
        const found = await violationsOf(p.b.resources);
        assertViolations(
            found.filter((v) => v.policyName === LOG_GROUP),
            [],
        );
        unlink(p.consumer.fn, "loggingConfig");
        const after = await violationsOf(p.b.resources);
        assertViolations(
            after.filter((v) => v.policyName === LOG_GROUP),
            [violation(LOG_GROUP, STACK_URN, unknownDiagnostic(LOG_GROUP, "string", "loggingConfig.logGroup"), "advisory")],
        );
    });
});

const NO_LOCK = (range: string) =>
    `autoscaler orders-autoscaler has no reserved concurrency and no run lock (AUTOSCALER_LOCK_TABLE is not set); reserve ${range}, or give it a run lock, so two runs never reshard at once.`;

describe("policy lambda-autoscaler-concurrency", () => {
    /** The pipeline with an autoscaler function: its role may reshard the stream; `name` its physical name. */
    function withAutoscaler(fnInputs: Record<string, unknown>, name = "orders-reshard", grant = true) {
        const p = compliantPipeline();
        const comp = p.b.component("streaming:kinesis:Autoscaler", "orders-autoscaler");
        const log = p.b.add(
            TYPES.logGroup,
            "orders-autoscaler",
            { name: `/aws/lambda/${name}`, retentionInDays: 30, kmsKeyId: "k" },
            { parent: comp, propertyDependencies: { kmsKeyId: [p.key] } },
        );
        const role = p.b.add(TYPES.role, "orders-autoscaler", { name, assumeRolePolicy: "{}" }, { parent: comp });
        const statements = grant
            ? [{ Sid: "ReshardThisStream", Effect: "Allow", Action: ["kinesis:DescribeStreamSummary", "kinesis:UpdateShardCount"], Resource: arn.stream(PIPELINE.stream) }]
            : [];
        p.b.add(
            TYPES.rolePolicy,
            "orders-autoscaler",
            {
                role: name,
                policy: policyDoc({ Sid: "Logs", Effect: "Allow", Action: "logs:PutLogEvents", Resource: "arn:aws:logs:us-east-1:123456789012:log-group:x:*" }, ...statements),
            },
            {
                parent: comp,
                propertyDependencies: { role: [role], policy: [p.stream, log] },
            },
        );
        const fn = p.b.add(
            TYPES.function,
            "orders-autoscaler",
            { name, runtime: "nodejs22.x", role: arn.role(name), timeout: 60, memorySize: 256, loggingConfig: { logGroup: `/aws/lambda/${name}` }, ...fnInputs },
            {
                parent: comp,
                propertyDependencies: { role: [role], loggingConfig: [log] },
            },
        );
        p.stream.ignoreChanges = ["shardCount"];
        return { p, fn };
    }

    it("does not apply to a stack without an autoscaler", async () => {
        assertNoViolations(await violationsOf(compliantPipeline().b.resources));
    });

    it("passes an autoscaler (its role may call UpdateShardCount) reserved to 1", async () => {
        assertNoViolations(await violationsOf(withAutoscaler({ reservedConcurrentExecutions: 1 }).p.b.resources));
    });

    const broken: [string, unknown, string][] = [
        ["no reserved concurrency", undefined, NO_LOCK("1")],
        ["-1 (unreserved)", -1, NO_LOCK("1")],
        ["0, which disables it", 0, "autoscaler orders-autoscaler has reserved concurrency 0, which stops it from running; reserve 1."],
        ["5", 5, "autoscaler orders-autoscaler has reserved concurrency 5; at most 1 may reshard at once."],
    ];
    for (const [what, reserved, message] of broken) {
        it(`reports ${what}`, async () => {
            const { p, fn } = withAutoscaler({ reservedConcurrentExecutions: reserved });
            assertViolations(await violationsOf(p.b.resources), [violation(AUTOSCALER, fn.urn, message)]);
        });
    }

    it("without reserved concurrency, accepts the autoscaler's own run lock: a table of the stack named in AUTOSCALER_LOCK_TABLE", async () => {
        assert.equal(AUTOSCALER_LOCK_TABLE_ENV, AUTOSCALER_ENV.lockTable, "the pack's copy of the variable name matches the function's");
        const { p, fn } = withAutoscaler({ environment: { variables: { AUTOSCALER_LOCK_TABLE: "orders-autoscaler-lock" } } });
        const lockTable = {
            name: "orders-autoscaler-lock",
            billingMode: "PAY_PER_REQUEST",
            hashKey: "lockId",
            attributes: [{ name: "lockId", type: "S" }],
            pointInTimeRecovery: { enabled: true },
        };
        p.b.add(
            TYPES.table,
            "orders-autoscaler-lock",
            { ...lockTable, serverSideEncryption: { enabled: true, kmsKeyArn: compliant.keyArn(p.key.name) }, deletionProtectionEnabled: true },
            { propertyDependencies: { serverSideEncryption: [p.key] } },
        );
        assertNoViolations((await violationsOf(p.b.resources)).filter((v) => v.policyName === AUTOSCALER));
        set(fn, { environment: { variables: { AUTOSCALER_LOCK_TABLE: "someone-elses-table" } } });
        assertViolations(
            (await violationsOf(p.b.resources)).filter((v) => v.policyName === AUTOSCALER),
            [
                violation(
                    AUTOSCALER,
                    fn.urn,
                    'autoscaler orders-autoscaler has no reserved concurrency and AUTOSCALER_LOCK_TABLE = "someone-elses-table", which is not a DynamoDB table of this stack; reserve 1, or give it a run lock, so two runs never reshard at once.',
                ),
            ],
        );
    });

    it("knows an autoscaler by its name when its role says nothing (and takes maxReservedConcurrency from config)", async () => {
        const { p, fn } = withAutoscaler({ reservedConcurrentExecutions: 2 }, "orders-autoscaler", false);
        assertViolations(await violationsOf(p.b.resources), [
            violation(AUTOSCALER, fn.urn, "autoscaler orders-autoscaler has reserved concurrency 2; at most 1 may reshard at once."),
        ]);
        assertNoViolations(await violationsOf(p.b.resources, { [AUTOSCALER]: { maxReservedConcurrency: 2 } }));
        set(fn, { reservedConcurrentExecutions: undefined });
        assertViolations(await violationsOf(p.b.resources, { [AUTOSCALER]: { maxReservedConcurrency: 2 } }), [violation(AUTOSCALER, fn.urn, NO_LOCK("1 to 2"))]);
    });

    it("in preview, an unknown role policy leaves a function unclassified: advisory, while a named autoscaler is still checked", async () => {
        const { p, fn } = withAutoscaler({}, "orders-autoscaler");
        set(p.producers.rolePolicy, { policy: UNKNOWN });
        const found = (await violationsOf(p.b.resources)).filter((v) => v.policyName === AUTOSCALER);
        assertViolations(found, [violation(AUTOSCALER, STACK_URN, unknownDiagnostic(AUTOSCALER, "string", "policy"), "advisory"), violation(AUTOSCALER, fn.urn, NO_LOCK("1"))]);
    });
});
