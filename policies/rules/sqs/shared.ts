// What several sqs policies use (the folder's index.ts says what the policies check).
import type { PolicyResource } from "@pulumi/policy";
import { arnName, candidatesFor, forEachDecidable, type JoinKey, linkedOrThrow } from "../common";
import { ofType, onFailureDestination, TYPE } from "../graph";

export const DEFAULT_REPLAY_WINDOW_HOURS = 72;

/** The queues the stack uses as failure destinations: event source mapping on-failure queues and redrive dead-letter queues. */
export function deadLetterQueues(resources: PolicyResource[]): PolicyResource[] {
    const queues = ofType(resources, TYPE.queue);
    const found = new Set<string>();
    forEachDecidable(ofType(resources, TYPE.esm), (esm) => {
        const near = candidatesFor(esm, "destinationConfig", queues, BY_QUEUE_NAME, () => queueNamesIn(onFailureDestination(esm)));
        for (const q of linkedOrThrow(esm, "destinationConfig", near, (c) => sameQueue(onFailureDestination(esm), c))) found.add(q.urn);
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
        const near = candidatesFor(source, "redrivePolicy", queues, BY_QUEUE_NAME, () => queueNamesIn(target()));
        for (const q of linkedOrThrow(source, "redrivePolicy", near, (c) => sameQueue(target(), c))) found.add(q.urn);
    });
    return queues.filter((q) => found.has(q.urn));
}

/** Queues by name, and the name a queue ARN holds (what `sameQueue` compares). */
const BY_QUEUE_NAME: JoinKey = { name: "queue-name", keysOf: (q) => [q.props.name] };
const queueNamesIn = (arn: unknown): unknown[] => (typeof arn === "string" && arn.includes(":sqs:") ? [arnName(arn)] : []);

function sameQueue(arn: unknown, queue: PolicyResource): boolean {
    const name = queue.props.name;
    return typeof name === "string" && typeof arn === "string" && arn.includes(":sqs:") && arnName(arn) === name;
}
