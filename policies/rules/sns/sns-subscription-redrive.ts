import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";

/** The dead-letter target a subscription's `redrivePolicy` names, or why it names none. */
function deadLetterTarget(redrivePolicy: string | undefined): { arn?: string; problem?: string } {
    if (redrivePolicy === undefined || redrivePolicy === "") return { problem: "has no redrivePolicy" };
    let target: unknown;
    try {
        target = (JSON.parse(redrivePolicy) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
    } catch {
        return { problem: "has a redrivePolicy that is not JSON" };
    }
    if (typeof target !== "string" || !/^arn:aws[a-z-]*:sqs:/.test(target)) return { problem: "has a redrivePolicy without an SQS deadLetterTargetArn" };
    return { arn: target };
}

/**
 * SNS discards a message it could not deliver (a client error at once, a server error after its
 * retries) unless the subscription has a dead-letter queue: an alert that never reached the pager
 * would leave no trace.
 */
export const snsSubscriptionRedrive: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "sns-subscription-redrive",
        description:
            "SNS topic subscriptions must have a redrivePolicy whose deadLetterTargetArn is an SQS queue, so a message SNS could not deliver is kept instead " +
            "of discarded. Controls: cdk-nag Serverless-SNSRedrivePolicy.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.sns.TopicSubscription, (sub, _args, report) => {
            const { problem } = deadLetterTarget(sub.redrivePolicy);
            if (problem) {
                report(
                    `${sub.protocol} subscription ${problem}; SNS discards what it cannot deliver. Set redrivePolicy to { deadLetterTargetArn: <an encrypted SQS queue only the topic may send to> }.`,
                );
            }
        }),
    },
    severity: "medium",
    topics: ["resilience", "monitoring"],
    controls: [{ framework: "cdk-nag", id: "Serverless-SNSRedrivePolicy", coverage: "full" }],
    details:
        "Every `aws.sns.TopicSubscription`, whatever its protocol (SNS attaches a dead-letter queue to any subscription; the queue must be in the " +
        "topic's account and region), has a `redrivePolicy` naming an SQS queue as `deadLetterTargetArn`. Without it SNS discards a message after a " +
        "client error at once and after a server error once its retries are spent: a page that never arrived leaves no trace. The queue itself is " +
        "held by `sqs-queue-encrypted` and `sqs-queue-policy`; the program gives it a policy that lets only its topic send (`aws:SourceArn`) and an alarm on its depth.",
    remediation:
        "Create an SQS queue encrypted with the stack's key (whose key policy lets sns.amazonaws.com use it), let only the topic send to it, and set each subscription's redrivePolicy to { deadLetterTargetArn: <its ARN> }.",
};
