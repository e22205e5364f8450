import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { remediateResourceOfType, validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { rawProps } from "../common";

/** Customer keys rotate yearly, so a leaked key version stops protecting new data. */
export const kmsKeyRotation: PackPolicy<ResourceValidationPolicy> = {
    policy: {
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
    },
    severity: "medium",
    topics: ["encryption"],
    controls: [
        { framework: "Security Hub", id: "KMS.4", coverage: "full" },
        { framework: "Checkov", id: "CKV_AWS_7", coverage: "full" },
    ],
    details:
        "Every symmetric `aws.kms.Key` has `enableKeyRotation: true`, so a leaked key version stops protecting new data within a year. Asymmetric and " +
        "HMAC keys (`customerMasterKeySpec` other than `SYMMETRIC_DEFAULT`), which KMS cannot rotate, are not applicable.",
    remediation: "Set enableKeyRotation to true.",
    autoRemediation: "at level `remediate` it turns rotation on",
};
