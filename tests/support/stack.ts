import { synthesize, type SynthResult } from "../../tools/lib/synth";
import type { StackResource } from "../../tools/lib/resources";

export { synthesize, type SynthResult };

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
