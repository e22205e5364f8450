import * as fs from "node:fs";
import type { StackResource } from "./resources";

/** A file the policy check cannot read as a stack: printed alone, exit 2. */
export class StackInputError extends Error {}

interface StateResource {
    urn?: unknown;
    type?: unknown;
    custom?: unknown;
    inputs?: unknown;
    outputs?: unknown;
    parent?: unknown;
    dependencies?: unknown;
    propertyDependencies?: unknown;
    protect?: unknown;
    ignoreChanges?: unknown;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** How the engine marks a value it cannot know; policies then report "can't run" instead of guessing. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Secrets in a state file are `{sig, plaintext}` (exported with --show-secrets) or `{sig, ciphertext}`.
 * The engine hands policies the plaintext as a secret value; a ciphertext it cannot decrypt here is
 * unknown to the policies, and its path goes to `hidden` so that a policy needing it fails closed.
 * A value with no secret inside is returned as it is, not copied: a large export is held once.
 */
function fromState(x: unknown, hidden: string[], path: string[] = []): unknown {
    if (Array.isArray(x)) {
        const out = x.map((v, i) => fromState(v, hidden, [...path, String(i)]));
        return out.every((v, i) => v === x[i]) ? x : out;
    }
    if (!isObject(x)) return x;
    if (x[SIG_KEY] === SECRET_SIG) {
        if (typeof x.plaintext === "string") {
            try {
                return { [SIG_KEY]: SECRET_SIG, value: fromState(JSON.parse(x.plaintext), hidden, path) };
            } catch {
                // Not JSON: a corrupt secret, as unreadable as a ciphertext.
            }
        }
        hidden.push(path.join("."));
        return UNKNOWN;
    }
    const entries = Object.entries(x).map(([k, v]) => [k, fromState(v, hidden, [...path, k])] as const);
    return entries.every(([k, v]) => v === x[k]) ? x : Object.fromEntries(entries);
}
const strings = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s): s is string => typeof s === "string") : []);

/**
 * One resource of the file. `final`: an export's outputs are the resource's final state, what the
 * engine's AnalyzeStack sees; a preview's new state has empty outputs for what it would create.
 */
function toResource(r: StateResource, where: string, final: boolean): StackResource {
    if (typeof r.urn !== "string" || !r.urn.startsWith("urn:pulumi:")) throw new StackInputError(`${where} has no valid "urn"`);
    if (typeof r.type !== "string" || r.type === "") throw new StackInputError(`${where} (${r.urn}) has no "type"`);
    const hidden: string[] = [];
    const outputs = isObject(r.outputs) ? (fromState(r.outputs, hidden) as Record<string, unknown>) : undefined;
    const props = isObject(r.inputs) ? (fromState(r.inputs, hidden) as Record<string, unknown>) : (outputs ?? {});
    const stateOutputs = final && outputs && Object.keys(outputs).length > 0 ? outputs : undefined;
    const propertyDependencies: Record<string, string[]> = {};
    if (isObject(r.propertyDependencies)) for (const [k, v] of Object.entries(r.propertyDependencies)) propertyDependencies[k] = strings(v);
    return {
        urn: r.urn,
        type: r.type,
        name: r.urn.slice(r.urn.lastIndexOf("::") + 2),
        custom: r.custom !== false,
        inputs: props,
        ...(stateOutputs ? { outputs: stateOutputs } : {}),
        ...(hidden.length > 0 ? { hiddenSecrets: [...new Set(hidden)] } : {}),
        parent: typeof r.parent === "string" && r.parent !== "" ? r.parent : undefined,
        dependencies: strings(r.dependencies),
        propertyDependencies,
        protect: r.protect === true,
        ignoreChanges: strings(r.ignoreChanges),
    };
}

/** What a stack file holds: final values (an export) or a preview's, where some may be unknown. */
export interface StackFile {
    kind: "export" | "preview";
    resources: StackResource[];
}

/**
 * Reads the resources of a `pulumi stack export` file (deployment version 3), of `pulumi preview --json`
 * output (the new state of every step that keeps a resource) or of `npm run preview:offline -- --json`
 * output (its `resources`, with their inputs), telling them apart by their top-level keys.
 */
export function readStackFile(file: string): StackFile {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new StackInputError(`Cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch (e) {
        throw new StackInputError(`${file} is not JSON: ${(e as Error).message}`);
    }
    if (isObject(doc) && isObject(doc.deployment)) {
        if (doc.version !== 3)
            throw new StackInputError(`${file}: deployment version ${JSON.stringify(doc.version)} is not supported; export with a current Pulumi CLI (version 3)`);
        const resources = doc.deployment.resources ?? [];
        if (!Array.isArray(resources)) throw new StackInputError(`${file}: deployment.resources must be a list`);
        // Each entry is let go once converted, so the parsed document and its resources are not both held whole.
        return {
            kind: "export",
            resources: resources.map((r, i) => {
                resources[i] = undefined;
                return toResource(isObject(r) ? r : {}, `deployment.resources[${i}]`, true);
            }),
        };
    }
    if (isObject(doc) && Array.isArray(doc.steps)) {
        const resources = doc.steps.flatMap((s, i) => {
            if (!isObject(s)) throw new StackInputError(`${file}: steps[${i}] is not an object`);
            if (!isObject(s.newState)) return [];
            return [toResource(s.newState, `steps[${i}].newState`, false)];
        });
        return { kind: "preview", resources };
    }
    if (isObject(doc) && Array.isArray(doc.resources) && isObject(doc.outputs)) {
        const list = doc.resources;
        return { kind: "preview", resources: list.map((r, i) => toResource(isObject(r) ? r : {}, `resources[${i}]`, false)) };
    }
    throw new StackInputError(
        `${file} is not a stack file: expected a 'pulumi stack export' file (version 3, with "deployment"), 'pulumi preview --json' output (with "steps") or 'npm run preview:offline -- --json' output (with "resources" and "outputs")`,
    );
}
