// Synthetic `pulumi stack export` files the size of a real organisation's stacks: many copies of this
// platform's own resources (what the offline preview synthesizes), each copy with its own names, URNs
// and ARNs, and a violation in a few copies. Used by the policy:check benchmark and its linearity test.
import { PROJECT } from "../../infra/config";
import { mockResourceState } from "../lib/mock-cloud";
import type { StackResource } from "../lib/resources";

/** Every name, URN and ARN the program derives from the stack starts with this (`prod-stream`, `kinesis-streaming-prod-events`). */
const copyToken = (stack: string) => `${stack}-`;

/** A resource as `pulumi stack export` writes it. */
export type StateResource = Record<string, unknown>;

/** A synthesized resource as `pulumi stack export` writes it (deployment v3): inputs, and outputs with what AWS computes. */
export function exported(r: StackResource, region = "us-east-1"): StateResource {
    return {
        urn: r.urn,
        custom: r.custom,
        type: r.type,
        inputs: r.inputs,
        ...(r.custom ? { id: `${r.name}-id`, outputs: mockResourceState(r.type, r.name, r.inputs, region) } : { outputs: {} }),
        ...(r.parent ? { parent: r.parent } : {}),
        dependencies: r.dependencies,
        propertyDependencies: r.propertyDependencies,
        ...(r.protect ? { protect: true } : {}),
        ...(r.ignoreChanges.length > 0 ? { ignoreChanges: r.ignoreChanges } : {}),
    };
}

/** The copy that carries the violations: its first Kinesis stream keeps records 24 h only and is not encrypted. */
function withViolation(resources: StateResource[]): StateResource[] {
    let done = false;
    return resources.map((r) => {
        if (done || r.type !== "aws:kinesis/stream:Stream") return r;
        done = true;
        const spoil = (props: unknown) => ({ ...(props as Record<string, unknown>), retentionPeriod: 24, encryptionType: "NONE", kmsKeyId: undefined });
        return { ...r, inputs: spoil(r.inputs), outputs: spoil(r.outputs) };
    });
}

export interface LargeExport {
    /** The export file's text. */
    text: string;
    resources: number;
    /** How many copies carry the violation (a stream without encryption and with 24 h retention). */
    violatingCopies: number;
}

/**
 * A stack export of `copies` copies of a stack's resources (`exported` from a synthesized stack, or an
 * export's) plus the root stack resource:
 * copy i renames every `<stack>-` name to `<stack>-c<i>-`, so URNs, physical names, ARNs and the
 * references between them stay consistent inside each copy and distinct across copies. Every
 * `violationEvery`-th copy (0: none) carries the violation of `withViolation`. Built as text, copy by
 * copy, so that a 100 MB file costs the generator little more than its own length.
 */
export function largeStackExport(stack: string, base: StateResource[], copies: number, violationEvery = 0): LargeExport {
    const plain = base.filter((r) => r.type !== "pulumi:pulumi:Stack");
    const templates = [plain, withViolation(plain)].map((rs) => rs.map((r) => JSON.stringify(r)).join(","));
    const token = copyToken(stack);
    const root = JSON.stringify({ urn: `urn:pulumi:${stack}::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-${stack}`, custom: false, type: "pulumi:pulumi:Stack" });
    const parts: string[] = [root];
    let violatingCopies = 0;
    for (let i = 0; i < copies; i++) {
        const violates = violationEvery > 0 && i % violationEvery === 0;
        if (violates) violatingCopies++;
        parts.push(templates[violates ? 1 : 0]!.split(token).join(`${stack}-c${i}-`));
    }
    const text = `{"version":3,"deployment":{"manifest":{"time":"2026-12-07T00:00:00Z","magic":"","version":"v3.270.0"},"resources":[${parts.join(",")}]}}`;
    return { text, resources: 1 + copies * plain.length, violatingCopies };
}
