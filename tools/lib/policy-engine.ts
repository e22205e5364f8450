import * as fs from "node:fs";
import type { Policies, PolicyConfigSchema } from "@pulumi/policy";
import type * as analyzerproto from "@pulumi/pulumi/proto/analyzer_pb";
import { analyzeRequest, analyzeStackRequest, type EnforcementLevel, rootStackUrn, type ResolvedPolicyConfig, type Violation, violationsOf } from "./analyzer-protocol";
import { policyServer } from "./internal-apis";
import type { StackResource } from "./resources";

/** Input the policy tools cannot use (config file, stack file): printed alone, exit 2 or 1. */
export class PolicyInputError extends Error {}

/** A policy pack config file as `pulumi preview --policy-pack-config` takes it. */
export type PolicyPackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

const LEVELS: readonly string[] = ["advisory", "mandatory", "remediate", "disabled"];

export function readPolicyConfig(file: string): PolicyPackConfig {
    let parsed: unknown;
    try {
        parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new PolicyInputError(`Cannot read policy config ${file}: ${(e as Error).message.split("\n")[0]}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw new PolicyInputError(`Policy config ${file} must be a JSON object of policy name to level or settings`);
    }
    return parsed as PolicyPackConfig;
}

/**
 * What the CLI does with a config file before `Configure`: expand `all`, take each policy's level,
 * fill the schema's defaults and check every property against the policy's `configSchema`.
 */
export function resolvePolicyConfig(policies: Policies, config: PolicyPackConfig, packLevel: EnforcementLevel = "advisory"): Record<string, ResolvedPolicyConfig> {
    const names = new Set(policies.map((p) => p.name));
    for (const key of Object.keys(config)) {
        if (key !== "all" && !names.has(key)) {
            throw new PolicyInputError(`Policy config names "${key}", which is not a policy of this pack; policies: ${[...names].join(", ")}`);
        }
    }
    const all = config.all;
    if (all !== undefined && (typeof all !== "string" || !LEVELS.includes(all))) {
        throw new PolicyInputError(`Policy config "all" must be one of ${LEVELS.join(", ")}`);
    }
    const resolved: Record<string, ResolvedPolicyConfig> = {};
    for (const p of policies) {
        const entry = config[p.name];
        if (entry !== undefined && typeof entry !== "string" && (typeof entry !== "object" || entry === null || Array.isArray(entry))) {
            throw new PolicyInputError(`Policy config ${p.name}: ${JSON.stringify(entry)} must be an enforcement level or an object of settings`);
        }
        const given = typeof entry === "object" && entry !== null ? entry : {};
        const level = (typeof entry === "string" ? entry : given.enforcementLevel) ?? (all as EnforcementLevel | undefined) ?? p.enforcementLevel ?? packLevel;
        if (!LEVELS.includes(level)) throw new PolicyInputError(`Policy config ${p.name}: enforcementLevel "${level}" must be one of ${LEVELS.join(", ")}`);
        const { enforcementLevel: _level, ...props } = given;
        resolved[p.name] = { enforcementLevel: level, properties: { ...schemaDefaults(p.configSchema), ...checkProperties(p.name, p.configSchema, props) } };
    }
    return resolved;
}

function schemaDefaults(schema: PolicyConfigSchema | undefined): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(schema?.properties ?? {})) if (v.default !== undefined) out[k] = v.default;
    return out;
}

function checkProperties(policy: string, schema: PolicyConfigSchema | undefined, props: Record<string, unknown>): Record<string, unknown> {
    const declared = schema?.properties ?? {};
    for (const [k, v] of Object.entries(props)) {
        const s = declared[k];
        if (!s) throw new PolicyInputError(`Policy config ${policy}: unknown property "${k}"; allowed: ${Object.keys(declared).join(", ") || "none"}`);
        const type = Array.isArray(v) ? "array" : v === null ? "null" : typeof v;
        const want = s.type === "integer" ? "number" : s.type;
        if (want && type !== want) throw new PolicyInputError(`Policy config ${policy}.${k} = ${JSON.stringify(v)}: must be ${s.type}`);
        if (s.type === "integer" && !Number.isInteger(v)) throw new PolicyInputError(`Policy config ${policy}.${k} = ${JSON.stringify(v)}: must be an integer`);
        if (typeof v === "number" && ((s.minimum !== undefined && v < s.minimum) || (s.maximum !== undefined && v > s.maximum))) {
            throw new PolicyInputError(`Policy config ${policy}.${k} = ${v}: must be from ${s.minimum ?? "-inf"} to ${s.maximum ?? "inf"}`);
        }
        if (s.enum && !s.enum.includes(v as never)) throw new PolicyInputError(`Policy config ${policy}.${k} = ${JSON.stringify(v)}: must be one of ${s.enum.join(", ")}`);
    }
    return props;
}

type Rpc<Req> = (call: { request: Req }, cb: (err: unknown, resp?: analyzerproto.AnalyzeResponse) => void) => void;

function call<Req>(fn: Rpc<Req>, request: Req): Promise<analyzerproto.AnalyzeResponse> {
    return new Promise((resolve, reject) => fn({ request }, (err, resp) => (err || !resp ? reject(err) : resolve(resp))));
}

/**
 * The pack's policies as the server sees them after `Configure`: the resolved level on each, and
 * `getConfig()` returning the resolved properties. (`@pulumi/policy` keeps the configured values in
 * a module variable only its gRPC `Configure` handler sets, so in-process they are bound here.)
 */
export function configuredPolicies(policies: Policies, resolved: Record<string, ResolvedPolicyConfig>): Policies {
    return policies.flatMap((p) => {
        const c = resolved[p.name];
        if (!c || c.enforcementLevel === "disabled") return [];
        // Validations take (args, report), remediations (args): only args changes.
        const withConfig = <F extends (args: never, ...rest: never[]) => unknown>(fn: F): F => {
            const wrapped = ((args: { getConfig: () => object }, ...rest: never[]) => fn({ ...args, getConfig: () => ({ ...c.properties }) } as never, ...rest)) as unknown as F;
            return Object.assign(wrapped, { __pulumiType: (fn as { __pulumiType?: string }).__pulumiType });
        };
        const copy = { ...p, enforcementLevel: c.enforcementLevel };
        if ("validateStack" in p) return [{ ...copy, validateStack: withConfig(p.validateStack) }];
        const v = p.validateResource;
        return [
            {
                ...copy,
                ...(v ? { validateResource: Array.isArray(v) ? v.map(withConfig) : withConfig(v) } : {}),
                ...(p.remediateResource ? { remediateResource: withConfig(p.remediateResource) } : {}),
            },
        ];
    }) as Policies;
}

/** What a remediation did to one resource: the policy, and the properties it set (or why it could not run). */
export interface Remediation {
    policyName: string;
    urn: string;
    /** The resource's inputs after this remediation (and the ones before it). */
    properties?: Record<string, unknown>;
    /** Set instead of `properties` when the remediation could not run (a value unknown in preview). */
    diagnostic?: string;
}

type RemediateRpc = (call: { request: analyzerproto.AnalyzeRequest }, cb: (err: unknown, resp?: analyzerproto.RemediateResponse) => void) => void;

/**
 * Runs the pack's remediations in-process through the same server function `@pulumi/policy`
 * serves as `Remediate` (makeRemediateRpcFun): as the engine does before analyzing each resource,
 * every policy configured "remediate" with a `remediateResource` may rewrite the resource's inputs,
 * each seeing the previous one's result. Returns the resources with their remediated inputs and
 * what each remediation did.
 */
export async function remediateResources(
    pack: { name: string; version: string; policies: Policies },
    resources: StackResource[],
    config: PolicyPackConfig,
): Promise<{ resources: StackResource[]; remediations: Remediation[] }> {
    const policies = configuredPolicies(pack.policies, resolvePolicyConfig(pack.policies, config));
    const remediate = policyServer.makeRemediateRpcFun(pack.name, pack.version, "advisory", policies) as unknown as RemediateRpc;
    const remediations: Remediation[] = [];
    const out: StackResource[] = [];
    const turn = turns();
    for (const r of resources) {
        const resp = await new Promise<analyzerproto.RemediateResponse>((resolve, reject) =>
            remediate({ request: analyzeRequest(r, "in-process") }, (err, res) => (err || !res ? reject(err) : resolve(res))),
        );
        let inputs = r.inputs;
        for (const rem of resp.getRemediationsList()) {
            const properties = rem.getProperties()?.toJavaScript() as Record<string, unknown> | undefined;
            if (properties) inputs = properties;
            remediations.push({ policyName: rem.getPolicyname(), urn: r.urn, ...(properties ? { properties } : { diagnostic: rem.getDiagnostic() }) });
        }
        out.push(inputs === r.inputs ? r : { ...r, inputs });
        await turn();
    }
    return { resources: out, remediations };
}

const CANT_RUN = /^can't run policy '[^']+' from policy pack '[^']+' during preview: \w+ value at \.(\S*) can't be known during preview$/;

/**
 * On a stack export every value is final, so a policy that could not read one met a secret the file
 * holds encrypted (exported without --show-secrets), not a preview unknown that `pulumi up` will know.
 * Each such diagnostic becomes a finding at the policy's configured level ("remediate" counts as
 * mandatory, as Analyze reports it), naming the resource that holds the secret: a mandatory rule
 * fails closed instead of passing with an advisory note.
 */
function hiddenSecretFindings(violations: Violation[], resources: StackResource[], levels: Record<string, ResolvedPolicyConfig>): Violation[] {
    const withSecrets = resources.filter((r) => (r.hiddenSecrets ?? []).length > 0);
    const byUrn = new Map(withSecrets.map((r) => [r.urn, r]));
    return violations.flatMap((v) => {
        const path = CANT_RUN.exec(v.message)?.[1];
        if (path === undefined) return [v];
        const covers = (hidden: string) => path === hidden || path.startsWith(`${hidden}.`);
        // A resource policy's diagnostic is about its own resource; a stack policy's names any holder of the path.
        const candidate = byUrn.get(v.urn);
        const own = candidate && (candidate.hiddenSecrets ?? []).some(covers) ? candidate : undefined;
        const holders = own ? [own] : withSecrets.filter((r) => (r.hiddenSecrets ?? []).some(covers));
        const configured = levels[v.policyName]?.enforcementLevel;
        const enforcementLevel: EnforcementLevel = configured === "advisory" ? "advisory" : "mandatory";
        const about = holders.length > 0 ? holders : [{ urn: v.urn, name: "the stack" }];
        return about.map((r) => ({
            policyName: v.policyName,
            enforcementLevel,
            urn: r.urn,
            message: `cannot check .${path} of ${r.name}: the export holds it as an encrypted secret; export with 'pulumi stack export --show-secrets' to check it (the file then holds the secrets in plain text).`,
        }));
    });
}

/** Where a check is: `done` of `total` resources analyzed one by one, then `done` of `total` stack policies run over all of them. */
export interface CheckProgress {
    phase: "resources" | "stack";
    done: number;
    total: number;
}

/**
 * Lets the event loop run (signal handlers) every few milliseconds: the handlers' promises resolve as
 * microtasks, so a check of thousands of resources would otherwise hold the loop until it ends and
 * a Ctrl-C would wait for it (tsx's wrapper gives its child 30 ms to take a signal, then kills it).
 */
function turns(): () => Promise<boolean> {
    let last = performance.now();
    return async () => {
        if (performance.now() - last < 10) return false;
        await new Promise<void>((resolve) => setImmediate(resolve));
        last = performance.now();
        return true;
    };
}

/**
 * Runs a policy pack in-process through the same server functions `@pulumi/policy` serves over
 * gRPC to the CLI (Analyze per resource, then AnalyzeStack), and returns the violations once
 * each, sorted by URN then policy. With `remediate`, the pack's remediations run first, as the
 * engine runs Remediate before Analyze during preview and update, and the remediated inputs are
 * analyzed; without it (a stack export: what is deployed), a "remediate" policy reports its
 * violation as mandatory, which is what @pulumi/policy's Analyze does. With `valuesFinal` (a stack
 * export) a value a policy could not read is a hidden secret and fails closed (`hiddenSecretFindings`).
 * Stack-level results name the root stack URN.
 */
export async function runPolicies(
    pack: { name: string; version: string; policies: Policies },
    resources: StackResource[],
    config: PolicyPackConfig,
    options: { remediate?: boolean; valuesFinal?: boolean; progress?: (p: CheckProgress) => void } = {},
): Promise<Violation[]> {
    const { progress } = options;
    const resolved = resolvePolicyConfig(pack.policies, config);
    const policies = configuredPolicies(pack.policies, resolved);
    const checked = options.remediate ? (await remediateResources(pack, resources, config)).resources : resources;
    const analyze = policyServer.makeAnalyzeRpcFun(pack.name, pack.version, "advisory", policies) as Rpc<analyzerproto.AnalyzeRequest>;
    const found: Violation[] = [];
    const turn = turns();
    for (const [i, r] of checked.entries()) {
        found.push(...violationsOf(await call(analyze, analyzeRequest(r, "in-process")), r.urn));
        if (await turn()) progress?.({ phase: "resources", done: i + 1, total: checked.length });
    }
    // AnalyzeStack one stack policy at a time (what the handler does with the list, policy by policy),
    // with a turn of the event loop between them.
    const stackRequest = analyzeStackRequest(checked, "in-process");
    const stackPolicies = policies.filter((p) => "validateStack" in p);
    const root = rootStackUrn(checked);
    for (const [i, p] of stackPolicies.entries()) {
        progress?.({ phase: "stack", done: i, total: stackPolicies.length });
        await new Promise<void>((resolve) => setImmediate(resolve));
        const analyzeStack = policyServer.makeAnalyzeStackRpcFun(pack.name, pack.version, "advisory", [p]) as Rpc<analyzerproto.AnalyzeStackRequest>;
        found.push(...violationsOf(await call(analyzeStack, stackRequest), root));
    }

    const seen = new Set<string>();
    return (options.valuesFinal ? hiddenSecretFindings(found, checked, resolved) : found)
        .filter((v) => {
            const key = `${v.policyName}\u0000${v.urn}\u0000${v.message}`;
            if (seen.has(key)) return false;
            seen.add(key);
            return true;
        })
        .sort((a, b) => a.urn.localeCompare(b.urn) || a.policyName.localeCompare(b.policyName) || a.message.localeCompare(b.message));
}

export function formatViolation(v: Violation): string {
    return `${v.enforcementLevel} ${v.policyName} ${v.urn}: ${v.message.replace(/\n/g, " ")}`;
}
