// SQS queues of the pipeline hold the metadata of failed batches (event source mapping on-failure
// destinations) and dead letters: encrypted with the stack's key, kept long enough to replay.
import * as aws from "@pulumi/aws";
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import { arnName, forEachDecidable, isAwsManagedKey, linkedOrThrow } from "./common";
import { ofType, onFailureDestination, TYPE } from "./graph";

export const DEFAULT_REPLAY_WINDOW_HOURS = 72;
/** What SQS keeps a message when messageRetentionSeconds is not set: 4 days. */
export const SQS_DEFAULT_RETENTION_SECONDS = 345_600;

export function sqsQueueEncrypted(): ResourceValidationPolicy {
    return {
        name: "sqs-queue-encrypted",
        description:
            "SQS queues must be encrypted with a customer-managed KMS key (kmsMasterKeyId), not SSE-SQS or alias/aws/sqs: failed-batch metadata names " +
            "shards and sequence numbers of the stream, and the key policy decides who reads it. Controls: Security Hub SQS.1, cdk-nag AwsSolutions-SQS2, Checkov CKV_AWS_27.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.sqs.Queue, (queue, _args, report) => {
            if (!queue.kmsMasterKeyId) {
                report(queue.sqsManagedSseEnabled === true ? "queue uses SSE-SQS; set kmsMasterKeyId to the stack's key." : "kmsMasterKeyId is not set; encrypt the queue with the stack's key.");
            } else if (isAwsManagedKey(queue.kmsMasterKeyId)) {
                report(`kmsMasterKeyId ${JSON.stringify(queue.kmsMasterKeyId)} is AWS-managed; use the stack's customer-managed key.`);
            }
        }),
    };
}

/** The queues the stack uses as failure destinations: event source mapping on-failure queues and redrive dead-letter queues. */
export function deadLetterQueues(resources: PolicyResource[]): PolicyResource[] {
    const queues = ofType(resources, TYPE.queue);
    const found = new Set<string>();
    forEachDecidable(ofType(resources, TYPE.esm), (esm) => {
        for (const q of linkedOrThrow(esm, "destinationConfig", queues, (c) => sameQueue(onFailureDestination(esm), c))) found.add(q.urn);
    });
    forEachDecidable(queues, (source) => {
        const target = () => {
            const rp = source.props.redrivePolicy;
            if (rp === undefined) return undefined;
            try {
                return (typeof rp === "string" ? JSON.parse(rp) : rp)?.deadLetterTargetArn as unknown;
            } catch {
                return undefined;
            }
        };
        for (const q of linkedOrThrow(source, "redrivePolicy", queues, (c) => sameQueue(target(), c))) found.add(q.urn);
    });
    return queues.filter((q) => found.has(q.urn));
}

function sameQueue(arn: unknown, queue: PolicyResource): boolean {
    const name = queue.props.name;
    return typeof name === "string" && typeof arn === "string" && arn.includes(":sqs:") && arnName(arn) === name;
}

/**
 * A stack policy: the metadata of a failed batch is all an operator has to replay it from the
 * stream, so the queue must keep it at least as long as the replay window.
 */
export function sqsDlqRetention(): StackValidationPolicy {
    return {
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
                    report(`queue ${queue.name} keeps failed-batch messages ${seconds} s; the ${window} h replay window needs messageRetentionSeconds of at least ${window * 3600}.`, queue.urn);
                }
            });
        },
    };
}
