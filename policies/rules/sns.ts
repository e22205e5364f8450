import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isAwsManagedKey } from "./common";

/** Alert payloads name streams, users and amounts: encrypt them, with a key CloudWatch may use. */
export function snsTopicEncrypted(): ResourceValidationPolicy {
    return {
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
    };
}
