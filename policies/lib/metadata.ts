// What the pack says about each policy besides its code: how bad a violation is, which external
// controls it maps to and how fully, how to fix it. policies/README.md's rule table is generated from
// this (npm run gen:policy-docs), so the mappings live here and nowhere else.
import type { Policy } from "@pulumi/policy";

/** How much harm a violation allows, as pulumi/compliance-policies grades it. */
export type Severity = "low" | "medium" | "high" | "critical";

/** The rule sets the pack is compared with. */
export type Framework = "Security Hub" | "AWS Config" | "cdk-nag" | "Checkov" | "AWS Solutions Constructs" | "compliance-policies";

/**
 * How much of the control the policy checks: `full`, `partial` (the note says what part), or `none`
 * (a related control the policy does not implement; the note says how they relate).
 */
export type Coverage = "full" | "partial" | "none";

export interface ControlMapping {
    framework: Framework;
    /** The control's id in its framework (`Kinesis.1`, `CKV_AWS_43`, `AwsSolutions-KDS1`). */
    id: string;
    coverage: Coverage;
    note?: string;
}

/** A policy of the pack with its metadata (compliance-policies' registerPolicy shape). */
export interface PackPolicy<P extends Policy = Policy> {
    policy: P;
    severity: Severity;
    /** What the policy is about (`encryption`, `monitoring`, ...). */
    topics: string[];
    /** The external controls it maps to; empty when no known framework has the check (pack-specific). */
    controls: ControlMapping[];
    /** What it checks and why, in Markdown: the README's "what and why". */
    details: string;
    /** What to change to comply. */
    remediation: string;
    /** What the policy's own remediation does at level `remediate`; set exactly when it has one. */
    autoRemediation?: string;
    /** Said about the config in the README besides its schema and the environments' values. */
    configNote?: string;
}
