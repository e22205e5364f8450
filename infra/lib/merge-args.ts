import * as pulumi from "@pulumi/pulumi";

/** The value an `Input<T>` carries, whether given plain, as a Promise or as an Output. */
type Unwrapped<V> = V extends pulumi.OutputInstance<infer U> ? U : V extends Promise<infer U> ? U : V;
/** A nested block given in part (one level: deeper blocks are given whole, the merge still goes deeper). */
type PartialBlock<V> = V extends readonly unknown[] ? never : V extends object ? { [P in keyof V]?: V[P] } : never;

/**
 * A resource's args as a caller passes them through a component (`streamArgs`, `functionArgs`, ...):
 * every property optional, and a nested block (`extendedS3Configuration`, `destinationConfig`) may be
 * given in part, so `{ extendedS3Configuration: { bufferingSize: 128 } }` type-checks.
 */
export type ArgsOverrides<T> = { [K in keyof T]?: T[K] | PartialBlock<Unwrapped<NonNullable<T[K]>>> };

export interface MergeContext {
    /** The component whose child this is, e.g. `LambdaConsumer`: warnings name it. */
    component: string;
    /** The pass-through arg, e.g. `eventSourceMappingArgs`: warnings and errors name it. */
    arg: string;
    /** The component, so `pulumi.log.warn` attaches the warning to it in the CLI's output. */
    resource?: pulumi.Resource;
}

type Obj = Record<string, unknown>;

/** Object literals only: Outputs, Promises, Resources, Assets and arrays are values, never merged into. */
function isPlainObject(v: unknown): v is Obj {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
    const proto = Object.getPrototypeOf(v);
    return proto === Object.prototype || proto === null;
}

function sameValue(a: unknown, b: unknown): boolean {
    if (a === b) return true;
    if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
    if (isPlainObject(a) && isPlainObject(b)) {
        const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
        return [...keys].every((k) => sameValue(a[k], b[k]));
    }
    return false;
}

function describe(v: unknown): string {
    if (v === undefined) return "unset";
    if (pulumi.Output.isInstance(v) || v instanceof Promise) return "the component's value";
    return JSON.stringify(v);
}

/** Caller's values over the defaults: `undefined` never erases a default (as `withDefaults`); plain objects are copied, never shared. */
function overlay(base: Obj, top: Obj): Obj {
    const out: Obj = {};
    for (const [k, v] of Object.entries(base)) out[k] = isPlainObject(v) ? overlay(v, {}) : v;
    for (const [k, v] of Object.entries(top)) {
        if (v === undefined) continue;
        out[k] = isPlainObject(v) ? overlay(isPlainObject(out[k]) ? out[k] : {}, v) : v;
    }
    return out;
}

function valueAt(o: unknown, keys: string[]): unknown {
    return keys.reduce<unknown>((v, k) => (isPlainObject(v) ? v[k] : undefined), o);
}

/** Puts the default's value (or its absence) back at `path`, warning when the caller asked for another. */
function force(merged: Obj, defaults: Obj, given: Obj, path: string, ctx: MergeContext): void {
    const keys = path.split(".");
    const parents = keys.slice(0, -1);
    const last = keys[keys.length - 1] ?? path;
    const kept = valueAt(defaults, keys);
    const asked = valueAt(given, keys);
    let parent: Obj = merged;
    for (const [i, k] of parents.entries()) {
        const next = parent[k];
        if (next === undefined && kept === undefined) return;
        if (!isPlainObject(next)) {
            throw new Error(
                `${ctx.component}: ${ctx.arg}.${keys.slice(0, i + 1).join(".")} must be an object literal, not an Output or a Promise: the component forces ${path} inside it`,
            );
        }
        parent = next;
    }
    if (asked !== undefined && !sameValue(asked, kept)) {
        pulumi.log.warn(`${ctx.component}: ${ctx.arg}.${path} is a safety setting the component forces; the override was ignored and ${describe(kept)} kept`, ctx.resource);
    }
    if (kept === undefined) delete parent[last];
    else parent[last] = kept;
}

/** A top-level property, or a dotted path into nested blocks (`destinationConfig.onFailure.destinationArn`). */
export type ForcedPath<T> = (keyof T & string) | `${keyof T & string}.${string}`;

/**
 * The args of a component's child, in three layers (Solutions Constructs' `consolidateProps`):
 * the component's `defaults`, then the caller's `overrides` (its `xxxArgs` pass-through), then
 * what the platform guarantees: at each `forced` path the default's value is put back (or, where
 * the defaults leave it unset, kept unset: a setting a separate resource owns), whatever the
 * caller asked, with a `pulumi.log.warn` naming the component, the property and that it was kept.
 *
 * Merge rule, the same at every depth: object literals (a nested block such as
 * `extendedS3Configuration`, `destinationConfig`, `tags`) merge key by key, so an override changes
 * only what it names; anything else (arrays, strings, numbers, Outputs, Promises, assets) replaces
 * the value below it whole, e.g. `processors` or `shardLevelMetrics`. An `undefined` override keeps
 * the default. A nested block holding a forced path must stay an object literal: an override that
 * replaces it with an Output throws, naming the block.
 */
export function mergeArgs<T extends object>(defaults: T, overrides: ArgsOverrides<T> | undefined, forced: ForcedPath<T>[], ctx: MergeContext): T {
    const given = (overrides ?? {}) as Obj;
    const merged = overlay(defaults as Obj, given);
    for (const path of forced) force(merged, defaults as Obj, given, path, ctx);
    return merged as T;
}
