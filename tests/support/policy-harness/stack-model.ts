// How the engine names what it hands a policy pack: the test stack, resource types, URNs, ARNs as
// AWS builds them, the unknown sentinel of preview values, policy documents as the program writes them.
import { SHARD_LEVEL_METRICS } from "../../../infra/config";
import { denyInsecureTransport } from "../../../infra/lib/iam";

export const TEST_STACK = "test";
export const TEST_PROJECT = "kinesis-streaming";
export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";

/**
 * What the engine sends in place of a value it cannot know during `pulumi preview` (an ARN or name
 * of a resource not created yet). @pulumi/policy's deserializer passes the string through and its
 * unknown-checking proxy throws `UnknownValueError` when a policy reads it
 * (node_modules/@pulumi/policy/proxy.js `unknownStringValue`, same as `@pulumi/pulumi/runtime/rpc` `unknownValue`).
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const TYPES = {
    stack: "pulumi:pulumi:Stack",
    stream: "aws:kinesis/stream:Stream",
    streamConsumer: "aws:kinesis/streamConsumer:StreamConsumer",
    key: "aws:kms/key:Key",
    alias: "aws:kms/alias:Alias",
    topic: "aws:sns/topic:Topic",
    topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    queue: "aws:sqs/queue:Queue",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    function: "aws:lambda/function:Function",
    esm: "aws:lambda/eventSourceMapping:EventSourceMapping",
    table: "aws:dynamodb/table:Table",
    bucket: "aws:s3/bucket:Bucket",
    bucketEncryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    bucketVersioning: "aws:s3/bucketVersioning:BucketVersioning",
    bucketPublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    bucketLifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    bucketLogging: "aws:s3/bucketLogging:BucketLogging",
    firehose: "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
} as const;

export const ITERATOR_AGE_METRIC = "GetRecords.IteratorAgeMilliseconds";

/** The seven shard-level metrics (the program's default). */
export const ALL_SHARD_METRICS: string[] = [...SHARD_LEVEL_METRICS];

/** ARNs as AWS builds them from names (the mock cloud does the same). */
export const arn = {
    stream: (name: string) => `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${name}`,
    streamConsumer: (stream: string, name: string) => `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${stream}/consumer/${name}:1700000000`,
    queue: (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`,
    role: (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`,
    function: (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`,
    logGroup: (name: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}`,
    table: (name: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`,
    bucket: (name: string) => `arn:aws:s3:::${name}`,
};

/** A policy document as the program serializes it. */
export const policyDoc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });

/** The Deny every resource policy of the stack carries: the program's own builder. */
export { denyInsecureTransport };

export const CONSUMER_READ_ACTIONS = ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:GetShardIterator", "kinesis:GetRecords"];
export const PRODUCER_ACTIONS = ["kinesis:PutRecord", "kinesis:PutRecords", "kinesis:ListShards"];

/**
 * A resource URN as the engine builds it: `urn:pulumi:<stack>::<project>::<qualified type>::<name>`,
 * where the qualified type is the parent's qualified type, `$`, then the type. Resources parented to
 * the root stack resource get no prefix (the engine leaves `pulumi:pulumi:Stack` out).
 */
export function urnOf(type: string, name: string, parentUrn?: string, stack = TEST_STACK, project = TEST_PROJECT): string {
    const parentType = parentUrn ? qualifiedType(parentUrn) : undefined;
    const qualified = parentType && parentType !== TYPES.stack ? `${parentType}$${type}` : type;
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/** The root stack resource's URN: where the tools report a stack policy's result that names no resource. */
export const STACK_URN = urnOf("pulumi:pulumi:Stack", `${TEST_PROJECT}-${TEST_STACK}`);

function qualifiedType(urn: string): string {
    const parts = urn.split("::");
    if (parts.length < 4) throw new Error(`not a URN: ${urn}`);
    return parts[2]!;
}
