// Builds stack resources the way the Pulumi engine hands them to a policy pack: registration order,
// URNs, parents, dependencies and property dependencies; and edits them the way a test breaks a stack.
import type { StackResource } from "../../../tools/lib/resources";
import { compliant } from "../../policies/fixtures/resources";
import { policyDoc, denyInsecureTransport, TEST_PROJECT, TEST_STACK, TYPES, urnOf } from "./stack-model";

export interface ResourceOptions {
    parent?: StackResource;
    /** Property name to the resources its value came from (the engine's `propertyDependencies`). */
    propertyDependencies?: Record<string, StackResource[]>;
    dependsOn?: StackResource[];
    protect?: boolean;
    ignoreChanges?: string[];
}

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
            {
                arn: topicArn,
                policy: policyDoc(
                    { Sid: "CloudWatchAlarmsPublish", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: topicArn },
                    denyInsecureTransport(["sns:Publish", "sns:Subscribe"], topicArn),
                ),
            },
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
