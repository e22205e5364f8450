// The harness builds what the engine builds: URNs like Pulumi's, dependencies from property
// dependencies; and its assertions fail when they should.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { readPolicyConfig } from "../../tools/lib/policy-engine";
import { synthesize } from "../support/stack";
import type { Violation } from "../../tools/lib/analyzer-protocol";
import { assertHasViolation, assertNoViolations, compliantPipeline, compliantStack, StackBuilder, TYPES, urnOf, violationsOf } from "../support/policy-harness";

describe("policy test harness", () => {
    it("builds the URNs the program registers (parent type chain, stack and project)", async () => {
        const prod = await synthesize("prod");
        const component = urnOf("streaming:kinesis:Stream", "prod-stream", undefined, "prod");
        const expected = [component, urnOf(TYPES.stream, "prod-stream", component, "prod"), urnOf(TYPES.alarm, "prod-stream-iterator-age", component, "prod")];
        assert.deepEqual(expected, [
            "urn:pulumi:prod::kinesis-streaming::streaming:kinesis:Stream::prod-stream",
            "urn:pulumi:prod::kinesis-streaming::streaming:kinesis:Stream$aws:kinesis/stream:Stream::prod-stream",
            "urn:pulumi:prod::kinesis-streaming::streaming:kinesis:Stream$aws:cloudwatch/metricAlarm:MetricAlarm::prod-stream-iterator-age",
        ]);
        const urns = new Set(prod.resources.map((r) => r.urn));
        for (const urn of expected) assert.ok(urns.has(urn), `synthesized prod has ${urn}`);
    });

    it("leaves the root stack type out of its children's URNs and nests component types", () => {
        const b = new StackBuilder("dev");
        const comp = b.component("streaming:kinesis:Stream", "dev-stream");
        const key = b.key("k", {}, { parent: comp });
        assert.equal(b.root.urn, "urn:pulumi:dev::kinesis-streaming::pulumi:pulumi:Stack::kinesis-streaming-dev");
        assert.equal(comp.urn, "urn:pulumi:dev::kinesis-streaming::streaming:kinesis:Stream::dev-stream");
        assert.equal(comp.parent, b.root.urn);
        assert.equal(comp.custom, false);
        assert.equal(key.urn, "urn:pulumi:dev::kinesis-streaming::streaming:kinesis:Stream$aws:kms/key:Key::k");
        assert.equal(key.parent, comp.urn);
    });

    it("records property dependencies and derives dependencies from them", () => {
        const s = compliantStack();
        assert.ok(s.alarm);
        assert.deepEqual(s.alarm.propertyDependencies, { dimensions: [s.stream.urn], alarmActions: [s.topic.urn], okActions: [s.topic.urn] });
        assert.deepEqual(s.alarm.dependencies, [s.stream.urn, s.topic.urn]);
        assert.deepEqual(s.stream.propertyDependencies, { kmsKeyId: [s.key.urn] });
        assert.equal(s.alarm.inputs.dimensions && (s.alarm.inputs.dimensions as { StreamName: string }).StreamName, "orders-events");
    });

    it("drops properties overridden with undefined", () => {
        const s = compliantStack({ stream: { kmsKeyId: undefined } });
        assert.equal("kmsKeyId" in s.stream.inputs, false);
    });

    it("rejects a duplicate URN", () => {
        const b = new StackBuilder();
        b.key("k");
        assert.throws(() => b.key("k"), { message: "duplicate URN urn:pulumi:test::kinesis-streaming::aws:kms/key:Key::k" });
    });

    it("assertHasViolation needs exactly one match, and checks URN and level when given", () => {
        const v: Violation = { policyName: "p", enforcementLevel: "mandatory", urn: "urn:a", message: "m" };
        assert.equal(assertHasViolation([v], "p", "m", { urn: "urn:a", enforcementLevel: "mandatory" }), v);
        assert.throws(() => assertHasViolation([], "p", "m"), assert.AssertionError);
        assert.throws(() => assertHasViolation([v, { ...v, urn: "urn:b" }], "p", "m"), assert.AssertionError);
        assert.throws(() => assertHasViolation([v], "p", "m", { enforcementLevel: "advisory" }), assert.AssertionError);
        assert.throws(() => assertNoViolations([v]), assert.AssertionError);
    });
});

describe("compliantPipeline (the whole pipeline, compliant with every policy)", () => {
    it("declares every resource type the pipeline rules join, under components, linked by property dependencies", async () => {
        const p = compliantPipeline();
        const types = new Set(p.b.resources.map((r) => r.type));
        for (const t of Object.values(TYPES).filter((t) => t !== TYPES.rolePolicyAttachment && t !== TYPES.streamConsumer && t !== TYPES.alias))
            assert.ok(types.has(t), `has a ${t}`);
        assert.equal(p.consumer.esm.parent, p.consumer.component.urn);
        assert.deepEqual(p.consumer.esm.propertyDependencies, { eventSourceArn: [p.stream.urn], functionName: [p.consumer.fn.urn], destinationConfig: [p.consumer.queue.urn] });
        assert.deepEqual(p.archive.bucketSides.logging.propertyDependencies, { bucket: [p.archive.bucket.urn], targetBucket: [p.archive.logBucket.urn] });
        assertNoViolations(await violationsOf(p.b.resources));
    });

    it("passes dev's and staging's policy config too (prod declares a workload two shards do not carry)", async () => {
        for (const env of ["dev", "staging"]) {
            const config = readPolicyConfig(path.join(__dirname, "..", "..", "policies", "config", `${env}.json`));
            assertNoViolations(await violationsOf(compliantPipeline().b.resources, config));
        }
    });
});
