import * as fs from "node:fs";
import * as path from "node:path";
import { settingsFromConfig } from "../../infra/config";
import { type CostEstimate, estimateCost } from "../../infra/lib/cost";
import { declaredCostOptions, declaredWorkload } from "../../infra/lib/workload";
import { pack } from "../../policies/policies";
import type { Violation } from "./analyzer-protocol";
import { type PolicyPackConfig, readPolicyConfig, runPolicies } from "./policy-engine";
import type { StackResource } from "./resources";
import { readStackConfig, ROOT, synthesize } from "./synth";

export interface PreviewResult {
    stack: string;
    /** With the dependencies the engine recorded, so that `policy:check` joins this output's resources as the preview did. */
    resources: Pick<StackResource, "type" | "name" | "urn" | "inputs" | "parent" | "dependencies" | "propertyDependencies">[];
    outputs: Record<string, unknown>;
    violations: Violation[];
    /** The policy config file applied, relative to the project, or undefined for pack defaults. */
    policyConfig: string | undefined;
    /** Monthly cost of the declared workload in the three modes; undefined when none is declared. */
    cost: CostEstimate | undefined;
}

/** The cost estimate of a stack's declared workload (the settings are those the program just used). */
function costOf(stack: string, overrides: Record<string, string | undefined>): CostEstimate | undefined {
    const config: Record<string, string | undefined> = { ...readStackConfig(stack), ...overrides };
    const settings = settingsFromConfig(config, stack);
    const workload = declaredWorkload(settings);
    return workload && estimateCost(workload, declaredCostOptions(settings));
}

export function policyConfigFile(stack: string): string | undefined {
    const file = path.join(ROOT, "policies", "config", `${stack}.json`);
    return fs.existsSync(file) ? file : undefined;
}

/**
 * The offline preview: the program under the mock runtime, then the policy pack with the stack's config.
 * `synth` runs the program (tests pass one that keeps the runs they repeat).
 */
export async function previewStack(stack: string, overrides: Record<string, string | undefined> = {}, synth = synthesize): Promise<PreviewResult> {
    const synthesized = await synth(stack, overrides);
    const configFile = policyConfigFile(stack);
    const config: PolicyPackConfig = configFile ? readPolicyConfig(configFile) : {};
    const violations = await runPolicies(pack, synthesized.resources, config);
    return {
        stack,
        resources: synthesized.resources.map(({ type, name, urn, inputs, parent, dependencies, propertyDependencies }) => ({
            type,
            name,
            urn,
            inputs,
            parent,
            dependencies,
            propertyDependencies,
        })),
        outputs: synthesized.outputs,
        violations,
        policyConfig: configFile && path.relative(ROOT, configFile),
        cost: costOf(stack, overrides),
    };
}
