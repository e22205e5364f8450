import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { isAwsManagedKey } from "../common";

/** Alert payloads name streams, users and amounts: encrypt them, with a key CloudWatch may use. */
export const snsTopicEncrypted: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "sns-topic-encrypted",
        description:
            "SNS topics must be encrypted with a customer-managed KMS key: CloudWatch alarms cannot publish to a topic on the " +
            "AWS-managed alias/aws/sns key. Controls: Security Hub SNS.1, Checkov CKV_AWS_26.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.sns.Topic, (topic, _args, report) => {
            if (!topic.kmsMasterKeyId) report("kmsMasterKeyId is not set; encrypt the topic with the stack's customer-managed key.");
            else if (isAwsManagedKey(topic.kmsMasterKeyId)) {
                report(`kmsMasterKeyId ${JSON.stringify(topic.kmsMasterKeyId)} is AWS-managed; CloudWatch alarms cannot publish to it. Use a customer-managed key.`);
            }
        }),
    },
    severity: "high",
    topics: ["encryption"],
    controls: [
        { framework: "Security Hub", id: "SNS.1", coverage: "full" },
        { framework: "Checkov", id: "CKV_AWS_26", coverage: "full" },
    ],
    details:
        "Every `aws.sns.Topic` has a customer-managed `kmsMasterKeyId`. Alert payloads name streams and consumers; and CloudWatch alarms cannot " +
        "publish to a topic encrypted with the AWS-managed `alias/aws/sns`, so that key is reported too.",
    remediation: "Set kmsMasterKeyId to the stack's customer-managed key (not alias/aws/sns, which CloudWatch alarms cannot publish with).",
};
