import * as aws from "@pulumi/aws";
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { at, forEachDecidable, isStreamArnOf, list, type Statement, statementsOf } from "./common";
import { type EsmSource, functionOfEsm, kinesisGrants, kinesisSourceOf, ofType, roleAt, roleViews, TYPE } from "./graph";

/** Why a statement gives more than a streaming role needs, or undefined when it does not. */
export function overGrant(s: Statement): string | undefined {
    if (s.Effect !== "Allow") return undefined;
    if (s.NotAction !== undefined) return "uses NotAction (allows everything it does not name)";
    const actions = list(s.Action).map(String);
    // Every service wildcard, and any wildcard in a Kinesis action (kinesis:Put* includes PutResourcePolicy).
    const wild = actions.filter((a) => a === "*" || /^[\w-]+:\*$/.test(a) || /^kinesis:.*\*/i.test(a));
    if (wild.length > 0) return `allows ${wild.join(", ")} (name the actions the role needs)`;
    const resources = list(s.Resource).map(String);
    if (resources.includes("*")) {
        // Account-level actions take no resource ARN: "*" is the only Resource they work with.
        const reads = actions.filter((a) => isOneOf(a, ACCOUNT_LEVEL_READS));
        const unneeded = actions.filter((a) => isOneOf(a, ACCOUNT_LEVEL_WRITES));
        const scoped = actions.filter((a) => /^(kinesis|kms):/i.test(a) && !isOneOf(a, [...ACCOUNT_LEVEL_READS, ...ACCOUNT_LEVEL_WRITES]));
        const findings: string[] = [];
        if (scoped.length > 0) {
            const keep = reads.length > 0 ? `; ${reads.join(", ")} take${reads.length === 1 ? "s" : ""} no resource ARN and may stay on "*" in a statement of ${reads.length === 1 ? "its" : "their"} own` : "";
            findings.push(`allows ${scoped.join(", ")} on Resource "*" (scope them to the stream and key ARNs${keep})`);
        }
        if (unneeded.length > 0) findings.push(`allows ${unneeded.join(", ")} (account-level, not needed by a streaming role: remove ${unneeded.length === 1 ? "it" : "them"})`);
        if (findings.length > 0) return findings.join("; it also ");
    }
    const kinesis = actions.filter((a) => /^kinesis:/i.test(a));
    const wildArns = resources.filter((r) => r !== "*" && r.includes("*"));
    if (kinesis.length > 0 && wildArns.length > 0) {
        return `allows ${kinesis.join(", ")} on ${wildArns.map((r) => JSON.stringify(r)).join(", ")} (scope them to the stream ARNs)`;
    }
    return undefined;
}

/**
 * Kinesis and KMS actions with no resource-level permissions (no resource type in the IAM Service
 * Authorization Reference: they act on the account, so a statement must grant them on "*"). The reads
 * are harmless there; the writes change the account and no streaming role needs them.
 */
export const ACCOUNT_LEVEL_READS = ["kinesis:ListStreams", "kinesis:DescribeLimits", "kinesis:DescribeAccountSettings", "kms:ListKeys", "kms:ListAliases"];
export const ACCOUNT_LEVEL_WRITES = ["kinesis:UpdateAccountSettings", "kms:CreateKey", "kms:GenerateRandom"];
const isOneOf = (action: string, actions: string[]) => actions.some((a) => a.toLowerCase() === action.toLowerCase());

/** AWS-managed policies that grant a whole service or more: never on a streaming role. */
const BROAD_MANAGED_POLICY = /^arn:aws[a-z-]*:iam::aws:policy\/(.*\/)?(AdministratorAccess|PowerUserAccess|[A-Za-z0-9]+FullAccess)$/;

/**
 * Roles that touch the stream get exactly what they need: no wildcard actions, no Kinesis or KMS
 * action on every resource. A producer with `kinesis:*` on `*` can delete the stream of every team.
 */
export function iamStreamingLeastPrivilege(): ResourceValidationPolicy {
    return {
        name: "iam-streaming-least-privilege",
        description:
            "IAM role and managed policies must not allow wildcard actions (*, kinesis:*, kinesis:Put*, logs:*, ...), Kinesis/KMS actions on Resource \"*\" " +
            "(the account-level reads kinesis:ListStreams, DescribeLimits, DescribeAccountSettings, kms:ListKeys and ListAliases take no resource ARN and are allowed there), " +
            "account-level writes no streaming role needs (kinesis:UpdateAccountSettings, kms:CreateKey, GenerateRandom) or Kinesis actions on wildcard ARNs, " +
            "and roles must not attach AWS-managed *FullAccess or administrator policies: scope producers to PutRecord(s) and consumers to read actions on the stream and key ARNs. " +
            "Controls: Security Hub IAM.1 and IAM.21, cdk-nag AwsSolutions-IAM4 / AwsSolutions-IAM5, Checkov CKV_AWS_111 / CKV_AWS_290.",
        enforcementLevel: "mandatory",
        validateResource: [
            (args, report) => {
                if (!args.isType(aws.iam.RolePolicy) && !args.isType(aws.iam.Policy)) return;
                const statements = statementsOf((args.props as { policy?: unknown }).policy);
                if (statements === undefined) {
                    report("policy is not a JSON policy document.");
                    return;
                }
                statements.forEach((s, i) => {
                    const why = overGrant(s);
                    if (why) report(`statement ${s.Sid ?? `#${i}`} ${why}.`);
                });
            },
            (args, report) => {
                const arns = args.isType(aws.iam.RolePolicyAttachment)
                    ? [(args.props as { policyArn?: unknown }).policyArn]
                    : args.isType(aws.iam.Role)
                      ? list((args.props as { managedPolicyArns?: unknown[] }).managedPolicyArns)
                      : [];
                for (const arn of arns) {
                    if (typeof arn === "string" && BROAD_MANAGED_POLICY.test(arn)) {
                        report(`attaches the AWS-managed policy ${arn.slice(arn.lastIndexOf("/") + 1)}, which grants far more than a streaming role needs; write a scoped role policy.`);
                    }
                }
            },
        ],
    };
}

/** What consumers may do with the streams they read (and producers besides writing: ListShards). */
export const DEFAULT_CONSUMER_ACTIONS = [
    "kinesis:DescribeStream",
    "kinesis:DescribeStreamSummary",
    "kinesis:DescribeStreamConsumer",
    "kinesis:ListShards",
    "kinesis:ListStreamConsumers",
    "kinesis:GetShardIterator",
    "kinesis:GetRecords",
    "kinesis:SubscribeToShard",
    "kinesis:ListStreams",
    "kinesis:ListTagsForStream",
    "kinesis:DescribeLimits",
];
export const DEFAULT_PRODUCER_ACTIONS = ["kinesis:PutRecord", "kinesis:PutRecords", "kinesis:ListShards"];
const READING = ["kinesis:getrecords", "kinesis:subscribetoshard", "kinesis:getsharditerator"];
const WRITING = ["kinesis:putrecord", "kinesis:putrecords"];

interface Consumption {
    /** Why the role counts as a consumer, for the message. */
    why: string;
    /** The streams it reads (names), so a replicator may still write to others. */
    streams: PolicyResource[];
}

/**
 * The roles of the stack that consume streams, by how they are used: the role of a function an
 * event source mapping with a Kinesis source invokes, and the source role of a Firehose reading a stream.
 */
function consumersByUse(resources: PolicyResource[]): Map<string, Consumption> {
    const roles = ofType(resources, TYPE.role);
    const streams = ofType(resources, TYPE.stream);
    const consumers = ofType(resources, TYPE.streamConsumer);
    const functions = ofType(resources, TYPE.function);
    const found = new Map<string, Consumption>();
    const add = (role: PolicyResource | undefined, why: string, stream: PolicyResource | undefined) => {
        if (!role) return;
        const c = found.get(role.urn) ?? { why, streams: [] };
        if (stream) c.streams.push(stream);
        found.set(role.urn, c);
    };
    forEachDecidable(ofType(resources, TYPE.esm), (esm) => {
        const source: EsmSource | undefined = kinesisSourceOf(esm, streams, consumers);
        if (!source) return;
        const fn = functionOfEsm(esm, functions);
        if (fn) add(roleAt(fn, "role", () => fn.props.role, roles), `its function is invoked by event source mapping ${esm.name}`, source.stream);
    });
    forEachDecidable(ofType(resources, TYPE.firehose), (fh) => {
        const source = fh.props.kinesisSourceConfiguration;
        if (source === undefined) return;
        const stream = streams.find((s) => (fh.propertyDependencies.kinesisSourceConfiguration ?? []).some((r) => r.urn === s.urn));
        const role = roleAt(fh, "kinesisSourceConfiguration", () => at(source, "roleArn"), roles);
        add(role, `it is the source role of delivery stream ${fh.name}`, stream);
    });
    return found;
}

/**
 * A stack policy: a consumer that may write to the stream it reads can corrupt it, a producer that
 * may read or reshard it holds more than it needs. Roles are classed by use (the function of an
 * event source mapping, the source role of a Firehose) or, failing that, by what they read.
 */
export function iamStreamingRolePurpose(): StackValidationPolicy {
    return {
        name: "iam-streaming-role-purpose",
        description:
            "Consumer roles (the role of a function an event source mapping with a Kinesis source invokes, a Firehose's source role, any role granted " +
            "kinesis:GetRecords, GetShardIterator or SubscribeToShard) may only use consumerActions, plus producerActions on streams they do not read (a replicator); " +
            "producer roles (granted kinesis:PutRecord(s)) may only use producerActions (default PutRecord, PutRecords, ListShards). " +
            "Controls: pack-specific (Security Hub IAM.1, cdk-nag AwsSolutions-IAM5 and Checkov CKV_AWS_111 check wildcards only).",
        enforcementLevel: "mandatory",
        configSchema: {
            properties: {
                consumerActions: { type: "array", items: { type: "string" }, default: DEFAULT_CONSUMER_ACTIONS },
                producerActions: { type: "array", items: { type: "string" }, default: DEFAULT_PRODUCER_ACTIONS },
            },
        },
        validateStack: (args, report) => {
            const config = args.getConfig<{ consumerActions?: string[]; producerActions?: string[] }>();
            const consumerActions = (config.consumerActions ?? DEFAULT_CONSUMER_ACTIONS).map((a) => a.toLowerCase());
            const producerActions = (config.producerActions ?? DEFAULT_PRODUCER_ACTIONS).map((a) => a.toLowerCase());
            const byUse = consumersByUse(args.resources);
            const { views, undecided } = roleViews(args.resources);
            forEachDecidable([...views, undefined], (view) => {
                if (view === undefined) {
                    if (undecided !== undefined) throw undecided;
                    return;
                }
                const grants = kinesisGrants(view);
                const all = grants.flatMap((g) => g.actions.map((a) => a.toLowerCase()));
                const use = view.role ? byUse.get(view.role.urn) : undefined;
                const reads = all.find((a) => READING.includes(a));
                if (use || reads) {
                    const why = use?.why ?? `it is granted ${grants.flatMap((g) => g.actions).find((a) => a.toLowerCase() === reads)}`;
                    const readStreams = (use?.streams ?? []).map((s) => s.props.name as unknown);
                    for (const g of grants) {
                        const writesElsewhere = list(g.statement.Resource).every((r) => /^arn:aws[a-z-]*:kinesis:[^:]*:[^:]*:stream\/[^*]+$/.test(String(r)) && !readStreams.some((n) => isStreamArnOf(r, n)));
                        const bad = g.actions.filter((a) => !consumerActions.includes(a.toLowerCase()) && !(producerActions.includes(a.toLowerCase()) && writesElsewhere && readStreams.length > 0));
                        if (bad.length > 0) {
                            report(`role ${view.label} consumes streams (${why}) but statement ${g.statement.Sid ?? `#${g.index}`} allows ${bad.join(", ")}; a consumer gets only read actions on the streams it reads.`, g.holder.urn);
                        }
                    }
                } else if (all.some((a) => WRITING.includes(a))) {
                    for (const g of grants) {
                        const bad = g.actions.filter((a) => !producerActions.includes(a.toLowerCase()));
                        if (bad.length > 0) {
                            report(`role ${view.label} produces to streams but statement ${g.statement.Sid ?? `#${g.index}`} also allows ${bad.join(", ")}; a producer gets only ${(config.producerActions ?? DEFAULT_PRODUCER_ACTIONS).join(", ")}.`, g.holder.urn);
                        }
                    }
                }
            });
        },
    };
}
