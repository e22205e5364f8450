// DynamoDB tables of the pipeline (results, KCL leases): recoverable, encrypted with a key the
// account controls, not deletable by a stray `pulumi destroy` where it matters.
import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, remediateResourceOfType, validateResourceOfType } from "@pulumi/policy";
import { isAwsManagedKey, rawProps } from "./common";

export function dynamodbTablePitr(): ResourceValidationPolicy {
    return {
        name: "dynamodb-table-pitr",
        description:
            "DynamoDB tables must have point-in-time recovery on (35 days of restore points) (remediable: turns it on). " +
            "Controls: Security Hub DynamoDB.2, cdk-nag AwsSolutions-DDB3, Checkov CKV_AWS_28.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.dynamodb.Table, (table, _args, report) => {
            if (table.pointInTimeRecovery?.enabled !== true) report("pointInTimeRecovery is not enabled; set pointInTimeRecovery.enabled true.");
        }),
        remediateResource: remediateResourceOfType(aws.dynamodb.Table, (table) => {
            const raw = rawProps(table as Record<string, unknown>);
            const pitr = (typeof raw.pointInTimeRecovery === "object" && raw.pointInTimeRecovery !== null ? raw.pointInTimeRecovery : {}) as Record<string, unknown>;
            if (pitr.enabled === true) return undefined;
            return { ...raw, pointInTimeRecovery: { ...pitr, enabled: true } };
        }),
    };
}

export function dynamodbTableEncrypted(): ResourceValidationPolicy {
    return {
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
    };
}

export function dynamodbTableDeletionProtection(): ResourceValidationPolicy {
    return {
        name: "dynamodb-table-deletion-protection",
        description:
            "DynamoDB tables must have deletionProtectionEnabled (remediable: turns it on). Advisory unless an environment's config raises it (prod: mandatory), " +
            "since the program protects tables only where deletionProtection is set. Controls: Security Hub DynamoDB.6.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.dynamodb.Table, (table, _args, report) => {
            if (table.deletionProtectionEnabled !== true) report("deletionProtectionEnabled is not true; turn deletion protection on.");
        }),
        remediateResource: remediateResourceOfType(aws.dynamodb.Table, (table) => {
            const raw = rawProps(table as Record<string, unknown>);
            if (raw.deletionProtectionEnabled === true) return undefined;
            return { ...raw, deletionProtectionEnabled: true };
        }),
    };
}
