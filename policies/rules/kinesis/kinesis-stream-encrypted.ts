import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";

/** Every stream encrypts records at rest with KMS. */
export const kinesisStreamEncrypted: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "kinesis-stream-encrypted",
        description:
            "Kinesis streams must use server-side encryption with KMS (encryptionType KMS and a key). " +
            "Controls: Security Hub Kinesis.1, cdk-nag AwsSolutions-KDS1, Checkov CKV_AWS_43.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.kinesis.Stream, (stream, _args, report) => {
            if (stream.encryptionType !== "KMS") {
                report(`encryptionType is ${JSON.stringify(stream.encryptionType ?? "NONE")}; set encryptionType "KMS" with kmsKeyId.`);
            } else if (!stream.kmsKeyId) {
                report("encryptionType is KMS but kmsKeyId is empty; set kmsKeyId to the stack's key.");
            }
        }),
    },
    severity: "high",
    topics: ["encryption"],
    controls: [
        { framework: "Security Hub", id: "Kinesis.1", coverage: "full" },
        { framework: "cdk-nag", id: "AwsSolutions-KDS1", coverage: "full" },
        { framework: "Checkov", id: "CKV_AWS_43", coverage: "full" },
    ],
    details:
        'Every `aws.kinesis.Stream` has `encryptionType: "KMS"` and a `kmsKeyId`. Records at rest are otherwise readable by anyone with access to the ' +
        "storage, and Kinesis defaults to `NONE`.",
    remediation: 'Set encryptionType "KMS" and kmsKeyId to the stack\'s customer-managed key.',
};
