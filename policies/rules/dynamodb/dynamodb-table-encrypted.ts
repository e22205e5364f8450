import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { isAwsManagedKey } from "../common";

export const dynamodbTableEncrypted: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "dynamodb-table-encrypted",
        description:
            "DynamoDB tables must use server-side encryption with a customer-managed KMS key (serverSideEncryption enabled with kmsKeyArn), not the " +
            "AWS-owned or AWS-managed key. Controls: Checkov CKV_AWS_119.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.dynamodb.Table, (table, _args, report) => {
            const sse = table.serverSideEncryption;
            if (sse?.enabled !== true) report("serverSideEncryption is not enabled (AWS-owned key); enable it with the stack's key as kmsKeyArn.");
            else if (!sse.kmsKeyArn || isAwsManagedKey(sse.kmsKeyArn)) report("serverSideEncryption has no customer-managed kmsKeyArn (aws/dynamodb); set the stack's key.");
        }),
    },
    severity: "high",
    topics: ["encryption"],
    controls: [{ framework: "Checkov", id: "CKV_AWS_119", coverage: "full" }],
    details: "Every table has `serverSideEncryption` enabled with a customer-managed `kmsKeyArn`, not the AWS-owned or AWS-managed (`aws/dynamodb`) key.",
    remediation: "Enable serverSideEncryption with kmsKeyArn set to the stack's customer-managed key.",
};
