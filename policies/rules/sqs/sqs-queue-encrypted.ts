import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { isAwsManagedKey } from "../common";

export const sqsQueueEncrypted: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "sqs-queue-encrypted",
        description:
            "SQS queues must be encrypted with a customer-managed KMS key (kmsMasterKeyId), not SSE-SQS or alias/aws/sqs: failed-batch metadata names " +
            "shards and sequence numbers of the stream, and the key policy decides who reads it. Controls: Security Hub SQS.1, cdk-nag AwsSolutions-SQS2, Checkov CKV_AWS_27.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.sqs.Queue, (queue, _args, report) => {
            if (!queue.kmsMasterKeyId) {
                report(
                    queue.sqsManagedSseEnabled === true
                        ? "queue uses SSE-SQS; set kmsMasterKeyId to the stack's key."
                        : "kmsMasterKeyId is not set; encrypt the queue with the stack's key.",
                );
            } else if (isAwsManagedKey(queue.kmsMasterKeyId)) {
                report(`kmsMasterKeyId ${JSON.stringify(queue.kmsMasterKeyId)} is AWS-managed; use the stack's customer-managed key.`);
            }
        }),
    },
    severity: "high",
    topics: ["encryption"],
    controls: [
        { framework: "Security Hub", id: "SQS.1", coverage: "full" },
        { framework: "cdk-nag", id: "AwsSolutions-SQS2", coverage: "full" },
        { framework: "Checkov", id: "CKV_AWS_27", coverage: "full" },
    ],
    details:
        "Every `aws.sqs.Queue` is encrypted with a customer-managed `kmsMasterKeyId`, not SSE-SQS or `alias/aws/sqs`: a failed batch's metadata names " +
        "shards and sequence numbers, and the key policy decides who reads it.",
    remediation: "Set kmsMasterKeyId to the stack's customer-managed key (not SSE-SQS or alias/aws/sqs).",
};
