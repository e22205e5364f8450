import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";

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
    };
}
