import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { isAwsManagedKey } from "../common";

/** Encryption with a key the account controls, not the AWS-managed `aws/kinesis`. */
export const kinesisStreamCustomerKey: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "kinesis-stream-customer-key",
        description:
            "Kinesis streams must be encrypted with a customer-managed KMS key, not alias/aws/kinesis, so the key " +
            "policy decides who reads the data and rotation is the account's choice. Controls: cdk-nag AwsSolutions-KDS3, Checkov CKV_AWS_185.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.kinesis.Stream, (stream, _args, report) => {
            // An absent key with KMS on is kinesis-stream-encrypted's finding; only a named AWS key is this rule's.
            if (stream.encryptionType === "KMS" && stream.kmsKeyId && isAwsManagedKey(stream.kmsKeyId)) {
                report(`kmsKeyId ${JSON.stringify(stream.kmsKeyId ?? "")} is the AWS-managed key; use a customer-managed key.`);
            }
        }),
    },
    severity: "medium",
    topics: ["encryption"],
    controls: [
        { framework: "cdk-nag", id: "AwsSolutions-KDS3", coverage: "full" },
        { framework: "Checkov", id: "CKV_AWS_185", coverage: "full" },
    ],
    details:
        "The stream's key is a customer-managed key, not `alias/aws/kinesis` (alias or alias ARN, any partition): only then does the key policy " +
        "decide who may decrypt the records, and rotation is the account's choice.",
    remediation: "Set kmsKeyId to a customer-managed key of the stack instead of alias/aws/kinesis.",
};
