import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { PROJECT } from "../../infra/config";
import { resolveRegion } from "../../infra/lib/regions";
import { pulumiRpc, pulumiSettings } from "./internal-apis";
import { mockCall, mockResourceState } from "./mock-cloud";
import type { StackResource } from "./resources";

export const ROOT = path.resolve(__dirname, "..", "..");

/** The program's resources and stack outputs as the mock runtime saw them. */
export interface SynthResult {
    stack: string;
    resources: StackResource[];
    outputs: Record<string, unknown>;
}

/** A stack file that cannot be used: the tools print this message alone and exit 1. */
export class StackFileError extends Error {}

/** Config as the CLI hands it to the program: a string per key, lists and maps as JSON. */
function asConfigValue(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/** The defaults Pulumi.yaml declares, which the CLI gives the program for every key a stack leaves unset. */
export function projectDefaults(root = ROOT): Record<string, string> {
    const doc = parseYaml(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { config?: Record<string, { default?: unknown }> };
    const out: Record<string, string> = {};
    for (const [key, spec] of Object.entries(doc.config ?? {})) if (spec.default !== undefined) out[`${PROJECT}:${key}`] = asConfigValue(spec.default);
    return out;
}

/**
 * Reads `Pulumi.<stack>.yaml` over Pulumi.yaml's defaults into the string map Pulumi hands the
 * program, so the offline preview sees exactly what `pulumi preview` would.
 */
export function readStackConfig(stack: string, root = ROOT): Record<string, string> {
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    if (!/^[A-Za-z0-9_.-]+$/.test(stack) || !fs.existsSync(file)) {
        const known = fs.readdirSync(root).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []);
        throw new StackFileError(`No stack file Pulumi.${stack}.yaml; stacks: ${known.join(", ")}`);
    }
    let doc: unknown;
    try {
        doc = parseYaml(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new StackFileError(`Pulumi.${stack}.yaml is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
    }
    const isMap = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
    if (doc !== null && !isMap(doc)) throw new StackFileError(`Pulumi.${stack}.yaml must be a map with a "config" map of key: value`);
    const config = doc?.config ?? {};
    if (!isMap(config)) {
        throw new StackFileError(`Pulumi.${stack}.yaml: "config" must be a map of key: value`);
    }
    const out: Record<string, string> = projectDefaults(root);
    for (const [key, value] of Object.entries(config)) {
        if (value !== null && typeof value === "object" && "secure" in value) {
            throw new StackFileError(`Pulumi.${stack}.yaml: ${key} is a secret; the offline preview cannot decrypt it`);
        }
        const fullKey = key.includes(":") ? key : `${PROJECT}:${key}`;
        out[fullKey] = asConfigValue(value);
    }
    return out;
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getProtect(): boolean;
    getIgnorechangesList(): string[];
    getDependenciesList(): string[];
    getProvider(): string;
    getPropertydependenciesMap(): { forEach(cb: (v: { getUrnsList(): string[] }, k: string) => void): void };
}

/**
 * Runs the Pulumi program of `infra/index.ts` in-process under Pulumi's mock runtime with the
 * stack's config, and records every registration the way the engine sees it: type, name, URN,
 * inputs, parent, dependencies, property dependencies, protect and ignoreChanges.
 */
export async function synthesize(stack: string, overrides: Record<string, string | undefined> = {}): Promise<SynthResult> {
    const config = { ...readStackConfig(stack), ...overrides };
    for (const [k, v] of Object.entries(config)) if (v === undefined) delete config[k];
    return runProgram(stack, config as Record<string, string>, loadProgram);
}

/**
 * Runs any program function under the mock runtime with the given config and records what it
 * registers; `synthesize` runs the stack program, tests run single components through it.
 */
export async function runProgram(stack: string, config: Record<string, string>, program: () => unknown): Promise<SynthResult> {
    pulumi.runtime.setAllConfig(config);
    // Resources and invokes through an explicit provider (a second region) answer with its region.
    const providerRegions = new Map<string, string>();
    // The region the provider would resolve (the program refuses a stack with none; a component run by a test may set none).
    const defaultRegion = resolveRegion(config, process.env)?.region ?? "us-east-1";
    const regionOf = (providerRef: string | undefined) => providerRegions.get(providerRef?.split("::").pop() ?? "") ?? defaultRegion;

    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                const id = `${args.name}-id`;
                if (args.type === "pulumi:providers:aws" && typeof args.inputs.region === "string") providerRegions.set(id, args.inputs.region);
                const state = mockResourceState(args.type, args.name, args.inputs, regionOf(args.provider));
                return { id, state };
            },
            call: (args) => mockCall(args.token, regionOf(args.provider)),
        },
        PROJECT,
        stack,
        false,
    );
    const monitor = pulumi.runtime.getMonitor() as unknown as {
        registerResource(req: RegisterRequest, cb: (err: unknown, res?: { getUrn(): string }) => void): Promise<void>;
        newUrn(parent: string, type: string, name: string): string;
    };
    // The engine qualifies a type with its parent's whole type chain; the mock monitor keeps only the
    // parent's last type, which would print URNs of nested components the CLI never shows.
    monitor.newUrn = (parent, type, name) => {
        const chain = parent ? `${parent.split("::")[2]}$${type}` : type;
        return `urn:pulumi:${stack}::${PROJECT}::${chain}::${name}`;
    };
    const original = monitor.registerResource.bind(monitor);
    // Keep the order the program declared resources in (completions arrive in any order).
    const order: RegisterRequest[] = [];
    const urns = new Map<RegisterRequest, string>();
    monitor.registerResource = (req, cb) => {
        order.push(req);
        return original(req, (err, res) => {
            if (res) urns.set(req, res.getUrn());
            cb(err, res);
        });
    };
    const inputsByUrn = new Map<string, Record<string, unknown>>();

    const exported = program();
    const outputs = await new Promise<Record<string, unknown>>((resolve) => pulumi.output((exported ?? {}) as Record<string, unknown>).apply(resolve));
    await pulumiSettings.waitForRPCs();
    const registered = new Map<string, RegisterRequest>(order.flatMap((req) => (urns.has(req) ? [[urns.get(req)!, req] as const] : [])));

    for (const [urn, req] of registered) {
        inputsByUrn.set(urn, pulumiRpc.deserializeProperties((req as unknown as { getObject(): unknown }).getObject()));
    }
    const resources: StackResource[] = [...registered].map(([urn, req]) => {
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((v, k) => {
            propertyDependencies[k] = v.getUrnsList();
        });
        return {
            urn,
            type: req.getType(),
            name: req.getName(),
            custom: req.getCustom(),
            inputs: inputsByUrn.get(urn) ?? {},
            parent: req.getParent() || undefined,
            dependencies: req.getDependenciesList(),
            propertyDependencies,
            protect: req.getProtect(),
            ignoreChanges: req.getIgnorechangesList(),
        };
    });
    return { stack, resources, outputs };
}

/**
 * infra/lib/bundle.ts stays loaded from one run to the next: it holds no stack's state, only its memo of
 * the functions' esbuild bundles (seconds of bundling per run otherwise), which depend on functions/ alone.
 */
const KEPT = new Set([path.join(ROOT, "infra", "lib", "bundle.ts")]);

/** Loads `infra/index.ts` afresh (a new module instance per run, so each stack gets its own program). */
function loadProgram(): unknown {
    const infra = path.join(ROOT, "infra") + path.sep;
    for (const id of Object.keys(require.cache)) if (id.startsWith(infra) && !KEPT.has(id)) delete require.cache[id];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(path.join(infra, "index.ts"));
}
