import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { remediateResourceOfType, validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { rawProps } from "../common";
import { PUBLIC_ACCESS_FLAGS } from "./shared";

/** Every flag on: no bucket of a streaming pipeline serves the public. Remediable: the fix is the flags. */
export const s3PublicAccessBlockFlags: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "s3-public-access-block-flags",
        description:
            "S3 public access blocks must set blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets to true (remediable: sets them). " +
            "Controls: Security Hub S3.8, Checkov CKV_AWS_53 / CKV_AWS_54 / CKV_AWS_55 / CKV_AWS_56.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.s3.BucketPublicAccessBlock, (block, _args, report) => {
            const off = PUBLIC_ACCESS_FLAGS.filter((f) => block[f] !== true);
            if (off.length > 0) report(`${off.join(", ")} ${off.length === 1 ? "is" : "are"} not true; set all four flags to true.`);
        }),
        remediateResource: remediateResourceOfType(aws.s3.BucketPublicAccessBlock, (block) => {
            const raw = rawProps(block as Record<string, unknown>);
            if (PUBLIC_ACCESS_FLAGS.every((f) => raw[f] === true)) return undefined;
            return { ...raw, ...Object.fromEntries(PUBLIC_ACCESS_FLAGS.map((f) => [f, true])) };
        }),
    },
    severity: "high",
    topics: ["network"],
    controls: [
        { framework: "Security Hub", id: "S3.8", coverage: "full" },
        { framework: "Checkov", id: "CKV_AWS_53", coverage: "full" },
        { framework: "Checkov", id: "CKV_AWS_54", coverage: "full" },
        { framework: "Checkov", id: "CKV_AWS_55", coverage: "full" },
        { framework: "Checkov", id: "CKV_AWS_56", coverage: "full" },
    ],
    details:
        "Every `BucketPublicAccessBlock` sets `blockPublicAcls`, `blockPublicPolicy`, `ignorePublicAcls` and `restrictPublicBuckets` to `true`: no " +
        "bucket of a streaming pipeline serves the public.",
    remediation: "Set blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets to true.",
    autoRemediation: "at level `remediate` it sets the four flags",
};
