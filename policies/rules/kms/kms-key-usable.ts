import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { remediateResourceOfType, validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { rawProps } from "../common";

/**
 * The stream, the failure queues, the alerts topic and the archive all encrypt with the pipeline's
 * key: a disabled key, or a policy that locks the account out of it, stops every one of them.
 */
export const kmsKeyUsable: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "kms-key-usable",
        description:
            "KMS keys must keep KMS's policy lockout safety check (bypassPolicyLockoutSafetyCheck not true) and stay enabled (isEnabled not false): " +
            "every part of the pipeline encrypts with the key. Controls: Checkov CKV_AWS_227, compliance-policies aws-kms-key-disallow-bypass-policy-lockout-safety-check, Checkov CKV2_AWS_64.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.kms.Key, (key, _args, report) => {
            if (key.bypassPolicyLockoutSafetyCheck === true) {
                report("bypassPolicyLockoutSafetyCheck is true; a key policy that locks the account out would then be accepted. Remove it.");
            }
            if (key.isEnabled === false) report("isEnabled is false; the stream, queues, topic and archive encrypted with this key stop working. Enable the key.");
        }),
        // Safe: the flag only matters when the policy is set, and KMS then refuses a policy that would lock the account out.
        remediateResource: remediateResourceOfType(aws.kms.Key, (key) => {
            const raw = rawProps(key as Record<string, unknown>);
            return raw.bypassPolicyLockoutSafetyCheck === true ? { ...raw, bypassPolicyLockoutSafetyCheck: false } : undefined;
        }),
    },
    severity: "high",
    topics: ["encryption", "resilience"],
    controls: [
        { framework: "Checkov", id: "CKV_AWS_227", coverage: "full" },
        { framework: "compliance-policies", id: "aws-kms-key-disallow-bypass-policy-lockout-safety-check", coverage: "full" },
        {
            framework: "Checkov",
            id: "CKV2_AWS_64",
            coverage: "none",
            note: "it asks that a key policy be defined; kms-key-policy-no-wildcard-principal reads the policy, and this rule keeps KMS's check that the policy does not lock the account out",
        },
    ],
    details:
        "Every `aws.kms.Key` leaves `bypassPolicyLockoutSafetyCheck` unset or false, so KMS refuses a key policy that would lock the account out, and has " +
        "`isEnabled` unset or true: the stream, the failure queues, the alerts topic, the results table and the archive all encrypt with it.",
    remediation: "Remove bypassPolicyLockoutSafetyCheck (or set it false) and set isEnabled true.",
    autoRemediation: "at level `remediate` it sets bypassPolicyLockoutSafetyCheck to false (a disabled key is left for a person to re-enable)",
};
