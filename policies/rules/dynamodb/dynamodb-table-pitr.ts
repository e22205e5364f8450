import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { remediateResourceOfType, validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { rawProps } from "../common";

export const dynamodbTablePitr: PackPolicy<ResourceValidationPolicy> = {
    policy: {
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
    },
    severity: "medium",
    topics: ["resilience"],
    controls: [
        { framework: "Security Hub", id: "DynamoDB.2", coverage: "full" },
        { framework: "cdk-nag", id: "AwsSolutions-DDB3", coverage: "full" },
        { framework: "Checkov", id: "CKV_AWS_28", coverage: "full" },
    ],
    details: "Every `aws.dynamodb.Table` has `pointInTimeRecovery.enabled`: 35 days of restore points for the results and the KCL leases.",
    remediation: "Set pointInTimeRecovery.enabled to true.",
    autoRemediation: "turns it on",
};
