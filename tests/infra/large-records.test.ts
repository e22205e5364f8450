import { strict as assert } from "node:assert";
import { validateStreamArgs } from "../../infra/components/stream";
import { LAMBDA_READER_MAX_KIB } from "../../infra/settings/rules";
import { LAMBDA_READER_MAX_KIB as PACK_LAMBDA_READER_MAX_KIB } from "../../policies/rules/kinesis/kinesis-stream-record-size-readers";
import { ofType, one, synthesize } from "../support/stack";

describe("stream: maximum record size and warm throughput (mock runtime)", () => {
    it("sets the stream's maximum record size (1 MiB by default) and no warm throughput unless configured", async () => {
        const stream = one(await synthesize("dev"), "aws:kinesis/stream:Stream");
        assert.deepEqual([stream.inputs.maxRecordSizeInKib, stream.inputs.warmThroughputMibPs], [1024, undefined]);
    });

    it("the replica takes the primary's record size, or it would refuse the records the replicator copies", async () => {
        const r = await synthesize("staging", { "kinesis-streaming:replicaRegion": "us-west-2", "kinesis-streaming:maxRecordSizeKib": "4096" });
        assert.deepEqual(
            ofType(r, "aws:kinesis/stream:Stream").map((s) => [s.inputs.name, s.inputs.maxRecordSizeInKib]),
            [
                ["kinesis-streaming-staging-events", 4096],
                ["kinesis-streaming-staging-events-replica", 4096],
            ],
        );
    });

    it("the ingest function knows the stream's record size, and its body limit follows it up to Lambda's 6 MB", async () => {
        const r = await synthesize("dev", { "kinesis-streaming:maxRecordSizeKib": "4393" });
        const env = (one(r, "aws:lambda/function:Function", "dev-producers-ingest").inputs.environment as { variables: Record<string, string> }).variables;
        assert.deepEqual([env.MAX_RECORD_SIZE_KIB, env.MAX_BODY_BYTES], ["4393", "4498432"]);
    });

    it("warm throughput on an on-demand stream of a committed account", async () => {
        const r = await synthesize("dev", { "kinesis-streaming:warmThroughputMibps": "200", "kinesis-streaming:accountHasMinimumThroughputCommitment": "true" });
        assert.equal(one(r, "aws:kinesis/stream:Stream").inputs.warmThroughputMibPs, 200);
    });

    it("the replica is warmed like the primary only when its region has the commitment too (On-demand Advantage is per Region)", async () => {
        const warm = { "kinesis-streaming:warmThroughputMibps": "200", "kinesis-streaming:accountHasMinimumThroughputCommitment": "true" };
        const warmOf = (r: Awaited<ReturnType<typeof synthesize>>) => ofType(r, "aws:kinesis/stream:Stream").map((s) => [s.inputs.name, s.inputs.warmThroughputMibPs]);
        assert.deepEqual(warmOf(await synthesize("dev", { ...warm, "kinesis-streaming:replicaRegion": "us-west-2" })), [
            ["kinesis-streaming-dev-events", 200],
            ["kinesis-streaming-dev-events-replica", undefined],
        ]);
        const committed = await synthesize("dev", {
            ...warm,
            "kinesis-streaming:replicaRegion": "us-west-2",
            "kinesis-streaming:replicaRegionHasMinimumThroughputCommitment": "true",
        });
        assert.deepEqual(warmOf(committed), [
            ["kinesis-streaming-dev-events", 200],
            ["kinesis-streaming-dev-events-replica", 200],
        ]);
    });

    it("the replicator may read the replica's record size, so it can copy records over 1 MiB", async () => {
        const r = await synthesize("staging", { "kinesis-streaming:replicaRegion": "us-west-2", "kinesis-streaming:maxRecordSizeKib": "4096" });
        const policy = JSON.parse(one(r, "aws:iam/rolePolicy:RolePolicy", "staging-replica-replicator").inputs.policy as string) as { Statement: { Sid: string }[] };
        assert.deepEqual(
            policy.Statement.find((s) => s.Sid === "LearnReplicaRecordSize"),
            {
                Sid: "LearnReplicaRecordSize",
                Effect: "Allow",
                Action: "kinesis:DescribeStreamSummary",
                Resource: "arn:aws:kinesis:us-west-2:123456789012:stream/kinesis-streaming-staging-events-replica",
            },
        );
    });
});

describe("Stream component: the checks on its own args (callers other than the stack)", () => {
    const base = { streamName: "s", kmsKeyArn: "k", alarms: { topicArn: "t" }, tags: {} };

    it("refuses a record size outside 1024-10240 KiB and warm throughput on a provisioned stream", () => {
        assert.throws(() => validateStreamArgs({ ...base, maxRecordSizeKib: 1000 }), { message: "maxRecordSizeKib 1000 must be an integer from 1024 to 10240" });
        assert.throws(() => validateStreamArgs({ ...base, mode: "PROVISIONED", shardCount: 1, warmThroughputMibps: 10 }), {
            message: "warmThroughputMibps applies only to ON_DEMAND streams",
        });
        assert.throws(() => validateStreamArgs({ ...base, warmThroughputMibps: 0 }), { message: "warmThroughputMibps 0 must be an integer from 1 to 10240" });
        validateStreamArgs({ ...base, maxRecordSizeKib: 10_240, warmThroughputMibps: 10_240 });
    });
});

describe("record size: the stack's check and the policy pack's agree", () => {
    it("on the largest record a Lambda event source mapping can hand over", () => {
        assert.equal(LAMBDA_READER_MAX_KIB, PACK_LAMBDA_READER_MAX_KIB);
    });
});
