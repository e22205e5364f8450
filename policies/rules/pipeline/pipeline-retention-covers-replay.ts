import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { forEachDecidable } from "../common";
import { ofType, onFailureDestination, TYPE } from "../graph";
import { DEFAULT_REPLAY_WINDOW_HOURS } from "../sqs/shared";
import { forEachMapping, PACK_SPECIFIC } from "./shared";

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
export const pipelineRetentionCoversReplay: PackPolicy<StackValidationPolicy> = {
    policy: {
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
    },
    severity: "high",
    topics: ["resilience"],
    controls: [],
    details:
        "Stack rule 2: a stream keeps records at least the longest `maximumRecordAgeInSeconds` of the mappings reading it plus `replayWindowHours`. " +
        "An SQS or SNS on-failure destination receives only the failed batch's shard and sequence numbers, so the records must still be in the stream " +
        "when someone replays them; mappings whose on-failure destination is S3 (which receives the records) are exempt, a mapping without a record " +
        "age limit is reported.",
    remediation: "Raise the stream's retentionPeriod, or lower the mappings' maximumRecordAgeInSeconds, so the retention covers the record age plus " + "replayWindowHours.",
};
