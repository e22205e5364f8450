import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { list, statementLabel, statementsOf } from "../common";

/** A principal that is a whole account: its root ARN or its bare 12-digit id. */
const WHOLE_ACCOUNT = /^(arn:aws[a-z-]*:iam::(\d{12}):root|(\d{12}))$/;

/** Conditions that narrow a whole-account trust to some of its principals (Checkov CKV_AWS_61 accepts none; these are AWS's documented narrowings). */
const NARROWING_KEYS = ["aws:principalarn", "aws:principaltag/", "aws:principalorgid", "aws:principalorgpaths", "sts:externalid", "aws:multifactorauthpresent"];

/** The accounts an Allow statement trusts wholesale, unless a condition narrows who in them may assume the role. */
export function wholeAccountsTrusted(statement: { Effect?: string; Principal?: unknown; Condition?: Record<string, Record<string, unknown>> }): string[] {
    if (statement.Effect !== "Allow" || typeof statement.Principal !== "object" || statement.Principal === null) return [];
    const narrowed = Object.values(statement.Condition ?? {}).some((block) => Object.keys(block).some((k) => NARROWING_KEYS.some((n) => k.toLowerCase().startsWith(n))));
    if (narrowed) return [];
    return list((statement.Principal as { AWS?: unknown }).AWS as string | string[] | undefined)
        .map((p) => (typeof p === "string" ? WHOLE_ACCOUNT.exec(p) : null))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => m[2] ?? m[3]!);
}

/**
 * Trusting an account's root lets every principal of that account its IAM policies allow
 * sts:AssumeRole assume the role: who that is, is decided outside the stack. Roles meant for other
 * teams' applications (the external producer role, the KCL application role) do that by design and are
 * listed, each with its reason, in the environment's config.
 */
export const iamRoleTrustWholeAccount: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "iam-role-trust-whole-account",
        description:
            "IAM role trust policies should name the roles that may assume them, not whole accounts (arn:aws:iam::<account>:root or a bare account id), " +
            "unless a condition narrows the trust (aws:PrincipalArn, aws:PrincipalTag/..., aws:PrincipalOrgID, sts:ExternalId) or the role is listed in " +
            "accountTrustRoles with the reason it trusts accounts by design. Controls: Checkov CKV_AWS_61.",
        enforcementLevel: "advisory",
        configSchema: { properties: { accountTrustRoles: { type: "object", default: {} } } },
        validateResource: validateResourceOfType(aws.iam.Role, (role, args, report) => {
            const allowed = args.getConfig<{ accountTrustRoles?: Record<string, unknown> }>().accountTrustRoles ?? {};
            const reason = allowed[args.name] ?? (typeof role.name === "string" ? allowed[role.name] : undefined);
            if (typeof reason === "string" && reason.trim() !== "") return;
            statementsOf(role.assumeRolePolicy)?.forEach((s, i) => {
                const accounts = wholeAccountsTrusted(s);
                if (accounts.length > 0) {
                    report(
                        `trust statement ${statementLabel(s, i)} lets every principal of account ${accounts.join(", ")} that may call sts:AssumeRole assume the role; ` +
                            `name the roles, narrow it with aws:PrincipalArn, or list role ${args.name} in accountTrustRoles with the reason it trusts accounts.`,
                    );
                }
            });
        }),
    },
    severity: "medium",
    topics: ["permissions"],
    controls: [
        {
            framework: "Checkov",
            id: "CKV_AWS_61",
            coverage: "partial",
            note: "advisory, and two explicit exceptions Checkov does not make: a condition narrowing the trust to some principals, and the roles accountTrustRoles lists with a reason",
        },
    ],
    details:
        "No `Allow` statement of an `aws.iam.Role`'s trust policy names a whole account (`arn:aws:iam::<account>:root` or a bare " +
        "12-digit id) as its `AWS` principal without a condition that narrows it to some principals (`aws:PrincipalArn`, `aws:PrincipalTag/...`, " +
        "`aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `sts:ExternalId`, `aws:MultiFactorAuthPresent`): every principal of that account whose " +
        "IAM policy allows `sts:AssumeRole` could assume it. Roles that trust accounts by design are listed in `accountTrustRoles` (logical or " +
        "physical role name → the reason, which must not be empty): the program's external producer role and KCL application role trust the " +
        "accounts of `producerTrustedPrincipals` / `kclTrustedPrincipals` (by default the stack's own account), whose administrators decide which " +
        "of their applications may assume them.",
    remediation:
        "Name the roles that may assume the role (arn:aws:iam::<account>:role/<app>), add an aws:PrincipalArn condition, or list the role in accountTrustRoles with its reason.",
    configNote: "each environment lists its external producer role, and prod its KCL application role: applications of the trusted accounts assume them.",
};
