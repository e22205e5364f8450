import type { StackValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import {
    deniesInsecureTransport,
    dependentsOn,
    forEachDecidable,
    isEveryone,
    linkedOrThrow,
    list,
    orIfUnknown,
    someDecidable,
    type Statement,
    statementLabel,
    statementsOf,
} from "../common";
import { ofType, TYPE } from "../graph";

/** The queue name at the end of a queue URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`). */
const queueNameOfUrl = (url: unknown): string | undefined => (typeof url === "string" ? /\/\d{12}\/([^/]+)$/.exec(url)?.[1] : undefined);

/** What an Allow statement grants too widely: everyone without a condition, or every SQS action. */
function tooWide(s: Statement): string | undefined {
    if (s.Effect !== "Allow") return undefined;
    if (isEveryone(s.Principal) && s.Condition === undefined) return "allows everyone without a condition";
    if (s.NotPrincipal !== undefined) return "allows everyone but its NotPrincipal";
    if (list(s.Action).some((a) => a === "*" || String(a).toLowerCase() === "sqs:*")) return "allows every SQS action";
    return undefined;
}

/**
 * A stack policy: the on-failure queues are the only record of which batches to replay, so their
 * policy refuses clear-text requests and opens them to nobody; every other queue is held to the same.
 */
export const sqsQueuePolicy: PackPolicy<StackValidationPolicy> = {
    policy: {
        name: "sqs-queue-policy",
        description:
            'SQS queues must have a queue policy (aws.sqs.QueuePolicy or the inline policy) that denies sqs:SendMessage to everyone when "aws:SecureTransport" is false, ' +
            "and no Allow to everyone without a condition, to everyone but a NotPrincipal, or of every SQS action. Controls: cdk-nag AwsSolutions-SQS4, " +
            "Checkov CKV_AWS_168, CKV_AWS_387, CKV_AWS_72.",
        enforcementLevel: "mandatory",
        validateStack: (args, report) => {
            const policies = ofType(args.resources, TYPE.queuePolicy);
            forEachDecidable(ofType(args.resources, TYPE.queue), (queue) => {
                const near = dependentsOn(queue, "queueUrl", policies, { name: "queue-url", keysOf: (p) => [queueNameOfUrl(p.props.queueUrl)] }, () => [queue.props.name]);
                const linked = near.filter((p) => linkedOrThrow(p, "queueUrl", [queue], () => queueNameOfUrl(p.props.queueUrl) === queue.props.name).length > 0);
                const documents: (() => unknown)[] = linked.map((p) => () => p.props.policy);
                if (orIfUnknown(() => queue.props.policy !== undefined, true)) documents.push(() => queue.props.policy);
                if (documents.length === 0) {
                    report(`queue ${queue.name} has no queue policy; attach one that denies sqs:* when aws:SecureTransport is false.`, queue.urn);
                    return;
                }
                forEachDecidable(documents, (d) => {
                    (statementsOf(d()) ?? []).forEach((s, i) => {
                        const why = tooWide(s);
                        if (why) report(`the policy of queue ${queue.name} ${why} (statement ${statementLabel(s, i)}); name the principals and actions.`, queue.urn);
                    });
                });
                const tlsOnly = someDecidable(documents, (d) => (statementsOf(d()) ?? []).some((s) => deniesInsecureTransport(s, "sqs:SendMessage")));
                if (!tlsOnly) report(`the policy of queue ${queue.name} does not deny sqs:SendMessage when aws:SecureTransport is false.`, queue.urn);
            });
        },
    },
    severity: "high",
    topics: ["network", "permissions"],
    controls: [
        { framework: "cdk-nag", id: "AwsSolutions-SQS4", coverage: "full" },
        {
            framework: "Checkov",
            id: "CKV_AWS_168",
            coverage: "partial",
            note: "an Allow to everyone passes when it has any condition; whether the condition really narrows it is not judged",
        },
        {
            framework: "Checkov",
            id: "CKV_AWS_387",
            coverage: "partial",
            note: "an Allow to everyone passes when it has any condition; whether the condition really narrows it (aws:SourceArn, aws:PrincipalOrgID) is not judged",
        },
        { framework: "Checkov", id: "CKV_AWS_72", coverage: "full" },
    ],
    details:
        "A stack policy: every `aws.sqs.Queue` has a policy (an `aws.sqs.QueuePolicy` joined by its `queueUrl` property dependency or the queue name at the end " +
        "of the URL, or the queue's inline `policy`) with a `Deny` of `sqs:SendMessage` (or `sqs:*`) to everyone when `aws:SecureTransport` is `false`, and " +
        "no `Allow` to everyone without a condition, with a `NotPrincipal`, or of `sqs:*`/`*`. The on-failure queues are the only record of which batches to " +
        "replay: nobody outside the account should read, purge or flood them.",
    remediation: "Attach an aws.sqs.QueuePolicy with a Deny of sqs:* to every principal when aws:SecureTransport is false, and name the principals and actions of every Allow.",
};
