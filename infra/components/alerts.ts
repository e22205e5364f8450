import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AlertSubscription } from "../config";
import { alarmArgs, anyOccurrence } from "../lib/alarms";
import type { AwsContext } from "../lib/aws-context";
import { denyInsecureTransport, policyDocument } from "../lib/iam";
import { type ArgsOverrides, mergeArgs } from "../lib/merge-args";

export interface AlertsArgs {
    /** Customer-managed key: CloudWatch cannot publish to a topic on the AWS-managed `aws/sns` key. */
    kmsKeyArn: pulumi.Input<string>;
    /** Who hears the alerts: email addresses, https endpoints, SQS queues. @default [] */
    subscriptions?: AlertSubscription[];
    context: AwsContext;
    /**
     * Any other `aws.sns.Topic` argument (README, "Overriding resource arguments"). Forced:
     * `kmsMasterKeyId` (the stack's key). @default {}
     */
    topicArgs?: ArgsOverrides<aws.sns.TopicArgs>;
    tags: Record<string, string>;
}

/** An undelivered alert waits 14 days (SQS's maximum) for someone to read what the page said. */
const UNDELIVERED_RETENTION_SECONDS = 14 * 24 * 3600;

/**
 * The SNS topic every alarm and the pipeline's own alerts (fraud, scaling) publish to. With
 * subscriptions, each has a redrive policy to one encrypted queue of undelivered alerts (SNS
 * otherwise discards a message after its retries: a page lost without a trace), which only this
 * topic may send to, over TLS, and whose depth alarms.
 */
export class Alerts extends pulumi.ComponentResource {
    public readonly topic: aws.sns.Topic;
    /** Undelivered alerts; absent without subscriptions. */
    public readonly undelivered?: aws.sqs.Queue;

    constructor(name: string, args: AlertsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("streaming:sns:Alerts", name, {}, opts);
        this.topic = new aws.sns.Topic(
            name,
            mergeArgs<aws.sns.TopicArgs>({ kmsMasterKeyId: args.kmsKeyArn, tags: args.tags }, args.topicArgs, ["kmsMasterKeyId"], {
                component: "Alerts",
                arg: "topicArgs",
                resource: this,
            }),
            { parent: this },
        );

        new aws.sns.TopicPolicy(name, { arn: this.topic.arn, policy: pulumi.jsonStringify(topicPolicy(this.topic.arn, args.context)) }, { parent: this });

        const subscriptions = args.subscriptions ?? [];
        if (subscriptions.length > 0) {
            // SNS requires the dead-letter queue in the topic's account and region: this component's provider.
            const queue = new aws.sqs.Queue(
                `${name}-undelivered`,
                { kmsMasterKeyId: args.kmsKeyArn, kmsDataKeyReusePeriodSeconds: 300, messageRetentionSeconds: UNDELIVERED_RETENTION_SECONDS, tags: args.tags },
                { parent: this },
            );
            this.undelivered = queue;
            new aws.sqs.QueuePolicy(
                `${name}-undelivered`,
                { queueUrl: queue.url, policy: pulumi.jsonStringify(undeliveredQueuePolicy(queue.arn, this.topic.arn)) },
                { parent: this },
            );
            const redrivePolicy = pulumi.jsonStringify({ deadLetterTargetArn: queue.arn });
            for (const sub of subscriptions) {
                new aws.sns.TopicSubscription(
                    `${name}-${subscriptionKey(sub)}`,
                    { topic: this.topic.arn, protocol: sub.protocol, endpoint: sub.endpoint, redrivePolicy },
                    { parent: this },
                );
            }
            // Published to the same topic: a subscriber that fails (an https endpoint down) does not stop the others hearing it.
            new aws.cloudwatch.MetricAlarm(
                `${name}-undelivered`,
                alarmArgs(
                    {
                        ...anyOccurrence(
                            "Alerts could not be delivered to a subscriber: read them from the undelivered queue",
                            "AWS/SQS",
                            "ApproximateNumberOfMessagesVisible",
                            { QueueName: queue.name },
                            1,
                        ),
                        statistic: "Maximum",
                    },
                    this.topic.arn,
                    args.tags,
                ),
                { parent: this },
            );
        }
        this.registerOutputs({ topicArn: this.topic.arn });
    }
}

/** Only this topic may send to its queue of undelivered alerts (SNS documents aws:SourceArn), and only over TLS. */
export function undeliveredQueuePolicy(queueArn: pulumi.Input<string>, topicArn: pulumi.Input<string>) {
    return policyDocument(
        {
            Sid: "TopicSendsUndelivered",
            Effect: "Allow",
            Principal: { Service: "sns.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: queueArn,
            Condition: { ArnEquals: { "aws:SourceArn": topicArn } },
        },
        denyInsecureTransport("sqs:*", queueArn),
    );
}

/** A stable, readable resource-name suffix per subscription (not an index that shifts). */
export function subscriptionKey(sub: AlertSubscription): string {
    const slug = sub.endpoint
        .replace(/^https:\/\//, "")
        .replace(/^arn:[^:]+:sqs:[^:]+:\d+:/, "")
        .replace(/[^A-Za-z0-9]+/g, "-")
        .replace(/^-|-$/g, "");
    return `${sub.protocol}-${slug}`.toLowerCase().slice(0, 60);
}

/**
 * The account manages and publishes through IAM; CloudWatch alarms from this account may publish;
 * nobody may publish or subscribe without TLS.
 */
export function topicPolicy(topicArn: pulumi.Input<string>, ctx: Pick<AwsContext, "accountId" | "partition">) {
    return policyDocument(
        {
            Sid: "AccountManagesTopic",
            Effect: "Allow",
            Principal: { AWS: pulumi.interpolate`arn:${ctx.partition}:iam::${ctx.accountId}:root` },
            Action: ["sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:Publish"],
            Resource: topicArn,
        },
        {
            Sid: "CloudWatchAlarmsPublish",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
            Resource: topicArn,
            Condition: { StringEquals: { "aws:SourceAccount": ctx.accountId } },
        },
        denyInsecureTransport(["sns:Publish", "sns:Subscribe"], topicArn),
    );
}
