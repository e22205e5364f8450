// What several sqs policies use (the folder's index.ts says what the policies check).
import type { PolicyResource } from "@pulumi/policy";
import { arnName, forEachDecidable, linkedOrThrow } from "../common";
import { ofType, onFailureDestination, TYPE } from "../graph";

export const DEFAULT_REPLAY_WINDOW_HOURS = 72;

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
