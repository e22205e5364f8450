// Stack rules across services that none of the known packs (cdk-nag, Checkov, Security Hub, AWS
// Config, awsguard) have: how consumers fail, whether a failed batch can still be replayed, whether
// every moving part is watched, whether one key protects it all, whether the shards carry the
// declared load, and whether `pulumi up` leaves the autoscaler's shard count alone.
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { at, forEachDecidable, isStreamArnOf, isUnknownValueError, linksOf, list, orIfUnknown, someDecidable } from "./common";
import { functionOfEsm, kinesisGrants, kinesisSourceOf, ofType, onFailureDestination, roleViews, streamOfConsumer, TYPE } from "./graph";
import { DEFAULT_REPLAY_WINDOW_HOURS, deadLetterQueues } from "./sqs";

const PACK_SPECIFIC = "Controls: pack-specific (no Security Hub, AWS Config, cdk-nag or Checkov check)";

/** Every Kinesis event source mapping of the stack with its source. */
function kinesisMappings(resources: PolicyResource[]): { esm: PolicyResource; stream?: PolicyResource; consumer?: PolicyResource; external?: string }[] {
    const streams = ofType(resources, TYPE.stream);
    const consumers = ofType(resources, TYPE.streamConsumer);
    const out: { esm: PolicyResource; stream?: PolicyResource; consumer?: PolicyResource; external?: string }[] = [];
    forEachDecidable(ofType(resources, TYPE.esm), (esm) => {
        const source = kinesisSourceOf(esm, streams, consumers);
        if (source) out.push({ esm, ...source });
    });
    return out;
}

/** Runs `check` per mapping; mappings whose source is unknown in preview are rethrown after the others. */
function forEachMapping(resources: PolicyResource[], check: (m: ReturnType<typeof kinesisMappings>[number]) => void): void {
    let mappings: ReturnType<typeof kinesisMappings> = [];
    let unknown: unknown;
    try {
        mappings = kinesisMappings(resources);
    } catch (e) {
        if (!isUnknownValueError(e)) throw e;
        unknown = e;
    }
    forEachDecidable([...mappings, undefined], (m) => {
        if (m === undefined) {
            if (unknown !== undefined) throw unknown;
            return;
        }
        check(m);
    });
}

export const DEFAULT_MAX_RETRY_ATTEMPTS = 10;

/** Stack rule 1. */
export function pipelineEsmErrorHandling(): StackValidationPolicy {
    return {
        name: "pipeline-esm-error-handling",
        description:
            "Every Lambda event source mapping reading a Kinesis stream must bisect failing batches, bound retries (0 to maxRetryAttempts, default 10; -1 retries " +
            "until the record expires and blocks its shard), bound the record age, report partial failures (ReportBatchItemFailures) and send failed batches " +
            "to an on-failure destination. Controls: pack-specific (cdk-nag's serverless pack checks only the on-failure destination).",
        enforcementLevel: "mandatory",
        configSchema: { properties: { maxRetryAttempts: { type: "integer", minimum: 0, maximum: 10000, default: DEFAULT_MAX_RETRY_ATTEMPTS } } },
        validateStack: (args, report) => {
            const max = args.getConfig<{ maxRetryAttempts?: number }>().maxRetryAttempts ?? DEFAULT_MAX_RETRY_ATTEMPTS;
            forEachMapping(args.resources, ({ esm }) => {
                const p = esm.props;
                const say = (m: string) => report(`event source mapping ${esm.name} ${m}`, esm.urn);
                if (p.bisectBatchOnFunctionError !== true) say("does not bisect failing batches; set bisectBatchOnFunctionError true.");
                const retries = p.maximumRetryAttempts as number | undefined;
                if (retries === undefined || retries < 0) say(`retries a failing batch until its records expire (maximumRetryAttempts ${retries ?? "unset, -1"}); set 0 to ${max}.`);
                else if (retries > max) say(`has maximumRetryAttempts ${retries}; at most ${max} is allowed.`);
                const age = p.maximumRecordAgeInSeconds as number | undefined;
                if (age === undefined || age < 0) say(`keeps records of any age (maximumRecordAgeInSeconds ${age ?? "unset, -1"}); bound it (60 to 604800 s, below the retention).`);
                if (!list(p.functionResponseTypes as string[] | undefined).includes("ReportBatchItemFailures")) say("does not report partial batch failures; set functionResponseTypes [\"ReportBatchItemFailures\"].");
                // An unknown ARN (preview) is a destination to come, not a missing one.
                const destination = (esm.propertyDependencies.destinationConfig ?? []).length > 0 || orIfUnknown(() => Boolean(onFailureDestination(esm)), true);
                if (!destination) say("has no on-failure destination; set destinationConfig.onFailure so failed batches are recorded.");
            });
        },
    };
}

/** True when an event source mapping's on-failure destination is an S3 bucket (which receives the records themselves). */
function failsToS3(esm: PolicyResource, resources: PolicyResource[]): boolean {
    const buckets = ofType(resources, TYPE.bucket);
    if ((esm.propertyDependencies.destinationConfig ?? []).some((r) => buckets.some((b) => b.urn === r.urn))) return true;
    if ((esm.propertyDependencies.destinationConfig ?? []).length > 0) return false;
    const arn = onFailureDestination(esm);
    return typeof arn === "string" && /^arn:aws[a-z-]*:s3:::/.test(arn);
}

const hours = (seconds: number) => Math.round((seconds / 3600) * 100) / 100;

/** Stack rule 2. */
export function pipelineRetentionCoversReplay(): StackValidationPolicy {
    return {
        name: "pipeline-retention-covers-replay",
        description:
            "A stream's retention must cover the longest maximumRecordAgeInSeconds of the event source mappings reading it plus replayWindowHours (default 72): " +
            "an SQS or SNS on-failure destination receives only the failed batch's shard and sequence numbers, so the records must still be in the stream " +
            "when someone replays them. Mappings whose on-failure destination is S3 (which receives the records) are exempt. " +
            `${PACK_SPECIFIC}.`,
        enforcementLevel: "mandatory",
        configSchema: { properties: { replayWindowHours: { type: "integer", minimum: 1, maximum: 8760, default: DEFAULT_REPLAY_WINDOW_HOURS } } },
        validateStack: (args, report) => {
            const window = args.getConfig<{ replayWindowHours?: number }>().replayWindowHours ?? DEFAULT_REPLAY_WINDOW_HOURS;
            const worst = new Map<string, { stream: PolicyResource; esm: PolicyResource; age: number }>();
            forEachMapping(args.resources, ({ esm, stream }) => {
                if (!stream || failsToS3(esm, args.resources)) return;
                const age = esm.props.maximumRecordAgeInSeconds as number | undefined;
                const seconds = age === undefined || age < 0 ? Infinity : age;
                const prev = worst.get(stream.urn);
                if (!prev || seconds > prev.age) worst.set(stream.urn, { stream, esm, age: seconds });
            });
            forEachDecidable(worst.values(), ({ stream, esm, age }) => {
                const retention = (stream.props.retentionPeriod as number | undefined) ?? 24;
                if (age === Infinity) {
                    report(
                        `stream ${stream.name}: event source mapping ${esm.name} has no record age limit, so a failed batch may reach its on-failure destination when its records are about to expire, with no time to replay; bound maximumRecordAgeInSeconds.`,
                        stream.urn,
                    );
                } else if (hours(age) + window > retention) {
                    report(
                        `stream ${stream.name} keeps records ${retention} h, less than the ${hours(age)} h record age of event source mapping ${esm.name} plus the ${window} h replay window (${hours(age) + window} h); raise retentionPeriod or lower maximumRecordAgeInSeconds.`,
                        stream.urn,
                    );
                }
            });
        },
    };
}

/** The metrics an alarm watches: its own, or those of its metric queries, with the property that holds their dimensions. */
function alarmMetrics(alarm: PolicyResource): { namespace: unknown; metricName: unknown; dimensions: unknown; prop: string }[] {
    const p = alarm.props;
    const own = p.metricName !== undefined ? [{ namespace: p.namespace, metricName: p.metricName, dimensions: p.dimensions, prop: "dimensions" }] : [];
    const queries = list(p.metricQueries as unknown[]).flatMap((q) => {
        const m = at(q, "metric");
        return m === undefined ? [] : [{ namespace: at(m, "namespace"), metricName: at(m, "metricName"), dimensions: at(m, "dimensions"), prop: "metricQueries" }];
    });
    return [...own, ...queries];
}

/**
 * The alarms on `namespace`/`metric` (a name or a pattern) whose dimension `dimension` is `target`:
 * linked by property dependencies, or by `name` equal to the dimension's value.
 */
function alarmsOn(alarms: PolicyResource[], namespace: string, metric: string | RegExp, dimension: string, target: PolicyResource, name: () => unknown): PolicyResource[] {
    return alarms.filter((a) =>
        alarmMetrics(a).some((m) => {
            if (m.namespace !== namespace || !(typeof metric === "string" ? m.metricName === metric : metric.test(String(m.metricName)))) return false;
            const { linked, undecided } = linksOf(a, m.prop, [target], () => {
                const value = at(m.dimensions, dimension);
                const n = name();
                return typeof n === "string" && value === n;
            });
            if (linked.length > 0) return true;
            if (undecided !== undefined) throw undecided;
            return false;
        }),
    );
}

const hasAction = (a: PolicyResource) => list(a.props.alarmActions as unknown[]).length > 0 && a.props.actionsEnabled !== false;

/** Stack rule 3 (the stream's own iterator-age alarm is kinesis-stream-iterator-age-alarm's). */
export function pipelineAlarms(): StackValidationPolicy {
    return {
        name: "pipeline-alarms",
        description:
            "Every consumer must have a lag alarm (a Lambda event source mapping's function: AWS/Lambda IteratorAge; an enhanced fan-out consumer no mapping " +
            "reads: AWS/Kinesis SubscribeToShardEvent.MillisBehindLatest) with a threshold of at most maxThresholdShareOfRetention (default 0.5) of its stream's " +
            "retention, every on-failure or dead-letter queue a depth alarm (AWS/SQS ApproximateNumberOfMessagesVisible or ApproximateAgeOfOldestMessage), every " +
            "Firehose a freshness alarm (AWS/Firehose DeliveryTo*.DataFreshness), each with an alarm action. Controls: Security Hub CloudWatch.15 (alarm actions); " +
            "the alarms themselves are pack-specific.",
        enforcementLevel: "mandatory",
        configSchema: { properties: { maxThresholdShareOfRetention: { type: "number", minimum: 0.01, maximum: 1, default: 0.5 } } },
        validateStack: (args, report) => {
            const share = args.getConfig<{ maxThresholdShareOfRetention?: number }>().maxThresholdShareOfRetention ?? 0.5;
            const alarms = ofType(args.resources, TYPE.alarm);
            const functions = ofType(args.resources, TYPE.function);
            const streams = ofType(args.resources, TYPE.stream);
            const readByMapping = new Set<string>();
            const lagCheck = (subject: string, urn: string, metric: string, found: PolicyResource[], stream: PolicyResource | undefined) => {
                if (found.length === 0) {
                    report(`${subject} has no ${metric} alarm.`, urn);
                    return;
                }
                const retention = stream ? ((stream.props.retentionPeriod as number | undefined) ?? 24) : undefined;
                const maxMs = retention === undefined ? Infinity : retention * 3_600_000 * share;
                if (!found.some((a) => hasAction(a) && ((a.props.threshold as number | undefined) ?? Infinity) <= maxMs)) {
                    report(
                        retention === undefined
                            ? `${subject}: its ${metric} alarm has no alarm action.`
                            : `${subject}: its ${metric} alarm needs an alarm action and a threshold of at most ${maxMs} ms (${share} of ${retention} h retention).`,
                        urn,
                    );
                }
            };
            forEachMapping(args.resources, ({ esm, stream, consumer }) => {
                if (consumer) readByMapping.add(consumer.urn);
                const fn = functionOfEsm(esm, functions);
                if (!fn) {
                    report(`event source mapping ${esm.name} invokes a function this stack does not declare: its IteratorAge alarm cannot be checked.`, esm.urn);
                    return;
                }
                const found = alarmsOn(alarms, "AWS/Lambda", "IteratorAge", "FunctionName", fn, () => fn.props.name);
                lagCheck(`consumer ${esm.name} (function ${fn.name})`, esm.urn, "AWS/Lambda IteratorAge", found, stream);
            });
            forEachDecidable(ofType(args.resources, TYPE.streamConsumer), (consumer) => {
                if (readByMapping.has(consumer.urn)) return;
                const found = alarmsOn(alarms, "AWS/Kinesis", "SubscribeToShardEvent.MillisBehindLatest", "ConsumerName", consumer, () => consumer.props.name);
                lagCheck(`enhanced fan-out consumer ${consumer.name}`, consumer.urn, "AWS/Kinesis SubscribeToShardEvent.MillisBehindLatest", found, streamOfConsumer(consumer, streams));
            });
            forEachDecidable(deadLetterQueues(args.resources), (queue) => {
                const found = [
                    ...alarmsOn(alarms, "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", queue, () => queue.props.name),
                    ...alarmsOn(alarms, "AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", queue, () => queue.props.name),
                ];
                if (found.length === 0) report(`queue ${queue.name} receives failed batches but has no AWS/SQS ApproximateNumberOfMessagesVisible alarm.`, queue.urn);
                else if (!found.some(hasAction)) report(`queue ${queue.name}: its depth alarm has no alarm action.`, queue.urn);
            });
            forEachDecidable(ofType(args.resources, TYPE.firehose), (fh) => {
                const found = alarmsOn(alarms, "AWS/Firehose", /^DeliveryTo\w+\.DataFreshness$/, "DeliveryStreamName", fh, () => fh.props.name);
                if (found.length === 0) report(`delivery stream ${fh.name} has no AWS/Firehose DeliveryTo*.DataFreshness alarm.`, fh.urn);
                else if (!found.some(hasAction)) report(`delivery stream ${fh.name}: its freshness alarm has no alarm action.`, fh.urn);
            });
        },
    };
}

/** Where each kind of resource names its KMS key: the property (for its dependencies) and the values in it. */
const KEY_REFERENCES: { type: string | readonly string[]; prop: string; keys: (p: Record<string, unknown>) => unknown[] }[] = [
    { type: TYPE.stream, prop: "kmsKeyId", keys: (p) => (p.encryptionType === "KMS" ? [p.kmsKeyId] : []) },
    { type: TYPE.topic, prop: "kmsMasterKeyId", keys: (p) => [p.kmsMasterKeyId] },
    { type: TYPE.queue, prop: "kmsMasterKeyId", keys: (p) => [p.kmsMasterKeyId] },
    { type: TYPE.table, prop: "serverSideEncryption", keys: (p) => (at(p.serverSideEncryption, "enabled") === true ? [at(p.serverSideEncryption, "kmsKeyArn")] : []) },
    { type: TYPE.bucketEncryption, prop: "rules", keys: (p) => list(p.rules as unknown[]).map((r) => at(r, "applyServerSideEncryptionByDefault", "kmsMasterKeyId")) },
    { type: TYPE.logGroup, prop: "kmsKeyId", keys: (p) => [p.kmsKeyId] },
    { type: TYPE.firehose, prop: "extendedS3Configuration", keys: (p) => [at(p.extendedS3Configuration, "kmsKeyArn")] },
    { type: TYPE.firehose, prop: "serverSideEncryption", keys: (p) => [at(p.serverSideEncryption, "keyArn")] },
    { type: TYPE.function, prop: "kmsKeyArn", keys: (p) => [p.kmsKeyArn] },
];

/** Stack rule 4 (rotation of the stack's keys is kms-key-rotation's). */
export function pipelineKeyCoherence(): StackValidationPolicy {
    return {
        name: "pipeline-key-coherence",
        description:
            "Streams, topics, queues, tables, buckets, log groups, Firehoses and functions that name a KMS key must use a key declared in the stack (an " +
            "aws.kms.Key by dependency, ARN or key id, or an aws.kms.Alias of one by name or ARN), or one listed in externalKeyArns (an adopted key): one key policy then says who reads the " +
            "pipeline's data, and kms-key-rotation checks that it rotates. Controls: pack-specific (Security Hub KMS.4 and Checkov CKV_AWS_7 check the keys, not their use).",
        enforcementLevel: "mandatory",
        configSchema: { properties: { externalKeyArns: { type: "array", items: { type: "string" }, default: [] } } },
        validateStack: (args, report) => {
            const external = args.getConfig<{ externalKeyArns?: string[] }>().externalKeyArns ?? [];
            const keys = [...ofType(args.resources, TYPE.key), ...ofType(args.resources, TYPE.replicaKey)];
            const aliases = ofType(args.resources, TYPE.alias);
            const stackKeyUrns = new Set([...keys, ...aliases].map((k) => k.urn));
            // What a stack key is known by once created (the engine gives stack policies outputs): its ARN and key id.
            const keyIds = new Set(keys.flatMap((k) => [orIfUnknown(() => k.props.arn, undefined), orIfUnknown(() => k.props.keyId, undefined)]).filter((v) => typeof v === "string" && v !== ""));
            for (const ref of KEY_REFERENCES) {
                forEachDecidable(ofType(args.resources, ref.type), (r) => {
                    if ((r.propertyDependencies[ref.prop] ?? []).some((d) => stackKeyUrns.has(d.urn))) return;
                    for (const key of ref.keys(r.props)) {
                        if (key === undefined || key === null || key === "") continue;
                        const value = String(key);
                        if (external.includes(value)) continue;
                        // A key id alone, or the ARN of a stack key given as a literal (written by hand, or a StackReference).
                        if (keyIds.has(value)) continue;
                        const alias = /(^|:)(alias\/.+)$/.exec(value)?.[2];
                        if (alias && !alias.startsWith("alias/aws/") && someDecidable(aliases, (a) => a.props.name === alias)) continue;
                        report(`${r.name} uses KMS key ${JSON.stringify(value)}, which is not a key declared in this stack; use the stack's key (an adopted key goes in externalKeyArns).`, r.urn);
                    }
                });
            }
        },
    };
}

/** A stream's declared workload: its tags first, then the policy config. */
function workloadOf(stream: PolicyResource, config: Workload): Workload {
    const tags = (stream.props.tags ?? {}) as Record<string, unknown>;
    const tag = (k: string, fallback: number) => (tags[k] === undefined ? fallback : Number(tags[k]));
    return {
        recordsPerSecond: tag("workload:records-per-second", config.recordsPerSecond),
        averageRecordBytes: tag("workload:average-record-bytes", config.averageRecordBytes),
        sharedConsumers: tag("workload:shared-consumers", config.sharedConsumers),
    };
}

interface Workload {
    recordsPerSecond: number;
    averageRecordBytes: number;
    sharedConsumers: number;
}

export const WORKLOAD_DEFAULTS: Workload = { recordsPerSecond: 0, averageRecordBytes: 1024, sharedConsumers: 0 };
const MIB = 1_048_576;

/** The shards a workload needs: max(write bytes / 1 MiB/s, records / 1,000/s, read bytes x shared consumers / 2 MiB/s). */
export function shardsNeeded(w: Workload): { shards: number; byBytes: number; byRecords: number; byReads: number } {
    const bytes = w.recordsPerSecond * w.averageRecordBytes;
    const byBytes = Math.ceil(bytes / MIB);
    const byRecords = Math.ceil(w.recordsPerSecond / 1000);
    const byReads = Math.ceil((bytes * w.sharedConsumers) / (2 * MIB));
    return { shards: Math.max(1, byBytes, byRecords, byReads), byBytes, byRecords, byReads };
}

/** Stack rule 5. */
export function pipelineShardCapacity(): StackValidationPolicy {
    return {
        name: "pipeline-shard-capacity",
        description:
            "A provisioned stream with a declared workload (stream tags workload:records-per-second, workload:average-record-bytes, workload:shared-consumers, " +
            "else this policy's recordsPerSecond, averageRecordBytes, sharedConsumers) must have shardCount >= max(bytes / 1 MiB/s, records / 1,000/s, " +
            "bytes x shared consumers / 2 MiB/s); shared consumers are at least the mappings and Firehoses of the stack reading it without enhanced fan-out. " +
            `Not applicable when no workload is declared (recordsPerSecond 0). ${PACK_SPECIFIC}.`,
        enforcementLevel: "mandatory",
        configSchema: {
            properties: {
                recordsPerSecond: { type: "integer", minimum: 0, maximum: 10_000_000, default: WORKLOAD_DEFAULTS.recordsPerSecond },
                averageRecordBytes: { type: "integer", minimum: 1, maximum: 10_485_760, default: WORKLOAD_DEFAULTS.averageRecordBytes },
                sharedConsumers: { type: "integer", minimum: 0, maximum: 100, default: WORKLOAD_DEFAULTS.sharedConsumers },
            },
        },
        validateStack: (args, report) => {
            const c = args.getConfig<Partial<Workload>>();
            const config: Workload = {
                recordsPerSecond: c.recordsPerSecond ?? WORKLOAD_DEFAULTS.recordsPerSecond,
                averageRecordBytes: c.averageRecordBytes ?? WORKLOAD_DEFAULTS.averageRecordBytes,
                sharedConsumers: c.sharedConsumers ?? WORKLOAD_DEFAULTS.sharedConsumers,
            };
            const shared = new Map<string, number>();
            forEachMapping(args.resources, ({ stream, consumer }) => {
                if (stream && !consumer) shared.set(stream.urn, (shared.get(stream.urn) ?? 0) + 1);
            });
            const streams = ofType(args.resources, TYPE.stream);
            forEachDecidable(ofType(args.resources, TYPE.firehose), (fh) => {
                if (fh.props.kinesisSourceConfiguration === undefined) return;
                const { linked, undecided } = linksOf(fh, "kinesisSourceConfiguration", streams, (s) => isStreamArnOf(at(fh.props.kinesisSourceConfiguration, "kinesisStreamArn"), s.props.name as string));
                if (linked.length === 0 && undecided !== undefined) throw undecided;
                for (const s of linked) shared.set(s.urn, (shared.get(s.urn) ?? 0) + 1);
            });
            let declared = false;
            forEachDecidable(streams, (stream) => {
                const w = workloadOf(stream, config);
                if (!(w.recordsPerSecond > 0)) return;
                if ((at(stream.props.streamModeDetails, "streamMode") ?? "PROVISIONED") !== "PROVISIONED") return;
                declared = true;
                const counted = shared.get(stream.urn) ?? 0;
                const need = shardsNeeded({ ...w, sharedConsumers: Math.max(w.sharedConsumers, counted) });
                const shards = (stream.props.shardCount as number | undefined) ?? 0;
                if (shards < need.shards) {
                    report(
                        `stream ${stream.name} has ${shards} shards; the declared ${w.recordsPerSecond} records/s of ${w.averageRecordBytes} bytes with ${Math.max(w.sharedConsumers, counted)} shared-throughput consumers needs ${need.shards} ` +
                            `(${need.byBytes} for 1 MiB/s of writes per shard, ${need.byRecords} for 1,000 records/s per shard, ${need.byReads} for 2 MiB/s of shared reads per shard).`,
                        stream.urn,
                    );
                }
            });
            if (!declared) args.notApplicable("no provisioned stream has a declared workload");
        },
    };
}

/** Why a stream is autoscaled, or undefined: listed in config, or a role of the stack may call kinesis:UpdateShardCount on it. */
function autoscaledBecause(stream: PolicyResource, listed: string[], resources: PolicyResource[]): string | undefined {
    // The physical name is read only when it matters (it is unknown in the first preview).
    if (listed.includes(stream.name) || (listed.length > 0 && listed.includes(stream.props.name as string))) return "listed in autoscaledStreams";
    const { views, undecided } = roleViews(resources);
    let unknown: unknown = undecided;
    for (const view of views) {
        try {
            for (const g of kinesisGrants(view)) {
                if (!g.actions.some((a) => a.toLowerCase() === "kinesis:updateshardcount")) continue;
                if (list(g.statement.Resource).some((r) => r === "*" || isStreamArnOf(r, stream.props.name as string))) return `role ${view.label} may call kinesis:UpdateShardCount on it`;
            }
        } catch (e) {
            if (!isUnknownValueError(e)) throw e;
            // An unknown document only matters when it depends on this stream.
            if (view.documents.some((d) => (d.holder.propertyDependencies.policy ?? []).some((r) => r.urn === stream.urn))) unknown ??= e;
        }
    }
    if (unknown !== undefined) throw unknown;
    return undefined;
}

/** Stack rule 6. */
export function pipelineAutoscaledShardCount(): StackValidationPolicy {
    return {
        name: "pipeline-autoscaled-shard-count",
        description:
            'A provisioned stream that is autoscaled (a role of the stack may call kinesis:UpdateShardCount on it, or it is listed in autoscaledStreams) must ignore changes to shardCount (ignoreChanges: ["shardCount"]), ' +
            `or every pulumi up resets the shard count the autoscaler chose. ${PACK_SPECIFIC}.`,
        enforcementLevel: "mandatory",
        configSchema: { properties: { autoscaledStreams: { type: "array", items: { type: "string" }, default: [] } } },
        validateStack: (args, report) => {
            const listed = args.getConfig<{ autoscaledStreams?: string[] }>().autoscaledStreams ?? [];
            forEachDecidable(ofType(args.resources, TYPE.stream), (stream) => {
                if ((stream.opts.ignoreChanges ?? []).includes("shardCount")) return;
                const why = autoscaledBecause(stream, listed, args.resources);
                if (why && (at(stream.props.streamModeDetails, "streamMode") ?? "PROVISIONED") === "PROVISIONED") report(`stream ${stream.name} is autoscaled (${why}) but does not ignore changes to shardCount; set ignoreChanges: ["shardCount"] so pulumi up leaves the autoscaler's count alone.`, stream.urn);
            });
        },
    };
}
