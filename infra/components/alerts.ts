import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AlertSubscription } from "../config";
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

/** The SNS topic every alarm and the pipeline's own alerts (fraud, scaling) publish to. */
export class Alerts extends pulumi.ComponentResource {
    public readonly topic: aws.sns.Topic;

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

        for (const sub of args.subscriptions ?? []) {
            new aws.sns.TopicSubscription(`${name}-${subscriptionKey(sub)}`, { topic: this.topic.arn, protocol: sub.protocol, endpoint: sub.endpoint }, { parent: this });
        }
        this.registerOutputs({ topicArn: this.topic.arn });
    }
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
