import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { checkOutputs, OUTPUT_CONTRACT_VERSION, OUTPUT_TYPES, streamingStack, type StreamingStackOutputs } from "../../infra/outputs";
import { synthesize } from "../support/stack";

/**
 * What version 1 has published: other teams' stacks read these names, so each must stay, with its
 * type, as long as the version is 1. This is the release record, not a copy of OUTPUT_TYPES: an
 * output added to OUTPUT_TYPES needs no change here (adding is compatible), one renamed, removed or
 * retyped fails until OUTPUT_CONTRACT_VERSION is bumped and the new version's record starts.
 */
const PUBLISHED_V1: Readonly<Record<string, string>> = {
    outputContractVersion: "number",
    streamName: "string",
    streamArn: "string",
    streamMode: "string",
    kmsKeyArn: "string",
    alertsTopicArn: "string",
    // added by the Producers issue (compatible: version stays 1)
    ingestApiUrl: "string",
    producerRoleArn: "string",
    // added by the Consumers issue (compatible: version stays 1)
    resultsTableName: "string",
    archiveBucketName: "string",
    deliveryStreamName: "string",
    consumerDlqUrl: "string",
    efoConsumerArns: "string[]",
    kclLeaseTableName: "string",
    kclRoleArn: "string",
    // added for KCL 3.x support (compatible: version stays 1)
    kclConsumerArn: "string",
    kclWorkerMetricsTableName: "string",
    kclCoordinatorStateTableName: "string",
    dashboardName: "string",
    // added by the Scaling/DR issue (compatible: version stays 1)
    replicaStreamArn: "string",
    replicaRegion: "string",
    vpcEndpointId: "string",
    analyticsAppName: "string",
};

const sample: StreamingStackOutputs = {
    outputContractVersion: 1,
    streamName: "s",
    streamArn: "arn:aws:kinesis:us-east-1:123456789012:stream/s",
    streamMode: "ON_DEMAND",
    kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k",
    alertsTopicArn: "arn:aws:sns:us-east-1:123456789012:t",
    ingestApiUrl: "https://abc.execute-api.us-east-1.amazonaws.com/events",
    producerRoleArn: "arn:aws:iam::123456789012:role/producer",
    resultsTableName: "kinesis-streaming-dev-results",
    archiveBucketName: "kinesis-dev-archive-1234",
    deliveryStreamName: "kinesis-streaming-dev-archive",
    consumerDlqUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/dlq",
    efoConsumerArns: [],
    kclLeaseTableName: "",
    kclRoleArn: "",
    kclConsumerArn: "",
    kclWorkerMetricsTableName: "",
    kclCoordinatorStateTableName: "",
    dashboardName: "kinesis-streaming-dev",
    replicaStreamArn: "",
    replicaRegion: "",
    vpcEndpointId: "",
    analyticsAppName: "",
};

describe("stack output contract", () => {
    it("version 1 keeps every output it published, with its type", () => {
        assert.equal(OUTPUT_CONTRACT_VERSION, 1, "a new version: record what it publishes here");
        const types: Readonly<Record<string, string>> = OUTPUT_TYPES;
        for (const [name, type] of Object.entries(PUBLISHED_V1)) assert.equal(types[name], type, `${name} was published as ${type} in version 1`);
    });

    for (const stack of ["dev", "staging", "prod"]) {
        it(`${stack} exports every contract output with its type`, async () => {
            const { outputs } = await synthesize(stack);
            for (const [key, type] of Object.entries(OUTPUT_TYPES)) {
                assert.equal(Array.isArray(outputs[key]) ? "string[]" : typeof outputs[key], type, `${stack}.${key}`);
            }
            assert.ok(["ON_DEMAND", "PROVISIONED"].includes(outputs.streamMode as string));
        });
    }

    it("checkOutputs names every missing or mistyped output", () => {
        assert.deepEqual(checkOutputs("acme/x/prod", { ...sample }), sample);
        assert.throws(() => checkOutputs("acme/x/prod", { ...sample, streamArn: undefined, outputContractVersion: "1" }), {
            message: "Stack acme/x/prod does not meet the streaming output contract: outputContractVersion (expected number, got string); streamArn (expected string, got nothing)",
        });
        assert.throws(() => checkOutputs("acme/x/prod", { ...sample, outputContractVersion: 2 }), /outputContractVersion 2 \(this helper reads version 1\)/);
    });

    it("streamingStack reads a StackReference and returns the typed outputs", async () => {
        let referenced: unknown;
        await pulumi.runtime.setMocks(
            {
                newResource: (args) => {
                    referenced = args.inputs.name;
                    return { id: args.name, state: { outputs: sample, secretOutputNames: [] } };
                },
                call: () => ({}),
            },
            "consumer",
            "dev",
        );
        const outputs = await new Promise<StreamingStackOutputs>((resolve) => streamingStack("acme/kinesis-streaming/prod").apply(resolve));
        assert.equal(referenced, "acme/kinesis-streaming/prod");
        assert.deepEqual(outputs, sample);
    });
});
