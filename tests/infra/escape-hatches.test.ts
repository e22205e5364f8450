import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { EncryptionKey } from "../../infra/components/encryption-key";
import { FirehoseArchive, type FirehoseArchiveArgs } from "../../infra/components/firehose-archive";
import { LambdaConsumer, type LambdaConsumerArgs } from "../../infra/components/lambda-consumer";
import { Stream } from "../../infra/components/stream";
import { type ArgsOverrides, mergeArgs } from "../../infra/lib/merge-args";
import { runProgram } from "../../tools/lib/synth";
import { one, type SynthResult } from "../support/stack";

const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000";
const STREAM_ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/events";
const TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:alerts";
const OTHER_ARN = "arn:aws:sqs:us-east-1:123456789012:somewhere-else";
const context = { accountId: pulumi.output("123456789012"), region: pulumi.output("us-east-1"), partition: pulumi.output("aws") };

/** What `pulumi.log.warn` was called with while `run` ran. */
async function warnings<T>(run: () => Promise<T> | T): Promise<{ result: T; warned: string[] }> {
    const log = pulumi.log as { warn: typeof pulumi.log.warn };
    const original = log.warn;
    const warned: string[] = [];
    log.warn = async (msg: string) => void warned.push(msg);
    try {
        return { result: await run(), warned };
    } finally {
        log.warn = original;
    }
}

const forcedWarning = (component: string, path: string, kept: string) =>
    `${component}: ${path} is a safety setting the component forces; the override was ignored and ${kept} kept`;

describe("mergeArgs: defaults, the caller's overrides, then the forced settings", () => {
    const ctx = { component: "Thing", arg: "thingArgs" };
    /** Shaped like a resource's args: every property optional, at every depth. */
    interface Thing {
        name?: string;
        size?: number;
        list?: string[];
        encrypted?: boolean;
        nested?: { keep?: number; change?: number; deep?: { forced?: string; free?: number } };
        tags?: Record<string, string>;
    }
    const defaults: Thing = { name: "a", size: 1, list: ["x", "y"], encrypted: true, nested: { keep: 1, change: 2, deep: { forced: "kms", free: 3 } }, tags: { team: "data" } };
    const forced = ["encrypted", "nested.deep.forced"] as const;
    const merge = (overrides: ArgsOverrides<Thing> | undefined) => mergeArgs(defaults, overrides, [...forced], ctx);

    it("without overrides the defaults come back unchanged (a copy), and nothing is warned", async () => {
        const { result, warned } = await warnings(() => merge(undefined));
        assert.deepEqual(result, defaults);
        assert.notEqual(result.nested, defaults.nested);
        assert.deepEqual(warned, []);
    });

    it("an override wins over a default; object literals merge key by key, arrays replace whole, undefined keeps the default", async () => {
        const { result, warned } = await warnings(() => merge({ size: 5, name: undefined, list: ["z"], nested: { change: 9, deep: { free: 4 } }, tags: { owner: "me" } }));
        assert.deepEqual(result, {
            name: "a",
            size: 5,
            list: ["z"],
            encrypted: true,
            nested: { keep: 1, change: 9, deep: { forced: "kms", free: 4 } },
            tags: { team: "data", owner: "me" },
        });
        assert.deepEqual(warned, []);
    });

    it("a forced setting keeps the default's value and warns with the component, the property and what was kept", async () => {
        const { result, warned } = await warnings(() => merge({ encrypted: false, nested: { deep: { forced: "none" } } }));
        assert.equal(result.encrypted, true);
        assert.equal(result.nested?.deep?.forced, "kms");
        assert.deepEqual(warned, [forcedWarning("Thing", "thingArgs.encrypted", "true"), forcedWarning("Thing", "thingArgs.nested.deep.forced", '"kms"')]);
    });

    it("asking for the forced value itself is no warning", async () => {
        const { warned } = await warnings(() => merge({ encrypted: true }));
        assert.deepEqual(warned, []);
    });

    it("a forced path the defaults leave unset stays unset", async () => {
        const { result, warned } = await warnings(() => mergeArgs<{ bucket: string; acl?: string }>({ bucket: "b" }, { acl: "public-read" }, ["acl"], ctx));
        assert.deepEqual(result, { bucket: "b" });
        assert.deepEqual(warned, [forcedWarning("Thing", "thingArgs.acl", "unset")]);
    });

    it("a block holding a forced setting given as an Output is refused, naming the block", () => {
        assert.throws(
            // Resource args take an Output for any block (`Input<...>`); this stand-in's type does not.
            () => merge({ nested: pulumi.output({ keep: 1 }) as unknown as Thing["nested"] }),
            { message: "Thing: thingArgs.nested must be an object literal, not an Output or a Promise: the component forces nested.deep.forced inside it" },
        );
    });
});

describe("pass-through args on the components (mock runtime)", () => {
    const consumerArgs: LambdaConsumerArgs = {
        entry: "consumer",
        functionName: "orders-consumer",
        description: "test",
        streamArn: STREAM_ARN,
        kmsKeyArn: KEY_ARN,
        statements: [],
        alertsTopicArn: TOPIC_ARN,
        alarms: { iteratorAgeMs: 60_000, evaluationPeriods: 3 },
        tags: {},
    };
    const archiveArgs: FirehoseArchiveArgs = {
        namePrefix: "t",
        bucketPrefixes: { archive: "t-archive-", accessLogs: "t-logs-" },
        streamArn: STREAM_ARN,
        kmsKeyArn: KEY_ARN,
        alertsTopicArn: TOPIC_ARN,
        context,
        transform: { functionName: "t-transform" },
        tags: {},
    };
    const run = (program: () => void) => warnings(() => runProgram("test", {}, program));

    let plain: SynthResult;
    let plainWarned: string[];
    let overridden: { result: SynthResult; warned: string[] };
    before(async () => {
        ({ result: plain, warned: plainWarned } = await run(() => {
            new LambdaConsumer("c", consumerArgs);
            new FirehoseArchive("a", archiveArgs);
        }));
        overridden = await run(() => {
            new LambdaConsumer("c", {
                ...consumerArgs,
                eventSourceMappingArgs: {
                    tumblingWindowInSeconds: 60,
                    bisectBatchOnFunctionError: false,
                    maximumRetryAttempts: -1,
                    destinationConfig: { onFailure: { destinationArn: OTHER_ARN } },
                },
                queueArgs: { delaySeconds: 5, kmsMasterKeyId: "alias/aws/sqs" },
                functionArgs: { memorySize: 1024, role: "arn:aws:iam::123456789012:role/admin" },
            });
            new FirehoseArchive("a", {
                ...archiveArgs,
                deliveryStreamArgs: { extendedS3Configuration: { bufferingSize: 128, kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/other" } },
                bucketArgs: { forceDestroy: true, acl: "public-read" },
            });
            new Stream("s", { streamName: "events", kmsKeyArn: KEY_ARN, alarms: { topicArn: TOPIC_ARN }, tags: {}, streamArgs: { retentionPeriod: 48, encryptionType: "NONE" } });
        });
    });

    it("an override of a free property reaches the resource", () => {
        const r = overridden.result;
        assert.equal(one(r, "aws:lambda/eventSourceMapping:EventSourceMapping").inputs.tumblingWindowInSeconds, 60);
        assert.equal(one(r, "aws:sqs/queue:Queue").inputs.delaySeconds, 5);
        assert.equal(one(r, "aws:lambda/function:Function", "c").inputs.memorySize, 1024);
        const s3 = one(r, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").inputs.extendedS3Configuration as Record<string, unknown>;
        // Merged into the block: the other defaults of extendedS3Configuration stay.
        assert.deepEqual([s3.bufferingSize, s3.bufferingInterval, s3.compressionFormat], [128, 60, "GZIP"]);
        assert.equal(one(r, "aws:s3/bucket:Bucket", "a").inputs.forceDestroy, true);
        assert.equal(one(r, "aws:kinesis/stream:Stream").inputs.retentionPeriod, 48);
    });

    it("an override of a forced setting is kept forced and warned", () => {
        const r = overridden.result;
        const esm = one(r, "aws:lambda/eventSourceMapping:EventSourceMapping").inputs;
        const dlqArn = one(plain, "aws:lambda/eventSourceMapping:EventSourceMapping").inputs.destinationConfig;
        assert.deepEqual([esm.bisectBatchOnFunctionError, esm.maximumRetryAttempts, esm.destinationConfig], [true, 3, dlqArn]);
        assert.equal(one(r, "aws:sqs/queue:Queue").inputs.kmsMasterKeyId, KEY_ARN);
        assert.equal(one(r, "aws:lambda/function:Function", "c").inputs.role, one(plain, "aws:lambda/function:Function", "c").inputs.role);
        assert.equal((one(r, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").inputs.extendedS3Configuration as Record<string, unknown>).kmsKeyArn, KEY_ARN);
        assert.equal(one(r, "aws:s3/bucket:Bucket", "a").inputs.acl, undefined);
        assert.deepEqual([one(r, "aws:kinesis/stream:Stream").inputs.encryptionType, one(r, "aws:kinesis/stream:Stream").inputs.kmsKeyId], ["KMS", KEY_ARN]);
        assert.deepEqual(overridden.warned.sort(), [
            forcedWarning("FirehoseArchive", "bucketArgs.acl", "unset"),
            forcedWarning("FirehoseArchive", "deliveryStreamArgs.extendedS3Configuration.kmsKeyArn", JSON.stringify(KEY_ARN)),
            forcedWarning("LambdaConsumer", "eventSourceMappingArgs.bisectBatchOnFunctionError", "true"),
            forcedWarning("LambdaConsumer", "eventSourceMappingArgs.destinationConfig.onFailure.destinationArn", "the component's value"),
            forcedWarning("LambdaConsumer", "eventSourceMappingArgs.maximumRetryAttempts", "3"),
            forcedWarning("LambdaConsumer", "queueArgs.kmsMasterKeyId", JSON.stringify(KEY_ARN)),
            forcedWarning("Stream", "streamArgs.encryptionType", '"KMS"'),
            forcedWarning("StreamingFunction", "functionArgs.role", "the component's value"),
        ]);
    });

    it("nothing passed: the component's defaults and safety settings, and no warning", () => {
        assert.deepEqual(plainWarned, []);
        const esm = one(plain, "aws:lambda/eventSourceMapping:EventSourceMapping").inputs;
        assert.deepEqual(
            [esm.batchSize, esm.bisectBatchOnFunctionError, esm.maximumRetryAttempts, esm.functionResponseTypes, esm.tumblingWindowInSeconds],
            [100, true, 3, ["ReportBatchItemFailures"], undefined],
        );
        assert.equal(one(plain, "aws:lambda/function:Function", "c").inputs.memorySize, 512);
        assert.equal((one(plain, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").inputs.extendedS3Configuration as Record<string, unknown>).bufferingSize, 64);
        assert.equal(one(plain, "aws:s3/bucket:Bucket", "a").inputs.forceDestroy, undefined);
    });

    it("keyArgs with an adopted key is refused: it applies to a key the stack creates", () => {
        assert.throws(() => new EncryptionKey("k", { existingKeyArn: KEY_ARN, keyArgs: { description: "x" }, context, tags: {} }), {
            message: "Provide either existingKeyArn or keyArgs, not both: keyArgs applies to a key this stack creates",
        });
    });
});
