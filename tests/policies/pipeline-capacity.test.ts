// pipeline-shard-capacity (stack rule 5: shards carry the declared workload) and
// pipeline-autoscaled-shard-count (stack rule 6: pulumi up leaves an autoscaled shard count alone).
import { strict as assert } from "node:assert";
import { WORKLOAD_TAGS } from "../../contracts/tags";
import { shardsNeeded } from "../../policies/rules/pipeline";
import {
    arn,
    assertNoViolations,
    assertViolations,
    compliantPipeline,
    PIPELINE,
    policyDoc,
    set,
    TYPES,
    UNKNOWN,
    unknownDiagnostic,
    violation,
    violationsOf,
    STACK_URN,
} from "../support/policy-harness";

const CAPACITY = "pipeline-shard-capacity";
const AUTOSCALED = "pipeline-autoscaled-shard-count";

describe("policy pipeline-shard-capacity", () => {
    const workload = (recordsPerSecond: number, averageRecordBytes = 1024, sharedConsumers = 0) => ({ [CAPACITY]: { recordsPerSecond, averageRecordBytes, sharedConsumers } });

    it("computes max(bytes / 1 MiB/s, records / 1,000/s, bytes x shared consumers / 2 MiB/s)", () => {
        assert.deepEqual(shardsNeeded({ recordsPerSecond: 2000, averageRecordBytes: 1024, sharedConsumers: 1 }), { shards: 2, byBytes: 2, byRecords: 2, byReads: 1 });
        assert.deepEqual(shardsNeeded({ recordsPerSecond: 500, averageRecordBytes: 10_240, sharedConsumers: 3 }), { shards: 8, byBytes: 5, byRecords: 1, byReads: 8 });
        assert.deepEqual(shardsNeeded({ recordsPerSecond: 3500, averageRecordBytes: 100, sharedConsumers: 0 }), { shards: 4, byBytes: 1, byRecords: 4, byReads: 0 });
        assert.equal(shardsNeeded({ recordsPerSecond: 1, averageRecordBytes: 1, sharedConsumers: 0 }).shards, 1);
    });

    it("does not apply without a declared workload (the default)", async () => {
        assertNoViolations(await violationsOf(compliantPipeline().b.resources));
    });

    it("passes 2 shards for 2,000 records/s of 1 KiB with the two shared consumers of the stack (mapping, Firehose)", async () => {
        assertNoViolations(await violationsOf(compliantPipeline().b.resources, workload(2000)));
    });

    it("reports 2 shards for 2,001 records/s (the record limit binds)", async () => {
        const p = compliantPipeline();
        assertViolations(await violationsOf(p.b.resources, workload(2001)), [
            violation(
                CAPACITY,
                p.stream.urn,
                "stream orders has 2 shards; the declared 2001 records/s of 1024 bytes with 2 shared-throughput consumers needs 3 (2 for 1 MiB/s of writes per shard, 3 for 1,000 records/s per shard, 2 for 2 MiB/s of shared reads per shard).",
            ),
        ]);
    });

    it("counts the stack's shared consumers when the declaration says fewer (shared reads bind)", async () => {
        const p = compliantPipeline();
        assertViolations(await violationsOf(p.b.resources, workload(1500, 2048, 1)), [
            violation(
                CAPACITY,
                p.stream.urn,
                "stream orders has 2 shards; the declared 1500 records/s of 2048 bytes with 2 shared-throughput consumers needs 3 (3 for 1 MiB/s of writes per shard, 2 for 1,000 records/s per shard, 3 for 2 MiB/s of shared reads per shard).",
            ),
        ]);
    });

    it("does not count a mapping that reads through enhanced fan-out", async () => {
        const p = compliantPipeline();
        const efo = p.b.add(
            TYPES.streamConsumer,
            "orders-efo",
            { name: "orders-efo", streamArn: arn.stream(PIPELINE.stream) },
            { propertyDependencies: { streamArn: [p.stream] } },
        );
        set(p.consumer.esm, { eventSourceArn: arn.streamConsumer(PIPELINE.stream, "orders-efo") });
        p.consumer.esm.propertyDependencies.eventSourceArn = [efo.urn];
        // 1 shared consumer (the Firehose): 2,000 KiB/s of reads fit 2 shards... and 4 MiB/s of writes need 4.
        assertViolations(await violationsOf(p.b.resources, workload(2000, 2048)), [
            violation(
                CAPACITY,
                p.stream.urn,
                "stream orders has 2 shards; the declared 2000 records/s of 2048 bytes with 1 shared-throughput consumers needs 4 (4 for 1 MiB/s of writes per shard, 2 for 1,000 records/s per shard, 2 for 2 MiB/s of shared reads per shard).",
            ),
        ]);
    });

    // The tag keys are the contract's (what infra tags streams with): the pack's own copy must read them.
    it("prefers the stream's workload tags over the policy config", async () => {
        const p = compliantPipeline();
        set(p.stream, { tags: { [WORKLOAD_TAGS.recordsPerSecond]: "100", [WORKLOAD_TAGS.averageRecordBytes]: "512" } });
        assertNoViolations(await violationsOf(p.b.resources, workload(50_000)));
        set(p.stream, { tags: { [WORKLOAD_TAGS.recordsPerSecond]: "5000", [WORKLOAD_TAGS.sharedConsumers]: "0" } });
        assertViolations(await violationsOf(p.b.resources), [
            violation(
                CAPACITY,
                p.stream.urn,
                "stream orders has 2 shards; the declared 5000 records/s of 1024 bytes with 2 shared-throughput consumers needs 5 (5 for 1 MiB/s of writes per shard, 5 for 1,000 records/s per shard, 5 for 2 MiB/s of shared reads per shard).",
            ),
        ]);
    });

    it("does not apply to on-demand streams", async () => {
        const p = compliantPipeline();
        set(p.stream, { streamModeDetails: { streamMode: "ON_DEMAND" }, shardCount: undefined });
        assertNoViolations(await violationsOf(p.b.resources, workload(100_000)));
    });

    it("cannot check a shard count unknown in preview: advisory", async () => {
        const p = compliantPipeline();
        set(p.stream, { shardCount: UNKNOWN });
        assertViolations(await violationsOf(p.b.resources, workload(2000)), [violation(CAPACITY, STACK_URN, unknownDiagnostic(CAPACITY, "string", "shardCount"), "advisory")]);
    });
});

describe("policy pipeline-autoscaled-shard-count", () => {
    /** The pipeline with a role that may reshard `resource`. */
    function withReshardingRole(resource: string) {
        const p = compliantPipeline();
        const role = p.b.add(TYPES.role, "scaler", { name: "scaler", assumeRolePolicy: "{}" });
        const rp = p.b.add(
            TYPES.rolePolicy,
            "scaler",
            { role: "scaler", policy: policyDoc({ Sid: "Reshard", Effect: "Allow", Action: ["kinesis:DescribeStreamSummary", "kinesis:UpdateShardCount"], Resource: resource }) },
            { propertyDependencies: { role: [role], policy: [p.stream] } },
        );
        return { p, rp };
    }
    const message = (why: string) =>
        `stream orders is autoscaled (${why}) but does not ignore changes to shardCount; set ignoreChanges: ["shardCount"] so pulumi up leaves the autoscaler's count alone.`;

    it("passes a stream nothing reshards, and an autoscaled stream that ignores shardCount", async () => {
        assertNoViolations(await violationsOf(compliantPipeline().b.resources));
        const { p } = withReshardingRole(arn.stream(PIPELINE.stream));
        p.stream.ignoreChanges = ["shardCount"];
        assertNoViolations(await violationsOf(p.b.resources));
    });

    it("reports a stream a role of the stack may reshard (its ARN, or *)", async () => {
        const { p } = withReshardingRole(arn.stream(PIPELINE.stream));
        assertViolations(await violationsOf(p.b.resources), [violation(AUTOSCALED, p.stream.urn, message("role scaler may call kinesis:UpdateShardCount on it"))]);
        const q = withReshardingRole("*");
        const found = (await violationsOf(q.p.b.resources)).filter((v) => v.policyName === AUTOSCALED);
        assertViolations(found, [violation(AUTOSCALED, q.p.stream.urn, message("role scaler may call kinesis:UpdateShardCount on it"))]);
    });

    it("ignores a role that reshards another stream, and on-demand streams", async () => {
        const { p } = withReshardingRole(arn.stream("other-events"));
        assertNoViolations(await violationsOf(p.b.resources));
        const q = withReshardingRole(arn.stream(PIPELINE.stream));
        set(q.p.stream, { streamModeDetails: { streamMode: "ON_DEMAND" }, shardCount: undefined });
        assertNoViolations(await violationsOf(q.p.b.resources));
    });

    it("reports a stream listed in autoscaledStreams (an autoscaler outside the stack), by logical or physical name", async () => {
        for (const name of ["orders", PIPELINE.stream]) {
            const p = compliantPipeline();
            assertViolations(await violationsOf(p.b.resources, { [AUTOSCALED]: { autoscaledStreams: [name] } }), [
                violation(AUTOSCALED, p.stream.urn, message("listed in autoscaledStreams")),
            ]);
        }
    });

    it("in preview, an unknown role policy that depends on the stream is advisory; one that does not is ignored", async () => {
        const { p, rp } = withReshardingRole(arn.stream(PIPELINE.stream));
        set(rp, { policy: UNKNOWN });
        const found = (await violationsOf(p.b.resources)).filter((v) => v.policyName === AUTOSCALED);
        assertViolations(found, [violation(AUTOSCALED, STACK_URN, unknownDiagnostic(AUTOSCALED, "string", "policy"), "advisory")]);
        rp.propertyDependencies.policy = [];
        assertViolations(
            (await violationsOf(p.b.resources)).filter((v) => v.policyName === AUTOSCALED),
            [],
        );
    });
});
