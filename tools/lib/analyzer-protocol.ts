import * as analyzerproto from "@pulumi/pulumi/proto/analyzer_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { StackResource } from "./resources";

/**
 * Builds the `pulumirpc.Analyzer` requests the Pulumi engine sends a policy pack, from stack
 * resources. Shared by the in-process runner and the test that drives the pack over gRPC, so both
 * exercise the pack with exactly what the CLI sends.
 */

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

const LEVELS: Record<EnforcementLevel, analyzerproto.EnforcementLevel> = {
    advisory: analyzerproto.EnforcementLevel.ADVISORY,
    mandatory: analyzerproto.EnforcementLevel.MANDATORY,
    remediate: analyzerproto.EnforcementLevel.REMEDIATE,
    disabled: analyzerproto.EnforcementLevel.DISABLED,
};

export function levelName(level: analyzerproto.EnforcementLevel): EnforcementLevel {
    const found = (Object.entries(LEVELS) as [EnforcementLevel, analyzerproto.EnforcementLevel][]).find(([, v]) => v === level);
    if (!found) throw new Error(`unknown enforcement level ${level}`);
    return found[0];
}

/** Per-policy configuration after the CLI's normalization: a level and the policy's properties. */
export interface ResolvedPolicyConfig {
    enforcementLevel: EnforcementLevel;
    properties: Record<string, unknown>;
}

export function configureRequest(config: Record<string, ResolvedPolicyConfig>): analyzerproto.ConfigureAnalyzerRequest {
    const req = new analyzerproto.ConfigureAnalyzerRequest();
    const map = req.getPolicyconfigMap();
    for (const [name, c] of Object.entries(config)) {
        const pc = new analyzerproto.PolicyConfig();
        pc.setEnforcementlevel(LEVELS[c.enforcementLevel]);
        pc.setProperties(Struct.fromJavaScript(c.properties as Record<string, never>));
        map.set(name, pc);
    }
    return req;
}

function options(r: StackResource): analyzerproto.AnalyzerResourceOptions {
    const o = new analyzerproto.AnalyzerResourceOptions();
    o.setProtect(r.protect);
    o.setIgnorechangesList(r.ignoreChanges);
    if (r.parent) o.setParent(r.parent);
    return o;
}

/** How a request carries resource values: a protobuf Struct for the wire, or the values themselves in-process. */
export type Transport = "wire" | "in-process";

/** True for a value JSON would give back unchanged (so it can be handed over without a copy). */
function isJson(x: unknown): boolean {
    if (x === null || typeof x === "string" || typeof x === "boolean") return true;
    if (typeof x === "number") return Number.isFinite(x);
    if (Array.isArray(x)) return x.every(isJson);
    if (typeof x !== "object" || Object.getPrototypeOf(x) !== Object.prototype) return false;
    return Object.values(x).every((v) => v !== undefined && isJson(v));
}

function properties(values: Record<string, unknown>, transport: Transport): Struct {
    if (transport === "wire") return Struct.fromJavaScript(JSON.parse(JSON.stringify(values)) as Record<string, never>);
    const plain = (isJson(values) ? values : JSON.parse(JSON.stringify(values))) as Record<string, never>;
    // @pulumi/policy's handlers read a request's values only through toJavaScript() and copy what it
    // returns (deserializeProperties), so in-process the values are handed over as they are: a Struct
    // built and converted back once per stack policy was most of a large check's time and memory.
    const struct = new Struct();
    struct.toJavaScript = () => plain;
    return struct;
}

/** The fields every analyzer request and resource carries. */
interface ResourceMessage {
    setType(v: string): unknown;
    setUrn(v: string): unknown;
    setName(v: string): unknown;
    setProperties(v: Struct): unknown;
    setOptions(v: analyzerproto.AnalyzerResourceOptions): unknown;
}

function describe<M extends ResourceMessage>(m: M, r: StackResource, transport: Transport, values = r.inputs): M {
    m.setType(r.type);
    m.setUrn(r.urn);
    m.setName(r.name);
    m.setProperties(properties(values, transport));
    m.setOptions(options(r));
    return m;
}

/** One `Analyze` call per resource: the engine's check of a resource's inputs before it changes. */
export function analyzeRequest(r: StackResource, transport: Transport = "wire"): analyzerproto.AnalyzeRequest {
    return describe(new analyzerproto.AnalyzeRequest(), r, transport);
}

/**
 * One `AnalyzeStack` call with every resource, its parent and its (property) dependencies; each
 * resource's outputs where known, as the engine sends them ("AnalyzeStack is called on the final
 * outputs of each resource"), else its inputs.
 */
export function analyzeStackRequest(resources: StackResource[], transport: Transport = "wire"): analyzerproto.AnalyzeStackRequest {
    const req = new analyzerproto.AnalyzeStackRequest();
    req.setResourcesList(
        resources.map((r) => {
            const ar = describe(new analyzerproto.AnalyzerResource(), r, transport, r.outputs ?? r.inputs);
            if (r.parent) ar.setParent(r.parent);
            ar.setDependenciesList(r.dependencies);
            const deps = ar.getPropertydependenciesMap();
            for (const [prop, urns] of Object.entries(r.propertyDependencies)) {
                const d = new analyzerproto.AnalyzerPropertyDependencies();
                d.setUrnsList(urns);
                deps.set(prop, d);
            }
            return ar;
        }),
    );
    return req;
}

/** A violation as the tools print it (ARCHITECTURE.md section 5). */
export interface Violation {
    policyName: string;
    enforcementLevel: EnforcementLevel;
    urn: string;
    message: string;
}

/**
 * The root stack resource's URN, where the engine attaches stack-level diagnostics: the tools name it
 * rather than print an empty URN. Built as the engine does when the resources do not include it.
 */
export function rootStackUrn(resources: StackResource[]): string {
    const root = resources.find((r) => r.type === "pulumi:pulumi:Stack");
    if (root) return root.urn;
    const first = resources[0]?.urn.split("::");
    if (!first || first.length < 4) return "";
    const stack = first[0]!.slice("urn:pulumi:".length);
    return `urn:pulumi:${stack}::${first[1]}::pulumi:pulumi:Stack::${first[1]}-${stack}`;
}

/** Turns the diagnostics of an analyzer response into violations; the message without the description prefix. */
export function violationsOf(resp: analyzerproto.AnalyzeResponse, fallbackUrn = ""): Violation[] {
    return resp.getDiagnosticsList().map((d) => {
        const description = d.getDescription();
        const raw = d.getMessage();
        const message = raw.startsWith(`${description}\n`) ? raw.slice(description.length + 1) : raw;
        return {
            policyName: d.getPolicyname(),
            enforcementLevel: levelName(d.getEnforcementlevel()),
            urn: d.getUrn() || fallbackUrn,
            message,
        };
    });
}
