import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { remediateResourceOfType, validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { rawProps } from "../common";

export const dynamodbTableDeletionProtection: PackPolicy<ResourceValidationPolicy> = {
    policy: {
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
    },
    severity: "medium",
    topics: ["resilience"],
    controls: [{ framework: "Security Hub", id: "DynamoDB.6", coverage: "full" }],
    details:
        "Every table has `deletionProtectionEnabled`, so a stray destroy cannot drop it. Advisory in code (the program protects tables only where " +
        "`deletionProtection` is set); prod raises it to mandatory, dev's disposable tables disable it, staging's unprotected results table keeps it " +
        "advisory.",
    remediation: "Set deletionProtectionEnabled to true (the program's deletionProtection setting).",
    autoRemediation: "turns it on",
};
