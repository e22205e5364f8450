import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { at, dependentsOn, forEachDecidable, type JoinKey, linksOf, list } from "../common";
import { functionOfEsm, ofType, streamOfConsumer, TYPE } from "../graph";
import { deadLetterQueues } from "../sqs/shared";
import { forEachMapping } from "./shared";

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
    const byDimension: JoinKey = { name: `dimension:${dimension}`, keysOf: (a) => alarmMetrics(a).map((m) => at(m.dimensions, dimension)) };
    return dependentsOn(target, ["dimensions", "metricQueries"], alarms, byDimension, () => [name()]).filter((a) =>
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
export const pipelineAlarms: PackPolicy<StackValidationPolicy> = {
    policy: {
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
                lagCheck(
                    `enhanced fan-out consumer ${consumer.name}`,
                    consumer.urn,
                    "AWS/Kinesis SubscribeToShardEvent.MillisBehindLatest",
                    found,
                    streamOfConsumer(consumer, streams),
                );
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
    },
    severity: "medium",
    topics: ["monitoring"],
    controls: [{ framework: "Security Hub", id: "CloudWatch.15", coverage: "partial", note: "alarm actions; the alarms themselves are pack-specific" }],
    details:
        "Stack rule 3 (the stream's own iterator-age alarm is `kinesis-stream-iterator-age-alarm`'s): every consumer has a lag alarm (a mapping's " +
        "function: `AWS/Lambda` `IteratorAge` on its `FunctionName`; an enhanced fan-out consumer no mapping reads, e.g. a KCL application's: " +
        "`AWS/Kinesis` `SubscribeToShardEvent.MillisBehindLatest` on its `ConsumerName`) within `maxThresholdShareOfRetention` of its stream's " +
        "retention; every on-failure or dead-letter queue a depth alarm (`ApproximateNumberOfMessagesVisible` or `ApproximateAgeOfOldestMessage`); " +
        "every Firehose a freshness alarm (`DeliveryTo*.DataFreshness`); each with an alarm action. Alarms are joined by their `dimensions` (or " +
        "`metricQueries`) dependencies, else the dimension values.",
    remediation: "Add the missing lag, queue-depth or freshness alarm, with an alarm action and a threshold within maxThresholdShareOfRetention of the " + "retention.",
};
