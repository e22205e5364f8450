import type { StackValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { forEachDecidable } from "../common";
import { deadLetterQueues, DEFAULT_REPLAY_WINDOW_HOURS } from "./shared";

/** What SQS keeps a message when messageRetentionSeconds is not set: 4 days. */
export const SQS_DEFAULT_RETENTION_SECONDS = 345_600;

/**
 * A stack policy: the metadata of a failed batch is all an operator has to replay it from the
 * stream, so the queue must keep it at least as long as the replay window.
 */
export const sqsDlqRetention: PackPolicy<StackValidationPolicy> = {
    policy: {
        name: "sqs-dlq-retention",
        description:
            "SQS queues used as on-failure destinations or dead-letter queues must keep messages at least replayWindowHours (default 72): " +
            "a failed batch's metadata is what an operator replays it from. Controls: pack-specific (no Security Hub, AWS Config, cdk-nag or Checkov check).",
        enforcementLevel: "mandatory",
        configSchema: { properties: { replayWindowHours: { type: "integer", minimum: 1, maximum: 336, default: DEFAULT_REPLAY_WINDOW_HOURS } } },
        validateStack: (args, report) => {
            const window = args.getConfig<{ replayWindowHours?: number }>().replayWindowHours ?? DEFAULT_REPLAY_WINDOW_HOURS;
            forEachDecidable(deadLetterQueues(args.resources), (queue) => {
                const seconds = (queue.props.messageRetentionSeconds as number | undefined) ?? SQS_DEFAULT_RETENTION_SECONDS;
                if (seconds < window * 3600) {
                    report(
                        `queue ${queue.name} keeps failed-batch messages ${seconds} s; the ${window} h replay window needs messageRetentionSeconds of at least ${window * 3600}.`,
                        queue.urn,
                    );
                }
            });
        },
    },
    severity: "medium",
    topics: ["resilience"],
    controls: [],
    details:
        "A stack policy: queues the stack uses as event source mapping on-failure destinations (`destinationConfig`) or redrive dead-letter queues " +
        "(`redrivePolicy`) keep messages (`messageRetentionSeconds`, absent: SQS's 4 days) at least `replayWindowHours`: the metadata is what an " +
        "operator replays the batch from.",
    remediation: "Set messageRetentionSeconds of the failure queue to at least replayWindowHours.",
};
