// Runs the pack in-process through @pulumi/policy's own Analyze / AnalyzeStack handlers, as the CLI
// would, and asserts on the violations.
import * as assert from "node:assert/strict";
import { pack } from "../../../policies/policies";
import type { Violation } from "../../../tools/lib/analyzer-protocol";
import { type PolicyPackConfig, runPolicies } from "../../../tools/lib/policy-engine";
import type { StackResource } from "../../../tools/lib/resources";

/** Runs the pack as `pulumi preview --policy-pack policies [--policy-pack-config <config>]` would. */
export function violationsOf(resources: StackResource[], config: PolicyPackConfig = {}): Promise<Violation[]> {
    return runPolicies(pack, resources, config);
}

/**
 * Runs the pack with every `configSchema` removed, so `getConfig()` returns only what `config`
 * sets: what a policy sees when nothing fills the schema's defaults, which the rules must then
 * supply themselves.
 */
export function violationsWithoutSchemaDefaults(resources: StackResource[], config: PolicyPackConfig = {}): Promise<Violation[]> {
    const policies = pack.policies.map((p) => ({ ...p, configSchema: undefined }));
    return runPolicies({ ...pack, policies }, resources, config);
}

/**
 * Asserts exactly one violation of `policyName` with exactly `message` (and, when given, that URN
 * and level) and returns it.
 */
export function assertHasViolation(
    violations: Violation[],
    policyName: string,
    message: string,
    expect: { urn?: string; enforcementLevel?: Violation["enforcementLevel"] } = {},
): Violation {
    const matching = violations.filter((v) => v.policyName === policyName && v.message === message);
    assert.equal(matching.length, 1, `expected one ${policyName} violation "${message}", got:\n${JSON.stringify(violations, null, 2)}`);
    const v = matching[0]!;
    if (expect.urn !== undefined) assert.equal(v.urn, expect.urn);
    if (expect.enforcementLevel !== undefined) assert.equal(v.enforcementLevel, expect.enforcementLevel);
    return v;
}

export function assertNoViolations(violations: Violation[]): void {
    assert.deepEqual(violations, [], `expected no violations, got:\n${JSON.stringify(violations, null, 2)}`);
}

/** Asserts the whole list, in the engine's order (URN, then policy, then message). */
export function assertViolations(violations: Violation[], expected: Violation[]): void {
    assert.deepEqual(violations, expected);
}

/** The engine's diagnostic when a policy reads a value it cannot know in preview (always advisory). */
export function unknownDiagnostic(policyName: string, valueType: string, path: string): string {
    return `can't run policy '${policyName}' from policy pack '${pack.name}@v${pack.version}' during preview: ${valueType} value at .${path} can't be known during preview`;
}

/** One violation of `policyName` at `urn`, mandatory unless said otherwise. */
export const violation = (policyName: string, urn: string, message: string, enforcementLevel: Violation["enforcementLevel"] = "mandatory"): Violation => ({
    policyName,
    enforcementLevel,
    urn,
    message,
});

/** A violation as a test specifies it: policy, resource and level exactly, and the words of the message that matter. */
export interface ExpectedViolation {
    policyName: string;
    urn: string;
    enforcementLevel: Violation["enforcementLevel"];
    /** What the message must name (the resource, the property, the figure), not its whole wording: that is the rule's own test's. */
    mentions: string[];
}

/** One expected violation of `policyName` at `urn` whose message mentions each of `mentions`, mandatory unless said otherwise. */
export const expectViolation = (
    policyName: string,
    urn: string,
    mentions: string | string[],
    enforcementLevel: Violation["enforcementLevel"] = "mandatory",
): ExpectedViolation => ({ policyName, urn, enforcementLevel, mentions: typeof mentions === "string" ? [mentions] : mentions });

/** Asserts the whole list in the engine's order (URN, then policy, then message), each message by what it mentions. */
export function assertViolationsLike(violations: Violation[], expected: ExpectedViolation[]): void {
    const dump = `got:\n${JSON.stringify(violations, null, 2)}`;
    const key = (v: { policyName: string; urn: string; enforcementLevel: string }) => `${v.enforcementLevel} ${v.policyName} ${v.urn}`;
    assert.deepEqual(violations.map(key), expected.map(key), dump);
    expected.forEach((e, i) => {
        for (const m of e.mentions) assert.ok(violations[i]!.message.includes(m), `${key(e)}: message should mention ${JSON.stringify(m)}; ${dump}`);
    });
}
