import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { isEveryone, list, orIfUnknown, type Statement, statementLabel, statementsOf } from "../common";

/** The account of an ARN (`arn:aws:sns:us-east-1:123456789012:alerts`, `arn:aws:iam::123456789012:root`) or of a bare account id. */
const accountOf = (principal: unknown): string | undefined => (typeof principal === "string" ? /^(?:arn:aws[a-z-]*:[^:]+:[^:]*:)?(\d{12})(?::|$)/.exec(principal)?.[1] : undefined);

/** What an Allow of a topic policy opens too widely, when nothing in a Condition narrows it. */
function openness(s: Statement, owner: string | undefined): string | undefined {
    if (s.Effect !== "Allow" || s.Condition !== undefined) return undefined;
    if (isEveryone(s.Principal)) return "allows everyone";
    if (s.NotPrincipal !== undefined) return "allows everyone but its NotPrincipal";
    if (owner === undefined || typeof s.Principal !== "object" || s.Principal === null) return undefined;
    const others = list((s.Principal as { AWS?: string | string[] }).AWS).filter((p) => accountOf(p) !== undefined && accountOf(p) !== owner);
    return others.length > 0 ? `allows account ${others.map(accountOf).join(", ")}` : undefined;
}

function check(policy: unknown, topicArn: unknown, report: (message: string) => void): void {
    const statements = statementsOf(policy);
    if (statements === undefined) return;
    const owner =
        accountOf(topicArn) ??
        statements
            .flatMap((s) => list(s.Resource))
            .map(accountOf)
            .find((a) => a !== undefined);
    statements.forEach((s, i) => {
        const why = openness(s, owner);
        if (why)
            report(`topic policy statement ${statementLabel(s, i)} ${why} without a condition; name the principals or add aws:SourceArn/aws:SourceAccount/aws:PrincipalOrgID.`);
    });
}

/** Whoever may publish to the alerts topic can page the on-call or bury a real alarm in noise. */
export const snsTopicPolicyNotPublic: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "sns-topic-policy-not-public",
        description:
            "SNS topic policies must not Allow everyone, everyone but a NotPrincipal, or another account, without a Condition. Controls: Checkov CKV_AWS_169, CKV_AWS_385.",
        enforcementLevel: "mandatory",
        validateResource: [
            // An arn unknown in preview leaves the account to the statements' Resource.
            validateResourceOfType(aws.sns.TopicPolicy, (tp, _args, report) =>
                check(
                    tp.policy,
                    orIfUnknown(() => tp.arn, undefined),
                    report,
                ),
            ),
            validateResourceOfType(aws.sns.Topic, (topic, _args, report) => {
                if (topic.policy !== undefined) check(topic.policy, undefined, report);
            }),
        ],
    },
    severity: "high",
    topics: ["permissions"],
    controls: [
        { framework: "Checkov", id: "CKV_AWS_169", coverage: "full" },
        {
            framework: "Checkov",
            id: "CKV_AWS_385",
            coverage: "partial",
            note: "any Condition counts as narrowing; the topic's account is read from the TopicPolicy's arn or the statements' Resource, and another account is only recognised by its id",
        },
    ],
    details:
        "No `Allow` statement of an `aws.sns.TopicPolicy` or a topic's inline `policy` opens the topic, without a `Condition`, to everyone (`*`, " +
        "`{ AWS: \"*\" }`), to everyone but a `NotPrincipal`, or to an account other than the topic's own (read from the TopicPolicy's `arn` or the " +
        "statements' `Resource`). Whoever may publish to the alerts topic can page the on-call or bury a real alarm; the stack's CloudWatch grant is " +
        "a service principal limited by `aws:SourceAccount`.",
    remediation: "Name the principals of every Allow in the topic policy, or narrow it with aws:SourceArn, aws:SourceAccount or aws:PrincipalOrgID.",
};
