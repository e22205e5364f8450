import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, remediateResourceOfType, validateResourceOfType } from "@pulumi/policy";
import { isEveryone, list, rawProps, statementLabel, statementsOf } from "./common";

/** Customer keys rotate yearly, so a leaked key version stops protecting new data. */
export function kmsKeyRotation(): ResourceValidationPolicy {
    return {
        name: "kms-key-rotation",
        description: "Symmetric customer-managed KMS keys must have automatic rotation on. Controls: Security Hub KMS.4, Checkov CKV_AWS_7.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.kms.Key, (key, args, report) => {
            const spec = key.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
            if (spec !== "SYMMETRIC_DEFAULT") args.notApplicable(`rotation is not available for ${spec} keys`);
            if (key.enableKeyRotation !== true) report("enableKeyRotation is not true; turn on automatic key rotation.");
        }),
        // Safe and obvious: rotation keeps old key material for decryption, nothing that uses the key changes.
        remediateResource: remediateResourceOfType(aws.kms.Key, (key) => {
            const raw = rawProps(key as Record<string, unknown>);
            const spec = raw.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
            if (spec !== "SYMMETRIC_DEFAULT" || raw.enableKeyRotation === true) return undefined;
            return { ...raw, enableKeyRotation: true };
        }),
    };
}

const KMS_WILDCARDS = ["*", "kms:*"];

/** A key policy that lets anyone administer the key makes every grant of the stack meaningless. */
export function kmsKeyPolicyNoWildcardPrincipal(): ResourceValidationPolicy {
    return {
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
    };
}
