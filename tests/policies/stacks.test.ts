// Each stack of the program, synthesized under the mock runtime, checked with its own policy
// config (policies/config/<stack>.json), and what breaking a stack setting does.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { pack } from "../../policies/policies";
import { readPolicyConfig, runPolicies } from "../../tools/lib/policy-engine";
import { previewStack } from "../../tools/lib/preview";
import { synthesize } from "../../tools/lib/synth";
import { assertViolations, ITERATOR_AGE_METRIC, TYPES } from "../support/policy-harness";

const envConfig = (env: string) => readPolicyConfig(path.join(__dirname, "..", "..", "policies", "config", `${env}.json`));
const streamUrn = (stack: string) => `urn:pulumi:${stack}::kinesis-streaming::streaming:kinesis:Stream$aws:kinesis/stream:Stream::${stack}-stream`;

describe("stacks under their own policy config", () => {
    for (const stack of ["dev", "staging", "prod"]) {
        it(`${stack} passes every policy with policies/config/${stack}.json`, async () => {
            const result = await previewStack(stack);
            assert.equal(result.policyConfig, path.join("policies", "config", `${stack}.json`));
            // Not vacuous: the resources the rules look at are there.
            const count = (type: string) => result.resources.filter((r) => r.type === type).length;
            for (const t of [TYPES.key, TYPES.topic, TYPES.stream]) assert.ok(count(t) >= 1, `${stack} has a ${t}`);
            assert.ok(result.resources.some((r) => r.urn === streamUrn(stack)), `${stack} has ${streamUrn(stack)}`);
            const iteratorAlarms = result.resources.filter((r) => r.type === TYPES.alarm && r.inputs.metricName === ITERATOR_AGE_METRIC);
            assert.equal(iteratorAlarms.length, count(TYPES.stream), `${stack}: one iterator-age alarm per stream`);
            assert.deepEqual(result.violations, []);
        });
    }

    it("prod with retentionHours 48 breaks kinesis-stream-retention (mandatory)", async () => {
        const result = await previewStack("prod", { "kinesis-streaming:retentionHours": "48" });
        assertViolations(result.violations, [
            { policyName: "kinesis-stream-retention", enforcementLevel: "mandatory", urn: streamUrn("prod"), message: "retentionPeriod is 48 h; at least 168 h is required." },
        ]);
    });

    it("prod with an iterator-age alarm at 200,000,000 ms breaks prod's quarter-of-retention rule, which staging allows", async () => {
        // 200,000,000 ms is within half of 168 h (what the program itself accepts), above a quarter (prod's policy).
        const overrides = { "kinesis-streaming:iteratorAgeAlarmMs": "200000000" };
        const prod = await previewStack("prod", overrides);
        assertViolations(prod.violations, [
            {
                policyName: "kinesis-stream-iterator-age-alarm",
                enforcementLevel: "mandatory",
                urn: streamUrn("prod"),
                message: "stream prod-stream: its iterator-age alarm needs an alarm action and a threshold of at most 151200000 ms (0.25 of 168 h retention).",
            },
        ]);
        assert.deepEqual((await previewStack("staging", overrides)).violations, []);
    });

    it("dev's resources under prod's policy config break the 168 h retention minimum", async () => {
        const dev = await synthesize("dev");
        assertViolations(await runPolicies(pack, dev.resources, envConfig("prod")), [
            { policyName: "kinesis-stream-retention", enforcementLevel: "mandatory", urn: streamUrn("dev"), message: "retentionPeriod is 24 h; at least 168 h is required." },
        ]);
    });

    it("dev reports an iterator-age alarm without actions at dev's level (advisory)", async () => {
        const dev = await synthesize("dev");
        const alarm = dev.resources.find((r) => r.type === TYPES.alarm && r.inputs.metricName === ITERATOR_AGE_METRIC);
        assert.ok(alarm, "dev has an iterator-age alarm");
        alarm.inputs = { ...alarm.inputs, alarmActions: [] };
        assertViolations(await runPolicies(pack, dev.resources, envConfig("dev")), [
            {
                policyName: "kinesis-stream-iterator-age-alarm",
                enforcementLevel: "advisory",
                urn: streamUrn("dev"),
                message: "stream dev-stream: its iterator-age alarm needs an alarm action and a threshold of at most 43200000 ms (0.5 of 24 h retention).",
            },
        ]);
    });
});
