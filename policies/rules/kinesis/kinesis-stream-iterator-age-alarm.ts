import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { at, dependentsOn, isUnknownValueError, type JoinKey, refersTo } from "../common";

export const DEFAULT_MAX_ITERATOR_AGE_SHARE = 0.5;

const ITERATOR_AGE = "GetRecords.IteratorAgeMilliseconds";

/** Alarms by the stream their StreamName dimension names. */
const BY_STREAM_DIMENSION: JoinKey = { name: "dimension:StreamName", keysOf: (a) => [at(a.props.dimensions, "StreamName")] };

/**
 * A stack policy: a stream nobody watches loses data silently once consumers fall behind by more
 * than the retention. Each stream needs an iterator-age alarm on its StreamName, with an action,
 * whose threshold leaves time to react (at most a share of the retention).
 */
export const kinesisStreamIteratorAgeAlarm: PackPolicy<StackValidationPolicy> = {
    policy: {
        name: "kinesis-stream-iterator-age-alarm",
        description:
            "Every Kinesis stream must have a CloudWatch alarm on GetRecords.IteratorAgeMilliseconds for its StreamName, with an alarm action (and actions enabled), " +
            "and a threshold of at most maxThresholdShareOfRetention (default 0.5) of the retention. " +
            "Controls: CloudWatch.15 (alarm actions); AWS Solutions Constructs iterator-age alarm.",
        enforcementLevel: "mandatory",
        configSchema: {
            properties: { maxThresholdShareOfRetention: { type: "number", minimum: 0.01, maximum: 1, default: DEFAULT_MAX_ITERATOR_AGE_SHARE } },
        },
        validateStack: (args, report) => {
            const share = args.getConfig<{ maxThresholdShareOfRetention?: number }>().maxThresholdShareOfRetention ?? DEFAULT_MAX_ITERATOR_AGE_SHARE;
            const alarms = args.resources.filter((r) => r.isType(aws.cloudwatch.MetricAlarm));
            for (const stream of args.resources.filter((r) => r.isType(aws.kinesis.Stream))) {
                const props = stream.asType(aws.kinesis.Stream)!;
                const maxMs = (props.retentionPeriod ?? 24) * 3_600_000 * share;
                // In preview a name can be unknown: an alarm the dependencies do not link is then undecided,
                // and if no alarm is linked the unknown is rethrown (the engine reports it) rather than guessed.
                let undecided: unknown;
                const near = dependentsOn(stream, "dimensions", alarms, BY_STREAM_DIMENSION, () => [props.name]);
                const watching = near.filter((a) => {
                    const p = a.asType(aws.cloudwatch.MetricAlarm)!;
                    if (p.metricName !== ITERATOR_AGE || p.namespace !== "AWS/Kinesis") return false;
                    try {
                        return refersTo(a, "dimensions", stream, () => props.name !== undefined && p.dimensions?.StreamName === props.name);
                    } catch (e) {
                        if (!isUnknownValueError(e)) throw e;
                        undecided ??= e;
                        return false;
                    }
                });
                if (watching.length === 0 && undecided !== undefined) throw undecided;
                if (watching.length === 0) {
                    report(`stream ${stream.name} has no ${ITERATOR_AGE} alarm on its StreamName.`, stream.urn);
                    continue;
                }
                const good = watching.filter((a) => {
                    const p = a.asType(aws.cloudwatch.MetricAlarm)!;
                    return (p.alarmActions ?? []).length > 0 && p.actionsEnabled !== false && (p.threshold ?? Infinity) <= maxMs;
                });
                if (good.length === 0) {
                    report(
                        `stream ${stream.name}: its iterator-age alarm needs an alarm action and a threshold of at most ${maxMs} ms (${share} of ${props.retentionPeriod ?? 24} h retention).`,
                        stream.urn,
                    );
                }
            }
        },
    },
    severity: "medium",
    topics: ["monitoring"],
    controls: [
        { framework: "Security Hub", id: "CloudWatch.15", coverage: "partial", note: "alarm actions" },
        { framework: "AWS Solutions Constructs", id: "iterator-age alarm", coverage: "full" },
    ],
    details:
        "A stack policy: every stream has a CloudWatch alarm on `AWS/Kinesis` `GetRecords.IteratorAgeMilliseconds` for its `StreamName`, with at " +
        "least one `alarmActions` entry (actions enabled) and a `threshold` of at most `maxThresholdShareOfRetention` of the retention. Consumers " +
        "that fall further behind than the retention lose records silently; the alarm must fire while there is still time to act. An alarm on another " +
        "metric, another namespace or another stream does not count.",
    remediation:
        "Add a CloudWatch alarm on AWS/Kinesis GetRecords.IteratorAgeMilliseconds for the stream's StreamName with an alarm action and a threshold " +
        "within maxThresholdShareOfRetention of the retention.",
};
