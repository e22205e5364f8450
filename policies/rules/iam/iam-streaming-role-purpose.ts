import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { at, forEachDecidable, isStreamArnOf, list } from "../common";
import type { EsmSource } from "../graph";
import { functionOfEsm, kinesisGrants, kinesisSourceOf, ofType, roleAt, roleViews, TYPE } from "../graph";

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

/**
 * A producer may also read the record size of a stream it writes (DescribeStreamSummary's
 * `MaxRecordSizeInKiB`): the stack's producer library asks for it the first time a record over 1 MiB
 * is put, and nothing else tells an external producer the limit.
 */
const LEARN_RECORD_SIZE = "kinesis:describestreamsummary";

/** A stream ARN naming one stream (no wildcard). */
const isExactStreamArn = (r: unknown) => /^arn:aws[a-z-]*:kinesis:[^:]*:[^:]*:stream\/[^*]+$/.test(String(r));

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
        if (fn)
            add(
                roleAt(fn, "role", () => fn.props.role, roles),
                `its function is invoked by event source mapping ${esm.name}`,
                source.stream,
            );
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
export const iamStreamingRolePurpose: PackPolicy<StackValidationPolicy> = {
    policy: {
        name: "iam-streaming-role-purpose",
        description:
            "Consumer roles (the role of a function an event source mapping with a Kinesis source invokes, a Firehose's source role, any role granted " +
            "kinesis:GetRecords, GetShardIterator or SubscribeToShard) may only use consumerActions, plus producerActions on streams they do not read (a replicator); " +
            "producer roles (granted kinesis:PutRecord(s)) may only use producerActions (default PutRecord, PutRecords, ListShards), and DescribeStreamSummary " +
            "on the streams they write (to learn their maximum record size). " +
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
                        const writesElsewhere = list(g.statement.Resource).every((r) => isExactStreamArn(r) && !readStreams.some((n) => isStreamArnOf(r, n)));
                        const bad = g.actions.filter(
                            (a) => !consumerActions.includes(a.toLowerCase()) && !(producerActions.includes(a.toLowerCase()) && writesElsewhere && readStreams.length > 0),
                        );
                        if (bad.length > 0) {
                            report(
                                `role ${view.label} consumes streams (${why}) but statement ${g.statement.Sid ?? `#${g.index}`} allows ${bad.join(", ")}; a consumer gets only read actions on the streams it reads.`,
                                g.holder.urn,
                            );
                        }
                    }
                } else if (all.some((a) => WRITING.includes(a))) {
                    const written = grants.filter((g) => g.actions.some((a) => WRITING.includes(a.toLowerCase()))).flatMap((g) => list(g.statement.Resource).map(String));
                    const onWrittenStreams = (resource: unknown) => {
                        const arns = list(resource);
                        return arns.length > 0 && arns.every((r) => isExactStreamArn(r) && written.includes(String(r)));
                    };
                    for (const g of grants) {
                        const bad = g.actions.filter(
                            (a) => !producerActions.includes(a.toLowerCase()) && !(a.toLowerCase() === LEARN_RECORD_SIZE && onWrittenStreams(g.statement.Resource)),
                        );
                        if (bad.length > 0) {
                            report(
                                `role ${view.label} produces to streams but statement ${g.statement.Sid ?? `#${g.index}`} also allows ${bad.join(", ")}; a producer gets only ${(config.producerActions ?? DEFAULT_PRODUCER_ACTIONS).join(", ")}, and DescribeStreamSummary on the streams it writes.`,
                                g.holder.urn,
                            );
                        }
                    }
                }
            });
        },
    },
    severity: "high",
    topics: ["permissions"],
    controls: [
        { framework: "Security Hub", id: "IAM.1", coverage: "none", note: "checks wildcards only; this rule classes roles by use" },
        { framework: "cdk-nag", id: "AwsSolutions-IAM5", coverage: "none", note: "checks wildcards only; this rule classes roles by use" },
        { framework: "Checkov", id: "CKV_AWS_111", coverage: "none", note: "checks wildcards only; this rule classes roles by use" },
    ],
    details:
        "A stack policy: roles are classed by use. A consumer (the role of a function an event source mapping with a Kinesis source invokes, a " +
        "Firehose's source role, or any role granted `GetRecords`, `GetShardIterator` or `SubscribeToShard`) may use only `consumerActions`, plus " +
        "`producerActions` on streams it does not read (a replicator writing its replica); a producer (granted `PutRecord(s)`) only " +
        "`producerActions`, and `DescribeStreamSummary` on exactly the stream ARNs it writes: it returns `MaxRecordSizeInKiB`, which the " +
        "stack's producer library reads before sending a record over 1 MiB. A consumer that may write the stream it reads can corrupt it; a producer that may read or reshard holds more than it " +
        "needs. Exact Kinesis actions only: wildcards are `iam-streaming-least-privilege`'s.",
    remediation: "Give consumers only consumerActions on the streams they read and producers only producerActions; split a role that does both.",
};
