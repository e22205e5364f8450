import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { attachedPolicyArns } from "./attachments";
import { list, statementsOf } from "../common";
import type { Statement } from "../common";

/** Why a statement gives more than a streaming role needs, or undefined when it does not. */
export function overGrant(s: Statement): string | undefined {
    if (s.Effect !== "Allow") return undefined;
    if (s.NotAction !== undefined) return "uses NotAction (allows everything it does not name)";
    const actions = list(s.Action).map(String);
    // Every service wildcard, and any wildcard in a Kinesis action (kinesis:Put* includes PutResourcePolicy).
    const wild = actions.filter((a) => a === "*" || /^[\w-]+:\*$/.test(a) || /^kinesis:.*\*/i.test(a));
    if (wild.length > 0) return `allows ${wild.join(", ")} (name the actions the role needs)`;
    const resources = list(s.Resource).map(String);
    if (resources.includes("*")) {
        // Account-level actions take no resource ARN: "*" is the only Resource they work with.
        const reads = actions.filter((a) => isOneOf(a, ACCOUNT_LEVEL_READS));
        const unneeded = actions.filter((a) => isOneOf(a, ACCOUNT_LEVEL_WRITES));
        const scoped = actions.filter((a) => /^(kinesis|kms):/i.test(a) && !isOneOf(a, [...ACCOUNT_LEVEL_READS, ...ACCOUNT_LEVEL_WRITES]));
        const findings: string[] = [];
        if (scoped.length > 0) {
            const keep =
                reads.length > 0
                    ? `; ${reads.join(", ")} take${reads.length === 1 ? "s" : ""} no resource ARN and may stay on "*" in a statement of ${reads.length === 1 ? "its" : "their"} own`
                    : "";
            findings.push(`allows ${scoped.join(", ")} on Resource "*" (scope them to the stream and key ARNs${keep})`);
        }
        if (unneeded.length > 0) findings.push(`allows ${unneeded.join(", ")} (account-level, not needed by a streaming role: remove ${unneeded.length === 1 ? "it" : "them"})`);
        if (findings.length > 0) return findings.join("; it also ");
    }
    const kinesis = actions.filter((a) => /^kinesis:/i.test(a));
    const wildArns = resources.filter((r) => r !== "*" && r.includes("*"));
    if (kinesis.length > 0 && wildArns.length > 0) {
        return `allows ${kinesis.join(", ")} on ${wildArns.map((r) => JSON.stringify(r)).join(", ")} (scope them to the stream ARNs)`;
    }
    return undefined;
}

/**
 * Kinesis and KMS actions with no resource-level permissions (no resource type in the IAM Service
 * Authorization Reference: they act on the account, so a statement must grant them on "*"). The reads
 * are harmless there; the writes change the account and no streaming role needs them.
 */
export const ACCOUNT_LEVEL_READS = ["kinesis:ListStreams", "kinesis:DescribeLimits", "kinesis:DescribeAccountSettings", "kms:ListKeys", "kms:ListAliases"];

export const ACCOUNT_LEVEL_WRITES = ["kinesis:UpdateAccountSettings", "kms:CreateKey", "kms:GenerateRandom"];

const isOneOf = (action: string, actions: string[]) => actions.some((a) => a.toLowerCase() === action.toLowerCase());

/** AWS-managed policies that grant a whole service or more: never on a streaming role. */
const BROAD_MANAGED_POLICY = /^arn:aws[a-z-]*:iam::aws:policy\/(.*\/)?(AdministratorAccess|PowerUserAccess|[A-Za-z0-9]+FullAccess)$/;

/**
 * Roles that touch the stream get exactly what they need: no wildcard actions, no Kinesis or KMS
 * action on every resource. A producer with `kinesis:*` on `*` can delete the stream of every team.
 */
export const iamStreamingLeastPrivilege: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "iam-streaming-least-privilege",
        description:
            'IAM role and managed policies must not allow wildcard actions (*, kinesis:*, kinesis:Put*, logs:*, ...), Kinesis/KMS actions on Resource "*" ' +
            "(the account-level reads kinesis:ListStreams, DescribeLimits, DescribeAccountSettings, kms:ListKeys and ListAliases take no resource ARN and are allowed there), " +
            "account-level writes no streaming role needs (kinesis:UpdateAccountSettings, kms:CreateKey, GenerateRandom) or Kinesis actions on wildcard ARNs, " +
            "and roles must not attach AWS-managed *FullAccess or administrator policies: scope producers to PutRecord(s) and consumers to read actions on the stream and key ARNs. " +
            "Controls: Security Hub IAM.1 and IAM.21, cdk-nag AwsSolutions-IAM4 / AwsSolutions-IAM5, Checkov CKV_AWS_111 / CKV_AWS_290.",
        enforcementLevel: "mandatory",
        validateResource: [
            (args, report) => {
                if (!args.isType(aws.iam.RolePolicy) && !args.isType(aws.iam.Policy)) return;
                const statements = statementsOf((args.props as { policy?: unknown }).policy);
                if (statements === undefined) {
                    report("policy is not a JSON policy document.");
                    return;
                }
                statements.forEach((s, i) => {
                    const why = overGrant(s);
                    if (why) report(`statement ${s.Sid ?? `#${i}`} ${why}.`);
                });
            },
            (args, report) => {
                for (const arn of attachedPolicyArns(args)) {
                    if (typeof arn === "string" && BROAD_MANAGED_POLICY.test(arn)) {
                        report(
                            `attaches the AWS-managed policy ${arn.slice(arn.lastIndexOf("/") + 1)}, which grants far more than a streaming role needs; write a scoped role policy.`,
                        );
                    }
                }
            },
        ],
    },
    severity: "high",
    topics: ["permissions"],
    controls: [
        { framework: "Security Hub", id: "IAM.1", coverage: "full" },
        { framework: "Security Hub", id: "IAM.21", coverage: "full" },
        {
            framework: "cdk-nag",
            id: "AwsSolutions-IAM4",
            coverage: "partial",
            note: "it reports every AWS-managed policy; this reports only *FullAccess, AdministratorAccess and PowerUserAccess (AWSLambdaBasicExecutionRole passes)",
        },
        {
            framework: "cdk-nag",
            id: "AwsSolutions-IAM5",
            coverage: "partial",
            note: 'wildcard actions for every service, Resource "*" for Kinesis and KMS actions; iam-policy-resource-scope reports other services\' writes on "*"',
        },
        {
            framework: "Checkov",
            id: "CKV_AWS_111",
            coverage: "partial",
            note: 'Kinesis and KMS actions on Resource "*" only; iam-policy-resource-scope reports other services\' writes on "*"',
        },
        {
            framework: "Checkov",
            id: "CKV_AWS_290",
            coverage: "partial",
            note: 'Kinesis and KMS writes on Resource "*" only; iam-policy-resource-scope reports other services\' writes on "*"',
        },
    ],
    details:
        "`aws.iam.RolePolicy` and `aws.iam.Policy` documents allow no service wildcard (`*`, `kinesis:*`, `logs:*`, ...), no wildcard in a Kinesis " +
        'action (`kinesis:Put*` includes `PutResourcePolicy`), no `NotAction`, no Kinesis or KMS action on `Resource: "*"` (except the account-level ' +
        'reads that take no resource ARN and can only be granted on `"*"`: `kinesis:ListStreams`, `DescribeLimits`, `DescribeAccountSettings`, ' +
        "`kms:ListKeys`, `ListAliases`; CloudWatch actions such as `GetMetricData` and `PutMetricData` are not checked), no account-level write a " +
        'streaming role does not need (`kinesis:UpdateAccountSettings`, `kms:CreateKey`, `GenerateRandom`: "remove it") and no Kinesis action on a ' +
        "wildcard ARN; roles attach no AWS-managed `*FullAccess`, `AdministratorAccess` or `PowerUserAccess` policy (`RolePolicyAttachment`, " +
        "`managedPolicyArns`). This covers every Lambda execution role.",
    remediation: "Name the exact actions and the stream, key or queue ARNs the role uses; replace broad AWS-managed policies with an inline policy.",
};
