import { readStackConfig, synthesize as synthesizeProgram, type SynthResult } from "../../tools/lib/synth";
import type { StackResource } from "../../tools/lib/resources";

export type { SynthResult };

/** Synth runs of this test process by stack config, overrides and AWS environment (a run takes about a second). */
const synthesized = new Map<string, Promise<SynthResult>>();

/**
 * `synthesize` of tools/lib/synth, run once per process for the same stack file contents, overrides and
 * AWS_* environment; each caller gets its own copy of the records, so a test that edits one cannot
 * change what another sees. A run that fails is not kept (each caller sees it fail afresh).
 */
export async function synthesize(stack: string, overrides: Record<string, string | undefined> = {}): Promise<SynthResult> {
    const aws = Object.entries(process.env).filter(([k]) => k.startsWith("AWS_"));
    const key = JSON.stringify([stack, readStackConfig(stack), Object.entries(overrides), aws]);
    let run = synthesized.get(key);
    if (!run) {
        run = synthesizeProgram(stack, overrides);
        synthesized.set(key, run);
        run.catch(() => synthesized.delete(key));
    }
    return copy(await run);
}

/** A copy of plain objects and arrays; other values (assets, class instances) are shared as they are. */
function copy<T>(value: T): T {
    if (Array.isArray(value)) return value.map(copy) as T;
    if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)])) as T;
    }
    return value;
}

/** Resources of one type. */
export function ofType(result: SynthResult, type: string): StackResource[] {
    return result.resources.filter((r) => r.type === type);
}

/** The single resource of a type (and name), failing with what was found instead. */
export function one(result: SynthResult, type: string, name?: string): StackResource {
    const found = ofType(result, type).filter((r) => name === undefined || r.name === name);
    if (found.length !== 1) {
        throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
    }
    return found[0]!;
}

/** The parsed JSON of a string input (policies are serialized by pulumi.jsonStringify). */
export function jsonInput<T = unknown>(r: StackResource, key: string): T {
    const v = r.inputs[key];
    if (typeof v !== "string") throw new Error(`${r.name}.${key} is not a JSON string: ${JSON.stringify(v)}`);
    return JSON.parse(v) as T;
}
