import type { StackValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { at } from "../common";
import { TYPE } from "../graph";
import { bucketPolicy, type BucketRule, sideResourcesOf } from "./shared";

export const s3BucketVersioningRule: BucketRule = {
    name: "s3-bucket-versioning",
    description: "S3 buckets must have a BucketVersioning with status Enabled, so an overwrite or delete can be undone. Controls: Security Hub S3.14, Checkov CKV_AWS_21.",
    check: (bucket, resources, report) => {
        const configs = sideResourcesOf(bucket, resources, TYPE.bucketVersioning);
        if (configs.length === 0) {
            report(`bucket ${bucket.name} has no BucketVersioning; add one with status Enabled.`);
            return;
        }
        const statuses = configs.map((c) => at(c.props.versioningConfiguration, "status"));
        if (!statuses.includes("Enabled")) report(`bucket ${bucket.name} has versioning ${statuses.map((s) => JSON.stringify(s ?? null)).join(", ")}; set status Enabled.`);
    },
};

export const s3BucketVersioning: PackPolicy<StackValidationPolicy> = {
    policy: bucketPolicy(s3BucketVersioningRule),
    severity: "medium",
    topics: ["resilience"],
    controls: [
        { framework: "Security Hub", id: "S3.14", coverage: "full" },
        { framework: "Checkov", id: "CKV_AWS_21", coverage: "full" },
    ],
    details: "A stack policy: every bucket has a `BucketVersioning` with status `Enabled`, so an overwrite or delete can be undone.",
    remediation: "Add a BucketVersioning with status Enabled.",
};
