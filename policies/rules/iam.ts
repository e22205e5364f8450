import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isUnknownValueError } from "./common";

interface Statement {
    Effect?: string;
    Action?: string | string[];
    NotAction?: string | string[];
    Resource?: string | string[];
}

const list = (x: string | string[] | undefined): string[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

/** Why a statement gives more than a streaming role needs, or undefined when it does not. */
export function overGrant(s: Statement): string | undefined {
    if (s.Effect !== "Allow") return undefined;
    if (s.NotAction !== undefined) return "uses NotAction (allows everything it does not name)";
    const actions = list(s.Action);
    const wild = actions.filter((a) => a === "*" || /^(kinesis|kms|firehose|dynamodb|sns|sqs|s3):\*$/i.test(a));
    if (wild.length > 0) return `allows ${wild.join(", ")} (name the actions the role needs)`;
    const scoped = actions.filter((a) => /^(kinesis|kms):/i.test(a));
    if (scoped.length > 0 && list(s.Resource).includes("*")) {
        return `allows ${scoped.join(", ")} on Resource "*" (scope them to the stream and key ARNs)`;
    }
    return undefined;
}

/** Parses a role or managed policy document; undefined when it is not JSON (reported). */
function statementsOf(policy: unknown): Statement[] | undefined {
    try {
        const doc = typeof policy === "string" ? JSON.parse(policy) : policy;
        return list((doc as { Statement?: Statement | Statement[] }).Statement as never) as unknown as Statement[];
    } catch (e) {
        // An unknown document (preview) is the engine's to report, not a malformed one.
        if (isUnknownValueError(e)) throw e;
        return undefined;
    }
}

/**
 * Roles that touch the stream get exactly what they need: no wildcard actions, no Kinesis or KMS
 * action on every resource. A producer with `kinesis:*` on `*` can delete the stream of every team.
 */
export function iamStreamingLeastPrivilege(): ResourceValidationPolicy {
    return {
        name: "iam-streaming-least-privilege",
        description:
            "IAM role and managed policies must not allow wildcard actions (*, kinesis:*, kms:*, ...) or Kinesis/KMS actions on Resource \"*\": " +
            "scope producers to PutRecord(s) and consumers to read actions on the stream and key ARNs. Controls: Security Hub IAM.1 and IAM.21, cdk-nag AwsSolutions-IAM5, Checkov CKV_AWS_111 / CKV_AWS_290.",
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
                    if (why) report(`statement ${(s as { Sid?: string }).Sid ?? `#${i}`} ${why}.`);
                });
            },
        ],
    };
}
