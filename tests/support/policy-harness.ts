// Builds stack resources the way the Pulumi engine hands them to a policy pack, runs the pack
// in-process through @pulumi/policy's own Analyze / AnalyzeStack handlers, and asserts on the result.
import * as assert from "node:assert/strict";
import type { Violation } from "../../tools/lib/analyzer-protocol";
import { type PolicyPackConfig, runPolicies } from "../../tools/lib/policy-engine";
import type { StackResource } from "../../tools/lib/resources";
import { pack } from "../../policies/policies";

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
    key: "aws:kms/key:Key",
    topic: "aws:sns/topic:Topic",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
} as const;

export const ITERATOR_AGE_METRIC = "GetRecords.IteratorAgeMilliseconds";

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
        shardLevelMetrics: [],
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

    /** A topic encrypted with `key` (by ARN value and by property dependency). */
    topic(name: string, key: StackResource, overrides: Record<string, unknown> = {}, opts: ResourceOptions = {}): StackResource {
        return this.add(TYPES.topic, name, compliant.topic(compliant.keyArn(key.name), overrides), {
            ...opts,
            propertyDependencies: { kmsMasterKeyId: [key], ...opts.propertyDependencies },
        });
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
