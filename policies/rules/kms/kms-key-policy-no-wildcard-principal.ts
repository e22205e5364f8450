import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { isEveryone, list, statementLabel, statementsOf } from "../common";

const KMS_WILDCARDS = ["*", "kms:*"];

/** A key policy that lets anyone administer the key makes every grant of the stack meaningless. */
export const kmsKeyPolicyNoWildcardPrincipal: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "kms-key-policy-no-wildcard-principal",
        description:
            'KMS key policies must not allow kms:* (or *) to a wildcard principal ("*" or AWS "*"), whatever the conditions: the account root ' +
            "principal administers the key through IAM, services get the actions they use. Controls: Checkov CKV_AWS_33.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.kms.Key, (key, _args, report) => {
            if (key.policy === undefined) return; // the default key policy: the account root, through IAM
            const statements = statementsOf(key.policy);
            if (statements === undefined) {
                report("policy is not a JSON policy document.");
                return;
            }
            statements.forEach((s, i) => {
                if (s.Effect !== "Allow") return;
                const wild = list(s.Action).filter((a) => KMS_WILDCARDS.includes(String(a).toLowerCase()));
                if (wild.length > 0 && isEveryone(s.Principal)) {
                    report(`statement ${statementLabel(s, i)} allows ${wild.join(", ")} to every principal; grant the account root and name the actions each service needs.`);
                }
                if (wild.length > 0 && s.NotPrincipal !== undefined) {
                    report(`statement ${statementLabel(s, i)} allows ${wild.join(", ")} with NotPrincipal (everyone it does not name); grant named principals.`);
                }
            });
        }),
    },
    severity: "high",
    topics: ["encryption", "permissions"],
    controls: [{ framework: "Checkov", id: "CKV_AWS_33", coverage: "full" }],
    details:
        'No statement of a key policy allows `kms:*` (or `*`) to `"*"` / `{ AWS: "*" }` or through `NotPrincipal`, conditions or not: the account ' +
        "root administers the key through IAM (which is fine), services get the actions they use. A wildcard admin grant makes every IAM scope of the " +
        "stack meaningless.",
    remediation: "Grant kms:* to the account root only and give each service principal the actions it uses.",
};
