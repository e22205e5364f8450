import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsContext } from "../lib/aws-context";
import { policyDocument, type PolicyStatement } from "../lib/iam";
import { type ArgsOverrides, mergeArgs } from "../lib/merge-args";

export interface EncryptionKeyArgs {
    /**
     * Adopt this customer-managed key instead of creating one. Its key policy is its owner's job and
     * must hold the statements `keyPolicy` writes for CloudWatch alarms and CloudWatch Logs (README,
     * "Adopting a key"): @pulumi/aws has no data source that reads a key policy, so it is not checked here.
     */
    existingKeyArn?: string;
    /** Alias of a created key, without `alias/`: project-prefixed, so two projects' `prod` keys never collide. */
    aliasName?: string;
    /** Waiting period before a deleted key is destroyed. @default 30 */
    deletionWindowDays?: number;
    context: AwsContext;
    tags: Record<string, string>;
    /** Pulumi `protect`: the key guards all data of the stack. @default false */
    protect?: boolean;
    /**
     * Any other `aws.kms.Key` argument of a created key (README, "Overriding resource arguments"); a
     * replaced `policy` must keep `keyPolicy`'s statements. Forced: `enableKeyRotation`. @default {}
     */
    keyArgs?: ArgsOverrides<aws.kms.KeyArgs>;
}

/**
 * The stack's customer-managed KMS key (rotation on), shared by the stream, the alerts topic and
 * later the queues, table, bucket and log groups, so one key policy says who may read the data.
 */
export class EncryptionKey extends pulumi.ComponentResource {
    public readonly keyArn: pulumi.Output<string>;
    /** The key when this stack created it; undefined when an existing key was adopted. */
    public readonly key?: aws.kms.Key;

    constructor(name: string, args: EncryptionKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("streaming:kms:EncryptionKey", name, {}, opts);
        if (args.existingKeyArn !== undefined && args.deletionWindowDays !== undefined) {
            throw new Error("Provide either existingKeyArn or deletionWindowDays, not both");
        }
        if (args.existingKeyArn !== undefined && args.keyArgs !== undefined) {
            throw new Error("Provide either existingKeyArn or keyArgs, not both: keyArgs applies to a key this stack creates");
        }
        if (args.existingKeyArn !== undefined) {
            this.keyArn = pulumi.output(args.existingKeyArn);
        } else {
            const { accountId, region, partition } = args.context;
            this.key = new aws.kms.Key(
                name,
                mergeArgs<aws.kms.KeyArgs>(
                    {
                        description: `Customer-managed key for the ${name} streaming pipeline (stream, alerts, queues, table, bucket, logs)`,
                        enableKeyRotation: true,
                        deletionWindowInDays: args.deletionWindowDays ?? 30,
                        policy: pulumi.jsonStringify(keyPolicy({ accountId, region, partition })),
                        tags: args.tags,
                    },
                    args.keyArgs,
                    ["enableKeyRotation"],
                    { component: "EncryptionKey", arg: "keyArgs", resource: this },
                ),
                { parent: this, protect: args.protect ?? false },
            );
            new aws.kms.Alias(name, { name: `alias/${args.aliasName ?? name}`, targetKeyId: this.key.keyId }, { parent: this });
            this.keyArn = this.key.arn;
        }
        this.registerOutputs({ keyArn: this.keyArn });
    }
}

/**
 * Key policy: the account administers the key through IAM (so roles need explicit grants);
 * CloudWatch may use it to publish alarms to the encrypted topic (it cannot use `aws/sns`);
 * SNS may send to the encrypted queue of undelivered alerts; CloudWatch Logs may encrypt this account's log groups; Kinesis, SNS, SQS, DynamoDB and S3
 * use it on behalf of callers who hold IAM grants (no service-wide access).
 */
export function keyPolicy(ctx: { accountId: pulumi.Input<string>; region: pulumi.Input<string>; partition: pulumi.Input<string> }) {
    const root = pulumi.interpolate`arn:${ctx.partition}:iam::${ctx.accountId}:root`;
    // A service encrypting for resources of this account only (the confused-deputy guard).
    const serviceEncryptsForAccount = (Sid: string, service: string): PolicyStatement => ({
        Sid,
        Effect: "Allow",
        Principal: { Service: service },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
        Condition: { StringEquals: { "aws:SourceAccount": ctx.accountId } },
    });
    return policyDocument(
        {
            Sid: "AccountAdministersKeyThroughIam",
            Effect: "Allow",
            Principal: { AWS: root },
            Action: "kms:*",
            Resource: "*",
        },
        serviceEncryptsForAccount("CloudWatchAlarmsPublishToEncryptedTopic", "cloudwatch.amazonaws.com"),
        {
            Sid: "CloudWatchLogsEncryptAccountLogGroups",
            Effect: "Allow",
            Principal: { Service: pulumi.interpolate`logs.${ctx.region}.amazonaws.com` },
            Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            Resource: "*",
            Condition: {
                ArnLike: { "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:${ctx.partition}:logs:${ctx.region}:${ctx.accountId}:log-group:*` },
            },
        },
        // SNS documents this for an encrypted SQS dead-letter queue of a subscription (the alerts' undelivered queue).
        serviceEncryptsForAccount("SnsSendsToEncryptedQueues", "sns.amazonaws.com"),
    );
}
