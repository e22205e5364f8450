import * as pulumi from "@pulumi/pulumi";

/**
 * The stack-output contract other teams consume through a `StackReference`. Version 1.
 * Adding an output is compatible; renaming, removing or retyping one is a new version
 * (tests/infra/outputs.test.ts pins the names and types so such a change is deliberate).
 */
export const OUTPUT_CONTRACT_VERSION = 1;

export interface StreamingStackOutputs {
    /** Version of this contract, so a consumer can refuse a stack it does not understand. */
    outputContractVersion: number;
    streamName: string;
    streamArn: string;
    streamMode: "ON_DEMAND" | "PROVISIONED";
    /** The key producers need `kms:GenerateDataKey` on and consumers `kms:Decrypt` on. */
    kmsKeyArn: string;
    alertsTopicArn: string;
    /** `POST` events here (SigV4 with IAM authorization by default, or a JWT). */
    ingestApiUrl: string;
    /** The role external producer applications assume to write to the stream. */
    producerRoleArn: string;
    /** DynamoDB table of processed events (pk = entity, sk = time#id; index by-type-time). */
    resultsTableName: string;
    /** S3 data lake bucket: events/event_type=<type>/dt=<yyyy-mm-dd>/, GZIP JSON lines. */
    archiveBucketName: string;
    deliveryStreamName: string;
    /** Metadata of batches the consumer gave up on: replay them from the stream. */
    consumerDlqUrl: string;
    /** Enhanced fan-out consumers of the stream (the consumer Lambda's, the KCL application's). */
    efoConsumerArns: string[];
    /** The KCL application's lease table, "" when kclApplicationName is not set. */
    kclLeaseTableName: string;
    /** The role the KCL application assumes, "" when kclApplicationName is not set. */
    kclRoleArn: string;
    /** The KCL application's own enhanced fan-out consumer (FanOutConfig consumerArn), "" when none. */
    kclConsumerArn: string;
    /** KCL 3.x worker-metrics table (WorkerMetricsTableConfig tableName), "" when none. */
    kclWorkerMetricsTableName: string;
    /** KCL 3.x coordinator-state table (CoordinatorStateTableConfig tableName), "" when none. */
    kclCoordinatorStateTableName: string;
    dashboardName: string;
    /** The disaster-recovery replica stream, "" when replicaRegion is not set. */
    replicaStreamArn: string;
    replicaRegion: string;
    /** The Kinesis interface endpoint, "" when vpcId is not set. */
    vpcEndpointId: string;
    /** The Managed Service for Apache Flink application, "" when none is configured. */
    analyticsAppName: string;
}

/** The type each output must have at run time (JSON types), used to check what a reference returns. */
export const OUTPUT_TYPES: { [K in keyof StreamingStackOutputs]: "string" | "number" | "string[]" } = {
    outputContractVersion: "number",
    streamName: "string",
    streamArn: "string",
    streamMode: "string",
    kmsKeyArn: "string",
    alertsTopicArn: "string",
    ingestApiUrl: "string",
    producerRoleArn: "string",
    resultsTableName: "string",
    archiveBucketName: "string",
    deliveryStreamName: "string",
    consumerDlqUrl: "string",
    efoConsumerArns: "string[]",
    kclLeaseTableName: "string",
    kclRoleArn: "string",
    kclConsumerArn: "string",
    kclWorkerMetricsTableName: "string",
    kclCoordinatorStateTableName: "string",
    dashboardName: "string",
    replicaStreamArn: "string",
    replicaRegion: "string",
    vpcEndpointId: "string",
    analyticsAppName: "string",
};

/** The JSON type of a value as OUTPUT_TYPES names it. */
function typeOf(value: unknown): string {
    if (Array.isArray(value)) return value.every((v) => typeof v === "string") ? "string[]" : "array";
    return value === undefined ? "nothing" : typeof value;
}

/** Checks a stack's raw outputs against the contract; throws naming every missing or mistyped output. */
export function checkOutputs(stackName: string, raw: Record<string, unknown>): StreamingStackOutputs {
    const problems: string[] = [];
    for (const [key, type] of Object.entries(OUTPUT_TYPES)) {
        if (typeOf(raw[key]) !== type) problems.push(`${key} (expected ${type}, got ${typeOf(raw[key])})`);
    }
    const version = raw.outputContractVersion;
    if (typeof version === "number" && version !== OUTPUT_CONTRACT_VERSION) {
        problems.push(`outputContractVersion ${version} (this helper reads version ${OUTPUT_CONTRACT_VERSION})`);
    }
    if (problems.length > 0) throw new Error(`Stack ${stackName} does not meet the streaming output contract: ${problems.join("; ")}`);
    return raw as unknown as StreamingStackOutputs;
}

/**
 * Reads a streaming stack's outputs, typed and checked, for another team's Pulumi program:
 *
 *     const streaming = streamingStack("acme/kinesis-streaming/prod");
 *     streaming.apply(s => s.streamArn)
 */
export function streamingStack(stackName: string, opts?: pulumi.CustomResourceOptions): pulumi.Output<StreamingStackOutputs> {
    const ref = new pulumi.StackReference(stackName, { name: stackName }, opts);
    const outputs = Object.fromEntries(Object.keys(OUTPUT_TYPES).map((k) => [k, ref.getOutput(k)]));
    return pulumi.all(outputs).apply((raw) => checkOutputs(stackName, raw));
}
