// How the stack rules find what belongs together: a stream and its consumers, an event source
// mapping and its function, a function and its role, a bucket and its side resources. Every link
// goes through the engine's property dependencies first (known in preview, when ARNs are not) and
// falls back to matching values (names inside ARNs) for stack files without them (see linksOf).
import type { PolicyResource } from "@pulumi/policy";
import { arnName, at, candidatesFor, isStreamArnOf, isUnknownValueError, type JoinKey, linkedOrThrow, linksOf, list, memoized, type Statement, statementsOf } from "./common";

/** Type tokens of the resources the stack rules join. */
export const TYPE = {
    stream: "aws:kinesis/stream:Stream",
    streamConsumer: "aws:kinesis/streamConsumer:StreamConsumer",
    firehose: "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
    esm: "aws:lambda/eventSourceMapping:EventSourceMapping",
    function: "aws:lambda/function:Function",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    managedPolicy: "aws:iam/policy:Policy",
    queue: "aws:sqs/queue:Queue",
    topic: "aws:sns/topic:Topic",
    topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
    queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
    key: "aws:kms/key:Key",
    replicaKey: "aws:kms/replicaKey:ReplicaKey",
    alias: "aws:kms/alias:Alias",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    table: "aws:dynamodb/table:Table",
    bucket: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
    bucketEncryption: [
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    ],
    bucketVersioning: ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"],
    bucketPublicAccessBlock: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
    bucketPolicy: ["aws:s3/bucketPolicy:BucketPolicy"],
    bucketLifecycle: ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"],
    bucketLogging: ["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"],
} as const;

/**
 * The resources of a type (or of any of several): one frozen array per resources array and type for
 * the whole check, shared by every caller, so that the indexes built on it are built once.
 */
export const ofType = (resources: PolicyResource[], type: string | readonly string[]): PolicyResource[] =>
    memoized(resources, `type:${typeof type === "string" ? type : type.join(",")}`, () =>
        Object.freeze(resources.filter((r) => (typeof type === "string" ? r.type === type : type.includes(r.type)))),
    ) as PolicyResource[];

/** Resources known by their `name` property (as text: the joins below compare `String(name)` or the name itself). */
export const BY_NAME: JoinKey = { name: "name", keysOf: (r) => [String(r.props.name)] };

/** Every position in `text` just after an occurrence of `marker`. */
function after(text: string, marker: string): number[] {
    const out: number[] = [];
    for (let i = text.indexOf(marker); i !== -1; i = text.indexOf(marker, i + 1)) out.push(i + marker.length);
    return out;
}

/** The stream name a stream ARN holds (what `isStreamArnOf` accepts), as a lookup for BY_NAME. */
export function streamNamesInArn(arn: unknown): string[] {
    const m = typeof arn === "string" ? /^arn:aws[a-z-]*:kinesis:[^:]*:[^:]*:stream\/([\s\S]*)$/.exec(arn) : null;
    return m ? [m[1]!] : [];
}

/** Every name `:stream/<s>/consumer/<name>:` can find in an ARN (a consumer name may hold colons). */
function consumerNamesInArn(arn: unknown): string[] {
    if (typeof arn !== "string") return [];
    const out: string[] = [];
    for (const start of after(arn, "/consumer/")) {
        if (!/:stream\/[^/]+$/.test(arn.slice(0, start - "/consumer/".length))) continue;
        for (let q = arn.indexOf(":", start); q !== -1; q = arn.indexOf(":", q + 1)) out.push(arn.slice(start, q));
    }
    return out;
}

/** Every function name `:function:<name>(:<qualifier>)?` at the end of a reference can hold, and the reference itself. */
function functionNamesIn(ref: unknown): string[] {
    if (typeof ref !== "string") return [];
    return [
        ref,
        ...after(ref, ":function:").flatMap((start) => {
            const rest = ref.slice(start);
            const q = rest.lastIndexOf(":");
            return q !== -1 && q < rest.length - 1 ? [rest, rest.slice(0, q)] : [rest];
        }),
    ];
}

/** Every role name `:role/(<path>/)?<name>` at the end of a reference can hold, and the reference itself. */
function roleNamesIn(ref: unknown): string[] {
    if (typeof ref !== "string") return [];
    return [ref, ...after(ref, ":role/").flatMap((start) => [ref.slice(start), ...after(ref.slice(start), "/").map((i) => ref.slice(start + i))])];
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The stream a StreamConsumer (enhanced fan-out) is registered on. */
export function streamOfConsumer(consumer: PolicyResource, streams: PolicyResource[]): PolicyResource | undefined {
    const near = candidatesFor(consumer, "streamArn", streams, BY_NAME, () => streamNamesInArn(consumer.props.streamArn));
    return linkedOrThrow(consumer, "streamArn", near, (s) => isStreamArnOf(consumer.props.streamArn, s.props.name))[0];
}

/** What a Kinesis event source mapping reads: a stream, through an EFO consumer or not, or a stream outside the stack. */
export interface EsmSource {
    stream?: PolicyResource;
    consumer?: PolicyResource;
    /** The source is a Kinesis ARN of no stream declared in the stack. */
    external?: string;
}

/**
 * The Kinesis source of an event source mapping, or undefined when it reads something else (SQS,
 * DynamoDB streams, Kafka). Throws the unknown when preview cannot tell.
 */
export function kinesisSourceOf(esm: PolicyResource, streams: PolicyResource[], consumers: PolicyResource[]): EsmSource | undefined {
    const sourceArn = () => esm.props.eventSourceArn;
    const viaConsumer = linksOf(
        esm,
        "eventSourceArn",
        candidatesFor(esm, "eventSourceArn", consumers, BY_NAME, () => consumerNamesInArn(sourceArn())),
        (c) => {
            const arn = esm.props.eventSourceArn;
            return typeof arn === "string" && new RegExp(`:stream/[^/]+/consumer/${escapeRegExp(String(c.props.name))}:`).test(arn);
        },
    );
    if (viaConsumer.linked.length > 0) {
        const consumer = viaConsumer.linked[0]!;
        return { consumer, stream: streamOfConsumer(consumer, streams) };
    }
    const nearStreams = candidatesFor(esm, "eventSourceArn", streams, BY_NAME, () => streamNamesInArn(sourceArn()));
    const direct = linksOf(esm, "eventSourceArn", nearStreams, (s) => isStreamArnOf(esm.props.eventSourceArn, s.props.name));
    if (direct.linked.length > 0) return { stream: direct.linked[0] };
    let arn: unknown;
    try {
        arn = esm.props.eventSourceArn;
    } catch (e) {
        // Unknown in preview: dependencies on a queue, a table or a broker say it is not a Kinesis source;
        // anything else (a StackReference to another team's stream) leaves it undecided.
        const deps = esm.propertyDependencies.eventSourceArn ?? [];
        if (isUnknownValueError(e) && deps.length > 0 && deps.every((d) => NON_KINESIS_SOURCES.includes(d.type))) return undefined;
        throw e;
    }
    return typeof arn === "string" && /^arn:aws[a-z-]*:kinesis:/.test(arn) ? { external: arn } : undefined;
}

/** Event source mapping sources that are not Kinesis. */
const NON_KINESIS_SOURCES = ["aws:sqs/queue:Queue", "aws:dynamodb/table:Table", "aws:msk/cluster:Cluster", "aws:msk/serverlessCluster:ServerlessCluster", "aws:mq/broker:Broker"];

/** The function an event source mapping invokes (functionName is a name or an ARN). */
export function functionOfEsm(esm: PolicyResource, functions: PolicyResource[]): PolicyResource | undefined {
    const near = candidatesFor(esm, "functionName", functions, BY_NAME, () => functionNamesIn(esm.props.functionName));
    return linkedOrThrow(esm, "functionName", near, (f) => {
        const ref = esm.props.functionName;
        return typeof ref === "string" && (ref === f.props.name || new RegExp(`:function:${escapeRegExp(String(f.props.name))}(:[^:]+)?$`).test(ref));
    })[0];
}

/** The role a property holding a role ARN (or name) refers to. */
export function roleAt(dependent: PolicyResource, prop: string, read: () => unknown, roles: PolicyResource[]): PolicyResource | undefined {
    return linkedOrThrow(
        dependent,
        prop,
        candidatesFor(dependent, prop, roles, BY_NAME, () => roleNamesIn(read())),
        (r) => {
            const ref = read();
            return typeof ref === "string" && (ref === r.props.name || new RegExp(`:role/(.*/)?${escapeRegExp(String(r.props.name))}$`).test(ref));
        },
    )[0];
}

/** A policy document attached to a role: the resource holding it (where findings are reported) and its statements. */
export interface RoleDocument {
    holder: PolicyResource;
    /** Parsed on demand; throws the unknown when the document is unknown in preview. */
    statements(): Statement[];
}

/** A role of the stack (or, for a role policy whose role is not declared, that policy alone) and its documents. */
export interface RoleView {
    role?: PolicyResource;
    label: string;
    documents: RoleDocument[];
}

/**
 * Every role with the policy documents attached to it: role policies (`role`), managed policies of
 * the stack through RolePolicyAttachments (`role`, `policyArn`). A role policy whose role is not a
 * role of the stack forms its own view, named after its `role` value. `undecided` holds the
 * unknown that kept a document from being placed (the caller rethrows it after its checks).
 */
export function roleViews(resources: PolicyResource[]): { views: RoleView[]; undecided?: unknown } {
    const roles = ofType(resources, TYPE.role);
    const views = new Map<string, RoleView>(roles.map((r) => [r.urn, { role: r, label: r.name, documents: [] }]));
    const orphans: RoleView[] = [];
    const docOf = (holder: PolicyResource): RoleDocument => ({ holder, statements: () => statementsOf(holder.props.policy) ?? [] });
    let undecided: unknown;
    const place = (fn: () => void) => {
        try {
            fn();
        } catch (e) {
            if (!isUnknownValueError(e)) throw e;
            undecided ??= e;
        }
    };
    for (const rp of ofType(resources, TYPE.rolePolicy)) {
        place(() => {
            const role = roleAt(rp, "role", () => rp.props.role, roles);
            if (role) views.get(role.urn)!.documents.push(docOf(rp));
            else orphans.push({ label: String(rp.props.role), documents: [docOf(rp)] });
        });
    }
    const managed = ofType(resources, TYPE.managedPolicy);
    for (const att of ofType(resources, TYPE.rolePolicyAttachment)) {
        place(() => {
            const role = roleAt(att, "role", () => att.props.role, roles);
            const near = candidatesFor(att, "policyArn", managed, BY_MANAGED_NAME, () => [arnName(att.props.policyArn)]);
            const policy = linkedOrThrow(att, "policyArn", near, (p) => arnName(att.props.policyArn) === p.props.name)[0];
            if (role && policy) views.get(role.urn)!.documents.push(docOf(policy));
        });
    }
    return { views: [...views.values(), ...orphans], undecided };
}

/** Managed policies by their `name` as it is (an attachment compares it to the name in an ARN, undefined included). */
const BY_MANAGED_NAME: JoinKey = { name: "managed-name", keysOf: (p) => [p.props.name] };

/** One Allow statement of a role with the exact Kinesis actions it grants (wildcards are iam-streaming-least-privilege's). */
export interface KinesisGrant {
    holder: PolicyResource;
    statement: Statement;
    index: number;
    actions: string[];
}

export function kinesisGrants(view: RoleView): KinesisGrant[] {
    return view.documents.flatMap((d) =>
        d.statements().flatMap((s, index) => {
            if (s.Effect !== "Allow") return [];
            const actions = list(s.Action).filter((a) => typeof a === "string" && /^kinesis:/i.test(a) && !a.includes("*"));
            return actions.length > 0 ? [{ holder: d.holder, statement: s, index, actions }] : [];
        }),
    );
}

/** The queue (or topic, bucket) an event source mapping sends failed batches' records or metadata to. */
export function onFailureDestination(esm: PolicyResource): unknown {
    return at(esm.props.destinationConfig, "onFailure", "destinationArn");
}
