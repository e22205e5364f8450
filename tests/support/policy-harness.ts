// Builds stack resources the way the Pulumi engine hands them to a policy pack, runs the pack
// in-process through @pulumi/policy's own Analyze / AnalyzeStack handlers, and asserts on the result.
import * as assert from "node:assert/strict";
import type { Violation } from "../../tools/lib/analyzer-protocol";
import { type PolicyPackConfig, runPolicies } from "../../tools/lib/policy-engine";
import type { StackResource } from "../../tools/lib/resources";
import { pack } from "../../policies/policies";
import { SHARD_LEVEL_METRICS } from "../../infra/config";
import { denyInsecureTransport } from "../../infra/lib/iam";

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

export interface ResourceOptions {
    parent?: StackResource;
    /** Property name to the resources its value came from (the engine's `propertyDependencies`). */
    propertyDependencies?: Record<string, StackResource[]>;
    dependsOn?: StackResource[];
    protect?: boolean;
    ignoreChanges?: string[];
}

/** Compliant inputs per resource type; each factory takes overrides (an `undefined` override removes the property). */
export const compliant = {
    keyArn: (name: string) => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${name}-0000-0000-0000-000000000000`,
    topicArn: (name: string) => `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`,
    key: (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
        description: "Customer-managed key for the streaming pipeline",
        deletionWindowInDays: 30,
        enableKeyRotation: true,
        ...overrides,
    }),
    topic: (kmsKeyArn: string, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
        kmsMasterKeyId: kmsKeyArn,
        ...overrides,
    }),
    stream: (name: string, kmsKeyArn: string, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
        name,
        streamModeDetails: { streamMode: "PROVISIONED" },
        shardCount: 2,
        retentionPeriod: 168,
        encryptionType: "KMS",
        kmsKeyId: kmsKeyArn,
        shardLevelMetrics: [...ALL_SHARD_METRICS],
        enforceConsumerDeletion: true,
        ...overrides,
    }),
    iteratorAgeAlarm: (streamName: string, topicArn: string, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
        alarmDescription: `Consumers of ${streamName} are falling behind`,
        namespace: "AWS/Kinesis",
        metricName: ITERATOR_AGE_METRIC,
        dimensions: { StreamName: streamName },
        statistic: "Maximum",
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: 60_000,
        evaluationPeriods: 5,
        datapointsToAlarm: 5,
        period: 60,
        treatMissingData: "missing",
        alarmActions: [topicArn],
        okActions: [topicArn],
        ...overrides,
    }),
};

/** Builds a stack's resources in registration order, with URNs, parents and dependencies like the engine's. */
export class StackBuilder {
    readonly resources: StackResource[] = [];
    readonly root: StackResource;

    constructor(
        readonly stack = TEST_STACK,
        readonly project = TEST_PROJECT,
    ) {
        this.root = this.add(TYPES.stack, `${project}-${stack}`, {}, {}, false);
    }

    /** Registers a resource; `dependencies` are `dependsOn` plus every property dependency, as the engine records them. */
    add(type: string, name: string, inputs: Record<string, unknown>, opts: ResourceOptions = {}, custom = true): StackResource {
        const parent = type === TYPES.stack ? undefined : (opts.parent ?? this.root);
        const urn = urnOf(type, name, parent?.urn, this.stack, this.project);
        if (this.resources.some((r) => r.urn === urn)) throw new Error(`duplicate URN ${urn}`);
        const propertyDependencies: Record<string, string[]> = {};
        for (const [prop, deps] of Object.entries(opts.propertyDependencies ?? {})) propertyDependencies[prop] = deps.map((d) => d.urn);
        const dependencies = [...new Set([...(opts.dependsOn ?? []).map((d) => d.urn), ...Object.values(propertyDependencies).flat()])];
        const resource: StackResource = {
            urn,
            type,
            name,
            custom,
            inputs: stripUndefined(inputs),
            parent: parent?.urn,
            dependencies,
            propertyDependencies,
            protect: opts.protect ?? false,
            ignoreChanges: opts.ignoreChanges ?? [],
        };
        this.resources.push(resource);
        return resource;
    }

    component(type: string, name: string, opts: ResourceOptions = {}): StackResource {
        return this.add(type, name, {}, opts, false);
    }

    key(name: string, overrides: Record<string, unknown> = {}, opts: ResourceOptions = {}): StackResource {
        return this.add(TYPES.key, name, compliant.key(overrides), opts);
    }

    /**
     * A topic encrypted with `key` (by ARN value and by property dependency), and its TopicPolicy
     * denying publishing without TLS (named like the topic, as the Alerts component does).
     */
    topic(name: string, key: StackResource, overrides: Record<string, unknown> = {}, opts: ResourceOptions = {}): StackResource {
        const topic = this.add(TYPES.topic, name, compliant.topic(compliant.keyArn(key.name), overrides), {
            ...opts,
            propertyDependencies: { kmsMasterKeyId: [key], ...opts.propertyDependencies },
        });
        const topicArn = compliant.topicArn(name);
        this.add(
            TYPES.topicPolicy,
            name,
            { arn: topicArn, policy: policyDoc({ Sid: "CloudWatchAlarmsPublish", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: topicArn }, denyInsecureTransport(["sns:Publish", "sns:Subscribe"], topicArn)) },
            { parent: opts.parent, propertyDependencies: { arn: [topic], policy: [topic] } },
        );
        return topic;
    }

    /** The resource of `type` named `name` (throws when absent). */
    find(type: string, name: string): StackResource {
        const r = this.resources.find((x) => x.type === type && x.name === name);
        if (!r) throw new Error(`no ${type} named ${name}`);
        return r;
    }

    /** Removes resources (as if the program did not declare them); the URNs others depend on stay recorded. */
    remove(...rs: StackResource[]): void {
        for (const r of rs) {
            const i = this.resources.indexOf(r);
            if (i < 0) throw new Error(`not in the stack: ${r.urn}`);
            this.resources.splice(i, 1);
        }
    }

    /** A stream encrypted with `key`; its physical name is `physicalName` (default `<name>-events`). */
    stream(name: string, key: StackResource, overrides: Record<string, unknown> = {}, opts: ResourceOptions = {}): StackResource {
        return this.add(TYPES.stream, name, compliant.stream(`${name}-events`, compliant.keyArn(key.name), overrides), {
            ...opts,
            propertyDependencies: { kmsKeyId: [key], ...opts.propertyDependencies },
        });
    }

    /**
     * An iterator-age alarm on `stream`'s StreamName notifying `topic`, linked both by value and by
     * property dependencies (`dimensions` on the stream, `alarmActions` on the topic), as a program
     * writing `dimensions: { StreamName: stream.name }` registers it.
     */
    iteratorAgeAlarm(name: string, stream: StackResource, topic: StackResource, overrides: Record<string, unknown> = {}, opts: ResourceOptions = {}): StackResource {
        const streamName = stream.inputs.name as string;
        return this.add(TYPES.alarm, name, compliant.iteratorAgeAlarm(streamName, compliant.topicArn(topic.name), overrides), {
            ...opts,
            propertyDependencies: { dimensions: [stream], alarmActions: [topic], okActions: [topic], ...opts.propertyDependencies },
        });
    }
}

function stripUndefined(inputs: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(inputs).filter(([, v]) => v !== undefined));
}

/** The compliant stack every rule test starts from: a key, an encrypted topic, a stream and its alarm. */
export interface CompliantStack {
    b: StackBuilder;
    key: StackResource;
    topic: StackResource;
    stream: StackResource;
    /** Absent with `noAlarm`. */
    alarm: StackResource | undefined;
}

export interface CompliantStackOverrides {
    key?: Record<string, unknown>;
    topic?: Record<string, unknown>;
    stream?: Record<string, unknown>;
    alarm?: Record<string, unknown>;
    /** Leave the iterator-age alarm out. */
    noAlarm?: boolean;
}

export function compliantStack(o: CompliantStackOverrides = {}): CompliantStack {
    const b = new StackBuilder();
    const key = b.key("app-key", o.key);
    const topic = b.topic("alerts", key, o.topic);
    const stream = b.stream("orders", key, o.stream);
    const alarm = o.noAlarm ? undefined : b.iteratorAgeAlarm("orders-iterator-age", stream, topic, o.alarm);
    return { b, key, topic, stream, alarm };
}

/** Runs the pack as `pulumi preview --policy-pack policies [--policy-pack-config <config>]` would. */
export function violationsOf(resources: StackResource[], config: PolicyPackConfig = {}): Promise<Violation[]> {
    return runPolicies(pack, resources, config);
}

/**
 * Runs the pack with every `configSchema` removed, so `getConfig()` returns only what `config`
 * sets: what a policy sees when nothing fills the schema's defaults, which the rules must then
 * supply themselves.
 */
export function violationsWithoutSchemaDefaults(resources: StackResource[], config: PolicyPackConfig = {}): Promise<Violation[]> {
    const policies = pack.policies.map((p) => ({ ...p, configSchema: undefined }));
    return runPolicies({ ...pack, policies }, resources, config);
}

/**
 * Asserts exactly one violation of `policyName` with exactly `message` (and, when given, that URN
 * and level) and returns it.
 */
export function assertHasViolation(
    violations: Violation[],
    policyName: string,
    message: string,
    expect: { urn?: string; enforcementLevel?: Violation["enforcementLevel"] } = {},
): Violation {
    const matching = violations.filter((v) => v.policyName === policyName && v.message === message);
    assert.equal(matching.length, 1, `expected one ${policyName} violation "${message}", got:\n${JSON.stringify(violations, null, 2)}`);
    const v = matching[0]!;
    if (expect.urn !== undefined) assert.equal(v.urn, expect.urn);
    if (expect.enforcementLevel !== undefined) assert.equal(v.enforcementLevel, expect.enforcementLevel);
    return v;
}

export function assertNoViolations(violations: Violation[]): void {
    assert.deepEqual(violations, [], `expected no violations, got:\n${JSON.stringify(violations, null, 2)}`);
}

/** Asserts the whole list, in the engine's order (URN, then policy, then message). */
export function assertViolations(violations: Violation[], expected: Violation[]): void {
    assert.deepEqual(violations, expected);
}

/** The engine's diagnostic when a policy reads a value it cannot know in preview (always advisory). */
export function unknownDiagnostic(policyName: string, valueType: string, path: string): string {
    return `can't run policy '${policyName}' from policy pack '${pack.name}@v${pack.version}' during preview: ${valueType} value at .${path} can't be known during preview`;
}

/** Changes a resource's inputs in place (an `undefined` value removes the input). */
export function set(r: StackResource, patch: Record<string, unknown>): StackResource {
    for (const [k, v] of Object.entries(patch)) {
        if (v === undefined) delete r.inputs[k];
        else r.inputs[k] = v;
    }
    return r;
}

/** Forgets the engine's property dependencies of `props` (all when none given), as in a stack file written by hand. */
export function unlink(r: StackResource, ...props: string[]): StackResource {
    for (const p of props.length > 0 ? props : Object.keys(r.propertyDependencies)) delete r.propertyDependencies[p];
    r.dependencies = [...new Set(Object.values(r.propertyDependencies).flat())];
    return r;
}

/** Physical names of the compliant pipeline. */
export const PIPELINE = {
    stream: "orders-events",
    consumerFunction: "orders-consumer",
    queue: "orders-consumer-failures",
    producerFunction: "orders-ingest",
    table: "orders-results",
    archiveBucket: "orders-archive-bucket",
    logBucket: "orders-archive-logs-bucket",
    deliveryStream: "orders-archive",
};

/** Every resource of the compliant pipeline, by role. */
export interface CompliantPipeline extends CompliantStack {
    alarm: StackResource;
    producers: { component: StackResource; logGroup: StackResource; role: StackResource; rolePolicy: StackResource; fn: StackResource };
    consumer: {
        component: StackResource;
        queue: StackResource;
        queueAlarm: StackResource;
        logGroup: StackResource;
        role: StackResource;
        rolePolicy: StackResource;
        fn: StackResource;
        esm: StackResource;
        iteratorAlarm: StackResource;
    };
    table: StackResource;
    archive: {
        component: StackResource;
        logBucket: StackResource;
        bucket: StackResource;
        /** Side resources per bucket: encryption, versioning, block, policy, lifecycle (and logging on the archive). */
        logBucketSides: Record<"encryption" | "versioning" | "block" | "policy" | "lifecycle", StackResource>;
        bucketSides: Record<"encryption" | "versioning" | "block" | "policy" | "lifecycle" | "logging", StackResource>;
        logGroup: StackResource;
        role: StackResource;
        rolePolicy: StackResource;
        firehose: StackResource;
        freshnessAlarm: StackResource;
    };
}

/** An alarm of `namespace`/`metricName` on one dimension, linked by property dependencies, notifying `topic`. */
function alarmOn(
    b: StackBuilder,
    name: string,
    parent: StackResource,
    topic: StackResource,
    metric: { namespace: string; metricName: string; dimension: string; value: string; of: StackResource; threshold: number; statistic?: string },
): StackResource {
    const topicArn = compliant.topicArn(topic.name);
    return b.add(
        TYPES.alarm,
        name,
        {
            alarmDescription: `${metric.metricName} of ${metric.value}`,
            namespace: metric.namespace,
            metricName: metric.metricName,
            dimensions: { [metric.dimension]: metric.value },
            statistic: metric.statistic ?? "Maximum",
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            threshold: metric.threshold,
            evaluationPeriods: 5,
            datapointsToAlarm: 5,
            period: 60,
            treatMissingData: "notBreaching",
            alarmActions: [topicArn],
            okActions: [topicArn],
        },
        { parent, propertyDependencies: { dimensions: [metric.of], alarmActions: [topic], okActions: [topic] } },
    );
}

/** The four side resources every bucket gets (infra/components/firehose-archive.ts `guard`), plus its lifecycle. */
function guardBucket(b: StackBuilder, name: string, bucket: StackResource, parent: StackResource, encryption: Record<string, unknown>, encryptionDeps: StackResource[], extraStatements: Record<string, unknown>[]) {
    const bucketName = bucket.inputs.bucket as string;
    const on = { parent, propertyDependencies: { bucket: [bucket] } };
    return {
        encryption: b.add(TYPES.bucketEncryption, name, { bucket: bucketName, rules: [{ applyServerSideEncryptionByDefault: encryption, bucketKeyEnabled: encryption.sseAlgorithm === "aws:kms" }] }, {
            parent,
            propertyDependencies: { bucket: [bucket], rules: encryptionDeps },
        }),
        versioning: b.add(TYPES.bucketVersioning, name, { bucket: bucketName, versioningConfiguration: { status: "Enabled" } }, on),
        block: b.add(TYPES.bucketPublicAccessBlock, name, { bucket: bucketName, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, on),
        policy: b.add(
            TYPES.bucketPolicy,
            name,
            { bucket: bucketName, policy: policyDoc(...extraStatements, denyInsecureTransport("s3:*", [arn.bucket(bucketName), `${arn.bucket(bucketName)}/*`])) },
            { parent, propertyDependencies: { bucket: [bucket], policy: [bucket] } },
        ),
        lifecycle: b.add(TYPES.bucketLifecycle, name, { bucket: bucketName, rules: [{ id: "expire", status: "Enabled", filter: {}, expiration: { days: 365 }, noncurrentVersionExpiration: { noncurrentDays: 30 } }] }, on),
    };
}

/**
 * The whole pipeline as the program declares it, compliant with every policy of the pack: the key,
 * the alerts topic (and its policy), the stream and its iterator-age alarm; a producer function;
 * a consumer (on-failure queue and its depth alarm, log group, role, function, event source
 * mapping, IteratorAge alarm); the results table; the archive (log bucket, bucket, their side
 * resources, Firehose, its role, log group and freshness alarm). Components parent their children
 * and every reference is a property dependency, as in the engine's view of the program.
 */
export function compliantPipeline(): CompliantPipeline {
    const base = compliantStack();
    const { b, key, topic, stream } = base;
    const keyArn = compliant.keyArn(key.name);
    const streamArn = arn.stream(PIPELINE.stream);

    // Producers: a function writing to the stream.
    const pComp = b.component("streaming:producers:Producers", "orders-producers");
    const pLog = b.add(TYPES.logGroup, "orders-ingest", { name: `/aws/lambda/${PIPELINE.producerFunction}`, retentionInDays: 30, kmsKeyId: keyArn }, { parent: pComp, propertyDependencies: { kmsKeyId: [key] } });
    const pRole = b.add(TYPES.role, "orders-ingest", { name: PIPELINE.producerFunction, assumeRolePolicy: policyDoc({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }) }, { parent: pComp });
    const pPolicy = b.add(
        TYPES.rolePolicy,
        "orders-ingest",
        {
            role: PIPELINE.producerFunction,
            policy: policyDoc(
                { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${arn.logGroup(pLog.inputs.name as string)}:*` },
                { Sid: "WriteToStream", Effect: "Allow", Action: PRODUCER_ACTIONS, Resource: streamArn },
                { Sid: "EncryptWithStreamKey", Effect: "Allow", Action: "kms:GenerateDataKey", Resource: keyArn },
            ),
        },
        { parent: pComp, propertyDependencies: { role: [pRole], policy: [pLog, stream, key] } },
    );
    const pFn = b.add(
        TYPES.function,
        "orders-ingest",
        { name: PIPELINE.producerFunction, runtime: "nodejs22.x", handler: "index.handler", role: arn.role(PIPELINE.producerFunction), loggingConfig: { logFormat: "JSON", logGroup: pLog.inputs.name } },
        { parent: pComp, propertyDependencies: { role: [pRole], loggingConfig: [pLog] }, dependsOn: [pPolicy] },
    );

    // Consumer: on-failure queue, function, event source mapping, alarms.
    const cComp = b.component("streaming:lambda:Consumer", "orders-consumer");
    const queue = b.add(TYPES.queue, "orders-consumer-failures", { name: PIPELINE.queue, kmsMasterKeyId: keyArn, kmsDataKeyReusePeriodSeconds: 300, messageRetentionSeconds: 1_209_600 }, { parent: cComp, propertyDependencies: { kmsMasterKeyId: [key] } });
    const queueAlarm = alarmOn(b, "orders-consumer-failures-queued", cComp, topic, { namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimension: "QueueName", value: PIPELINE.queue, of: queue, threshold: 1 });
    const cLog = b.add(TYPES.logGroup, "orders-consumer", { name: `/aws/lambda/${PIPELINE.consumerFunction}`, retentionInDays: 30, kmsKeyId: keyArn }, { parent: cComp, propertyDependencies: { kmsKeyId: [key] } });
    const cRole = b.add(TYPES.role, "orders-consumer", { name: PIPELINE.consumerFunction, assumeRolePolicy: policyDoc({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }) }, { parent: cComp });
    const cPolicy = b.add(
        TYPES.rolePolicy,
        "orders-consumer",
        {
            role: PIPELINE.consumerFunction,
            policy: policyDoc(
                { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${arn.logGroup(cLog.inputs.name as string)}:*` },
                { Sid: "ReadStream", Effect: "Allow", Action: CONSUMER_READ_ACTIONS, Resource: streamArn },
                { Sid: "DecryptStream", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: keyArn },
                { Sid: "WriteResults", Effect: "Allow", Action: ["dynamodb:BatchWriteItem", "dynamodb:PutItem"], Resource: arn.table(PIPELINE.table) },
                { Sid: "SendFailedBatches", Effect: "Allow", Action: "sqs:SendMessage", Resource: arn.queue(PIPELINE.queue) },
            ),
        },
        { parent: cComp, propertyDependencies: { role: [cRole], policy: [cLog, stream, key, queue] } },
    );
    const cFn = b.add(
        TYPES.function,
        "orders-consumer",
        { name: PIPELINE.consumerFunction, runtime: "nodejs22.x", handler: "index.handler", role: arn.role(PIPELINE.consumerFunction), loggingConfig: { logFormat: "JSON", logGroup: cLog.inputs.name }, timeout: 60 },
        { parent: cComp, propertyDependencies: { role: [cRole], loggingConfig: [cLog] }, dependsOn: [cPolicy] },
    );
    const esm = b.add(
        TYPES.esm,
        "orders-consumer",
        {
            eventSourceArn: streamArn,
            functionName: arn.function(PIPELINE.consumerFunction),
            startingPosition: "TRIM_HORIZON",
            batchSize: 100,
            maximumBatchingWindowInSeconds: 1,
            parallelizationFactor: 1,
            bisectBatchOnFunctionError: true,
            maximumRetryAttempts: 3,
            maximumRecordAgeInSeconds: 3600,
            functionResponseTypes: ["ReportBatchItemFailures"],
            destinationConfig: { onFailure: { destinationArn: arn.queue(PIPELINE.queue) } },
        },
        { parent: cComp, propertyDependencies: { eventSourceArn: [stream], functionName: [cFn], destinationConfig: [queue] }, dependsOn: [cFn] },
    );
    const iteratorAlarm = alarmOn(b, "orders-consumer-iterator-age", cComp, topic, { namespace: "AWS/Lambda", metricName: "IteratorAge", dimension: "FunctionName", value: PIPELINE.consumerFunction, of: cFn, threshold: 60_000 });

    // Results table.
    const table = b.add(
        TYPES.table,
        "orders-results",
        {
            name: PIPELINE.table,
            billingMode: "PAY_PER_REQUEST",
            hashKey: "pk",
            attributes: [{ name: "pk", type: "S" }],
            pointInTimeRecovery: { enabled: true },
            serverSideEncryption: { enabled: true, kmsKeyArn: keyArn },
            deletionProtectionEnabled: true,
        },
        { propertyDependencies: { serverSideEncryption: [key] } },
    );

    // Archive: log bucket (SSE-S3, log delivery may write), bucket (SSE-KMS, logs to the log bucket), Firehose.
    const aComp = b.component("streaming:firehose:Archive", "orders-archive");
    const logBucket = b.add(TYPES.bucket, "orders-archive-access-logs", { bucket: PIPELINE.logBucket }, { parent: aComp });
    const logBucketSides = guardBucket(b, "orders-archive-access-logs", logBucket, aComp, { sseAlgorithm: "AES256" }, [], [
        {
            Sid: "S3ServerAccessLogDelivery",
            Effect: "Allow",
            Principal: { Service: "logging.s3.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: `${arn.bucket(PIPELINE.logBucket)}/*`,
            Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
        },
    ]);
    const bucket = b.add(TYPES.bucket, "orders-archive", { bucket: PIPELINE.archiveBucket }, { parent: aComp });
    const bucketSides = {
        ...guardBucket(b, "orders-archive", bucket, aComp, { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn }, [key], []),
        logging: b.add(TYPES.bucketLogging, "orders-archive", { bucket: PIPELINE.archiveBucket, targetBucket: PIPELINE.logBucket, targetPrefix: "archive/" }, {
            parent: aComp,
            propertyDependencies: { bucket: [bucket], targetBucket: [logBucket] },
        }),
    };
    const aLog = b.add(TYPES.logGroup, "orders-archive-delivery", { name: "/aws/kinesisfirehose/orders-archive", retentionInDays: 30, kmsKeyId: keyArn }, { parent: aComp, propertyDependencies: { kmsKeyId: [key] } });
    const aRole = b.add(TYPES.role, "orders-archive-firehose", { name: "orders-archive-firehose", assumeRolePolicy: policyDoc({ Effect: "Allow", Principal: { Service: "firehose.amazonaws.com" }, Action: "sts:AssumeRole" }) }, { parent: aComp });
    const aPolicy = b.add(
        TYPES.rolePolicy,
        "orders-archive-firehose",
        {
            role: "orders-archive-firehose",
            policy: policyDoc(
                { Sid: "ReadSourceStream", Effect: "Allow", Action: ["kinesis:DescribeStream", "kinesis:GetShardIterator", "kinesis:GetRecords", "kinesis:ListShards"], Resource: streamArn },
                { Sid: "DecryptSourceStream", Effect: "Allow", Action: "kms:Decrypt", Resource: keyArn },
                { Sid: "WriteArchive", Effect: "Allow", Action: ["s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:PutObject"], Resource: [arn.bucket(PIPELINE.archiveBucket), `${arn.bucket(PIPELINE.archiveBucket)}/*`] },
                { Sid: "WriteDeliveryLog", Effect: "Allow", Action: "logs:PutLogEvents", Resource: `${arn.logGroup("/aws/kinesisfirehose/orders-archive")}:log-stream:*` },
            ),
        },
        { parent: aComp, propertyDependencies: { role: [aRole], policy: [stream, key, bucket, aLog] } },
    );
    const firehose = b.add(
        TYPES.firehose,
        "orders-archive",
        {
            name: PIPELINE.deliveryStream,
            destination: "extended_s3",
            kinesisSourceConfiguration: { kinesisStreamArn: streamArn, roleArn: arn.role("orders-archive-firehose") },
            extendedS3Configuration: {
                roleArn: arn.role("orders-archive-firehose"),
                bucketArn: arn.bucket(PIPELINE.archiveBucket),
                bufferingSize: 64,
                bufferingInterval: 60,
                compressionFormat: "GZIP",
                kmsKeyArn: keyArn,
                prefix: "events/",
                errorOutputPrefix: "errors/",
                dynamicPartitioningConfiguration: { enabled: true },
                cloudwatchLoggingOptions: { enabled: true, logGroupName: aLog.inputs.name, logStreamName: "S3Delivery" },
            },
        },
        { parent: aComp, propertyDependencies: { kinesisSourceConfiguration: [stream, aRole], extendedS3Configuration: [aRole, bucket, key, aLog] }, dependsOn: [aPolicy] },
    );
    const freshnessAlarm = alarmOn(b, "orders-archive-freshness", aComp, topic, { namespace: "AWS/Firehose", metricName: "DeliveryToS3.DataFreshness", dimension: "DeliveryStreamName", value: PIPELINE.deliveryStream, of: firehose, threshold: 900 });

    return {
        ...base,
        alarm: base.alarm!,
        producers: { component: pComp, logGroup: pLog, role: pRole, rolePolicy: pPolicy, fn: pFn },
        consumer: { component: cComp, queue, queueAlarm, logGroup: cLog, role: cRole, rolePolicy: cPolicy, fn: cFn, esm, iteratorAlarm },
        table,
        archive: { component: aComp, logBucket, bucket, logBucketSides, bucketSides, logGroup: aLog, role: aRole, rolePolicy: aPolicy, firehose, freshnessAlarm },
    };
}

/** One violation of `policyName` at `urn`, mandatory unless said otherwise. */
export const violation = (policyName: string, urn: string, message: string, enforcementLevel: Violation["enforcementLevel"] = "mandatory"): Violation => ({ policyName, enforcementLevel, urn, message });
