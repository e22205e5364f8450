// Each stack of the program, synthesized under the mock runtime, checked with its own policy
// config (policies/config/<stack>.json), and what breaking a stack setting does.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { pack } from "../../policies/policies";
import { readPolicyConfig, runPolicies } from "../../tools/lib/policy-engine";
import { previewStack as previewProgram } from "../../tools/lib/preview";
import { readStackConfig } from "../../tools/lib/synth";
import { synthesize } from "../support/stack";
import type { Violation } from "../../tools/lib/analyzer-protocol";
import { assertViolationsLike, type ExpectedViolation, expectViolation, ITERATOR_AGE_METRIC, TYPES } from "../support/policy-harness";

const envConfig = (env: string) => readPolicyConfig(path.join(__dirname, "..", "..", "policies", "config", `${env}.json`));
const replicaUrn = "urn:pulumi:prod::kinesis-streaming::streaming:kinesis:Replication$streaming:kinesis:Stream$aws:kinesis/stream:Stream::prod-replica-stream";
const streamUrn = (stack: string) => `urn:pulumi:${stack}::kinesis-streaming::streaming:kinesis:Stream$aws:kinesis/stream:Stream::${stack}-stream`;

/**
 * What each stack's own config reports: nothing mandatory; staging keeps its results table deletable
 * (advisory there). These tests are about the stacks' settings: the rules' wording is the rule tests'
 * business, so each violation is matched by policy, resource, level and what its message names.
 */
const EXPECTED: Record<string, (stack: string) => ExpectedViolation[]> = {
    dev: () => [],
    staging: (stack) => [
        expectViolation(
            "dynamodb-table-deletion-protection",
            `urn:pulumi:${stack}::kinesis-streaming::streaming:dynamodb:ResultsTable$aws:dynamodb/table:Table::${stack}-results`,
            "deletionProtectionEnabled",
            "advisory",
        ),
    ],
    prod: () => [],
};

/** The offline preview, each program run (stack and overrides) made once in this process (tests/support/stack.ts). */
const previewStack = (stack: string, overrides: Record<string, string> = {}) => previewProgram(stack, overrides, synthesize);

/** Each stack synthesized once for the tests that only read (or change a copy of) its resources. */
const synthesized = new Map<string, Promise<Awaited<ReturnType<typeof synthesize>>>>();
async function synth(stack: string) {
    if (!synthesized.has(stack)) synthesized.set(stack, synthesize(stack));
    const result = await synthesized.get(stack)!;
    // A JSON copy, as the analyzer requests carry them (inputs hold asset promises structuredClone refuses).
    return { ...result, resources: JSON.parse(JSON.stringify(result.resources)) as typeof result.resources };
}

describe("stacks under their own policy config", () => {
    for (const stack of ["dev", "staging", "prod"]) {
        it(`${stack} passes every policy with policies/config/${stack}.json (nothing mandatory)`, async () => {
            const result = await previewStack(stack);
            assert.equal(result.policyConfig, path.join("policies", "config", `${stack}.json`));
            // Not vacuous: the resources the rules look at are there.
            const count = (type: string) => result.resources.filter((r) => r.type === type).length;
            for (const t of [
                TYPES.key,
                TYPES.topic,
                TYPES.stream,
                TYPES.esm,
                TYPES.queue,
                TYPES.function,
                TYPES.logGroup,
                TYPES.table,
                TYPES.bucket,
                TYPES.bucketPolicy,
                TYPES.firehose,
            ]) {
                assert.ok(count(t) >= 1, `${stack} has a ${t}`);
            }
            assert.ok(
                result.resources.some((r) => r.urn === streamUrn(stack)),
                `${stack} has ${streamUrn(stack)}`,
            );
            const iteratorAlarms = result.resources.filter((r) => r.type === TYPES.alarm && r.inputs.metricName === ITERATOR_AGE_METRIC);
            assert.equal(iteratorAlarms.length, count(TYPES.stream), `${stack}: one iterator-age alarm per stream`);
            assertViolationsLike(result.violations, EXPECTED[stack]!(stack));
        });
    }

    for (const stack of ["staging", "prod"]) {
        it(`${stack}'s stream carries the workload Pulumi.${stack}.yaml declares as tags (pipeline-shard-capacity reads them)`, async () => {
            const config = readStackConfig(stack);
            const stream = (await synth(stack)).resources.find((r) => r.urn === streamUrn(stack))!;
            const tags = stream.inputs.tags as Record<string, string>;
            assert.equal(tags["workload:records-per-second"], config["kinesis-streaming:workloadRecordsPerSecond"]);
            assert.equal(tags["workload:average-record-bytes"], config["kinesis-streaming:workloadAverageRecordBytes"]);
        });
    }

    it("prod's shards carry its declared workload, and would not carry twice as much with its shared readers", async () => {
        const config = envConfig("prod");
        const baseline = await runPolicies(pack, (await synth("prod")).resources, config);
        assert.equal(baseline.filter((v) => v.policyName === "pipeline-shard-capacity").length, 0, "4 shards carry the declared 2,500 records/s");
        const doubled = await synthesize("prod", { "kinesis-streaming:workloadRecordsPerSecond": "5000" });
        assertViolationsLike(
            (await runPolicies(pack, doubled.resources, config)).filter((v) => v.policyName === "pipeline-shard-capacity"),
            [
                // The replica receives every record of the stream, at the shard count prod starts with.
                expectViolation("pipeline-shard-capacity", replicaUrn, ["stream prod-replica-stream has 4 shards", "5000 records/s", "with 0 shared-throughput consumers needs 5"]),
                // Counted from the stack: the Firehose and the replicator poll the stream (the consumer and the KCL application use EFO).
                expectViolation("pipeline-shard-capacity", streamUrn("prod"), ["stream prod-stream has 4 shards", "5000 records/s", "with 2 shared-throughput consumers needs 5"]),
            ],
        );
    });

    it("dev keeps records 24 h: its 23 h replay window passes, the 72 h default would not", async () => {
        const dev = await synth("dev");
        const config = envConfig("dev");
        assertViolationsLike(await runPolicies(pack, dev.resources, config), []);
        const { "pipeline-retention-covers-replay": _replay, ...withDefaultWindow } = config;
        assertViolationsLike(await runPolicies(pack, dev.resources, withDefaultWindow), [
            expectViolation("pipeline-retention-covers-replay", streamUrn("dev"), [
                "stream dev-stream keeps records 24 h",
                "event source mapping dev-consumer",
                "72 h replay window",
            ]),
        ]);
    });

    /** What a changed prod setting adds to what prod reports with its own settings (computed once). */
    let prodBaseline: Promise<Set<string>> | undefined;
    async function prodChange(overrides: Record<string, string>): Promise<Violation[]> {
        prodBaseline ??= synth("prod").then(async (r) => new Set((await runPolicies(pack, r.resources, envConfig("prod"))).map((v) => JSON.stringify(v))));
        const baseline = await prodBaseline;
        return (await previewStack("prod", overrides)).violations.filter((v) => !baseline.has(JSON.stringify(v)));
    }
    it("prod with retentionHours 48 breaks kinesis-stream-retention on both streams, and the replay rule on the one a mapping reads", async () => {
        assertViolationsLike(await prodChange({ "kinesis-streaming:retentionHours": "48" }), [
            expectViolation("kinesis-stream-retention", replicaUrn, ["retentionPeriod is 48 h", "at least 168 h"]),
            expectViolation("kinesis-stream-retention", streamUrn("prod"), ["retentionPeriod is 48 h", "at least 168 h"]),
            expectViolation("pipeline-retention-covers-replay", streamUrn("prod"), ["stream prod-stream keeps records 48 h", "event source mapping prod-consumer", "(73 h)"]),
        ]);
    });

    it("prod with an iterator-age alarm at 200,000,000 ms breaks prod's quarter-of-retention rules, which staging allows", async () => {
        // 200,000,000 ms is within half of 168 h (what the program itself accepts), above a quarter (prod's policy).
        const overrides = { "kinesis-streaming:iteratorAgeAlarmMs": "200000000" };
        const found = await prodChange(overrides);
        assertViolationsLike(
            found.filter((v) => v.policyName === "kinesis-stream-iterator-age-alarm"),
            [replicaUrn, streamUrn("prod")].map((urn) =>
                expectViolation("kinesis-stream-iterator-age-alarm", urn, [`stream ${urn.slice(urn.lastIndexOf("::") + 2)}:`, "at most 151200000 ms (0.25 of 168 h retention)"]),
            ),
        );
        // The consumers' IteratorAge alarms use the same setting: pipeline-alarms reports them too.
        assert.deepEqual([...new Set(found.map((v) => v.policyName))].sort(), ["kinesis-stream-iterator-age-alarm", "pipeline-alarms"]);
        assertViolationsLike((await previewStack("staging", overrides)).violations, EXPECTED.staging!("staging"));
    });

    it("dev's resources under prod's policy config break what prod requires and dev does not", async () => {
        const dev = await synth("dev");
        const table = "urn:pulumi:dev::kinesis-streaming::streaming:dynamodb:ResultsTable$aws:dynamodb/table:Table::dev-results";
        assertViolationsLike(await runPolicies(pack, dev.resources, envConfig("prod")), [
            expectViolation("dynamodb-table-deletion-protection", table, "deletionProtectionEnabled"),
            expectViolation("kinesis-stream-mode", streamUrn("dev"), ["ON_DEMAND", "allows PROVISIONED"]),
            expectViolation("kinesis-stream-retention", streamUrn("dev"), ["retentionPeriod is 24 h", "at least 168 h"]),
            expectViolation("pipeline-retention-covers-replay", streamUrn("dev"), ["stream dev-stream keeps records 24 h", "72 h replay window"]),
            // prod's accountTrustRoles name prod's roles: dev's external producer role is not excepted there.
            expectViolation(
                "iam-role-trust-whole-account",
                "urn:pulumi:dev::kinesis-streaming::streaming:producers:Producers$aws:iam/role:Role::dev-producers-external",
                ["TrustedProducers", "account 123456789012", "accountTrustRoles"],
                "advisory",
            ),
        ]);
    });

    it("each stack's roles that trust whole accounts pass only through its config's accountTrustRoles (the rule is not weakened)", async () => {
        const prod = await synth("prod");
        const { "iam-role-trust-whole-account": _trust, ...withoutExceptions } = envConfig("prod");
        const role = (name: string) => `urn:pulumi:prod::kinesis-streaming::streaming:${name}$aws:iam/role:Role::prod-${name.startsWith("kcl") ? "kcl" : "producers-external"}`;
        assertViolationsLike(
            (await runPolicies(pack, prod.resources, withoutExceptions)).filter((v) => v.policyName === "iam-role-trust-whole-account"),
            [
                expectViolation("iam-role-trust-whole-account", role("kcl:KclSupport"), ["TrustedKclWorkers", "account 123456789012"], "mandatory"),
                expectViolation("iam-role-trust-whole-account", role("producers:Producers"), ["TrustedProducers", "account 123456789012"], "mandatory"),
            ],
        );
    });

    it("dev reports an iterator-age alarm without actions at dev's level (advisory, for both alarm rules)", async () => {
        const dev = await synth("dev");
        const alarm = dev.resources.find((r) => r.type === TYPES.alarm && r.inputs.metricName === ITERATOR_AGE_METRIC);
        assert.ok(alarm, "dev has an iterator-age alarm");
        alarm.inputs = { ...alarm.inputs, alarmActions: [] };
        assertViolationsLike(await runPolicies(pack, dev.resources, envConfig("dev")), [
            expectViolation("cloudwatch-alarm-actions", alarm.urn, "alarmActions is empty", "advisory"),
            expectViolation("kinesis-stream-iterator-age-alarm", streamUrn("dev"), ["stream dev-stream", "alarm action", "0.5 of 24 h retention"], "advisory"),
        ]);
    });
});
