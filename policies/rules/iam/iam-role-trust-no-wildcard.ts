import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { isEveryone, statementLabel, statementsOf } from "../common";

/**
 * A role anyone may assume hands its grants (writing to or reading the stream, decrypting with
 * the key) to every AWS account; conditions do not make that safe enough to allow.
 */
export const iamRoleTrustNoWildcard: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "iam-role-trust-no-wildcard",
        description:
            'IAM role trust policies must not let everyone assume the role: no Allow with Principal "*" or { AWS: "*" }, and no Allow with NotPrincipal. ' +
            "Controls: Checkov CKV_AWS_60.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.iam.Role, (role, _args, report) => {
            const statements = statementsOf(role.assumeRolePolicy);
            if (statements === undefined) return;
            statements.forEach((s, i) => {
                if (s.Effect !== "Allow") return;
                if (isEveryone(s.Principal)) report(`trust statement ${statementLabel(s, i)} lets every AWS principal assume the role; name the accounts, roles or services.`);
                else if (s.NotPrincipal !== undefined) report(`trust statement ${statementLabel(s, i)} allows everyone but its NotPrincipal to assume the role; use Principal.`);
            });
        }),
    },
    severity: "critical",
    topics: ["permissions"],
    controls: [{ framework: "Checkov", id: "CKV_AWS_60", coverage: "full" }],
    details:
        'No `Allow` statement of an `aws.iam.Role`\'s `assumeRolePolicy` has the principal `"*"` or `{ AWS: "*" }`, or a `NotPrincipal`: either lets ' +
        "any AWS account assume the role and use its grants on the stream and the key. Whole-account trust (the KCL and external-producer roles trust " +
        "the accounts of their applications by design) is not this policy's concern.",
    remediation: "Name the principals in the trust policy: the accounts or roles of the applications, or the service (lambda.amazonaws.com).",
};
