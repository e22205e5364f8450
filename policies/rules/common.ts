import type { PolicyResource } from "@pulumi/policy";

/** The AWS-managed keys: encryption the account does not control (no key policy, no rotation choice). */
export function isAwsManagedKey(keyId: string | undefined): boolean {
    return keyId === undefined || /^(alias\/aws\/|arn:aws[a-z-]*:kms:[^:]*:[^:]*:alias\/aws\/)/.test(keyId);
}

/**
 * True when `dependent` refers to `target` through the property `prop`: by the engine's property
 * dependencies (known even in preview, when ARNs and names are not) or, failing that, when
 * `sameValue()` finds the target's value where it belongs. `sameValue` runs only when the
 * dependencies do not decide, so an unknown target name does not stop a link the dependencies
 * prove; reading an unknown value throws @pulumi/policy's UnknownValueError (see `isUnknownValueError`).
 */
export function refersTo(dependent: PolicyResource, prop: string, target: PolicyResource, sameValue: () => boolean): boolean {
    if ((dependent.propertyDependencies[prop] ?? []).some((r) => r.urn === target.urn)) return true;
    return sameValue();
}

/**
 * True for the error @pulumi/policy's property proxy throws when a policy reads a value the engine
 * cannot know during preview (`UnknownValueError`, internal to the package, so matched by name).
 * Rethrown, it makes the engine report "can't run policy ... during preview" (advisory).
 */
export function isUnknownValueError(e: unknown): boolean {
    return e instanceof Error && e.constructor.name === "UnknownValueError";
}

/**
 * Per-check caches: a stack policy gets one `resources` array per check, and the arrays derived from it
 * (ofType) are cached too, so an index built on an array is built once per policy per check, however
 * many resources look things up in it. Stack sizes of tens of thousands of resources need this: a
 * join that scans every candidate for every resource grows with the square of the stack.
 */
const memo = new WeakMap<object, Map<string, unknown>>();

/** `build()` once per `owner` array (or other object) and `key`; later calls get the same value. */
export function memoized<T>(owner: object, key: string, build: () => T): T {
    let cache = memo.get(owner);
    if (!cache) {
        cache = new Map();
        memo.set(owner, cache);
    }
    if (!cache.has(key)) cache.set(key, build());
    return cache.get(key) as T;
}

/**
 * How a join finds its matches without a scan: the values each resource of one side is known by
 * (`keysOf`: a name, a name inside an ARN), which the value matching of the join can only accept
 * when the other side's value is one of them. `name` identifies the index in the per-array cache,
 * so one `keysOf` per name. `keysOf` reads through the unknown-checking proxy: a resource whose
 * keys are unknown in preview is set apart and always checked.
 */
export interface JoinKey {
    name: string;
    keysOf: (r: PolicyResource) => unknown[];
}

interface KeyIndex {
    byKey: Map<unknown, PolicyResource[]>;
    unknown: PolicyResource[];
    position: Map<PolicyResource, number>;
}

function keyIndex(items: PolicyResource[], join: JoinKey): KeyIndex {
    return memoized(items, `key:${join.name}`, () => {
        const index: KeyIndex = { byKey: new Map(), unknown: [], position: new Map() };
        items.forEach((r, i) => {
            index.position.set(r, i);
            try {
                for (const k of new Set(join.keysOf(r))) {
                    const bucket = index.byKey.get(k);
                    if (bucket) bucket.push(r);
                    else index.byKey.set(k, [r]);
                }
            } catch (e) {
                if (!isUnknownValueError(e)) throw e;
                index.unknown.push(r);
            }
        });
        return index;
    });
}

/** `items` by URN, once per array. */
function byUrn(items: PolicyResource[]): Map<string, PolicyResource[]> {
    return memoized(items, "urn", () => {
        const m = new Map<string, PolicyResource[]>();
        for (const r of items) m.set(r.urn, [...(m.get(r.urn) ?? []), r]);
        return m;
    });
}

/** `items` by the URNs their property `prop` depends on, once per array and property. */
function byDependency(items: PolicyResource[], prop: string): Map<string, PolicyResource[]> {
    return memoized(items, `deps:${prop}`, () => {
        const m = new Map<string, PolicyResource[]>();
        for (const r of items) {
            for (const d of new Set((r.propertyDependencies[prop] ?? []).map((x) => x.urn))) {
                const bucket = m.get(d);
                if (bucket) bucket.push(r);
                else m.set(d, [r]);
            }
        }
        return m;
    });
}

/** The union of `extra` and the index's hits and unknowns for `lookup()`, in `items` order; all of `items` when `lookup` is unknown. */
function narrow(items: PolicyResource[], join: JoinKey, lookup: () => unknown[], extra: readonly PolicyResource[]): PolicyResource[] {
    const index = keyIndex(items, join);
    let keys: unknown[];
    try {
        keys = lookup();
    } catch (e) {
        if (!isUnknownValueError(e)) throw e;
        return items; // the value to match is unknown: every item may decide, checked as before
    }
    const picked = new Set<PolicyResource>(extra);
    for (const k of keys) for (const r of index.byKey.get(k) ?? []) picked.add(r);
    for (const r of index.unknown) picked.add(r);
    return [...picked].sort((a, b) => index.position.get(a)! - index.position.get(b)!);
}

/**
 * The candidates `linksOf(dependent, prop, candidates, sameValue)` can link or be undecided about,
 * found through an index instead of a scan: those the property dependencies name, those known by a
 * key in `lookup()` (the dependent's value, read the way `sameValue` reads it), and those whose key
 * is unknown. `linksOf` over them answers as over all candidates, when `sameValue(c)` holds only if
 * `lookup()` holds one of `join.keysOf(c)` and reads nothing `keysOf` and `lookup` did not.
 */
export function candidatesFor(dependent: PolicyResource, prop: string, candidates: PolicyResource[], join: JoinKey, lookup: () => unknown[]): PolicyResource[] {
    const urns = byUrn(candidates);
    const recorded = (dependent.propertyDependencies[prop] ?? []).flatMap((r) => urns.get(r.urn) ?? []);
    return narrow(candidates, join, lookup, recorded);
}

/**
 * The reverse of `candidatesFor`: the `dependents` that may refer to `target` through their `prop` (or props)
 * (by property dependencies, by a key of `join.keysOf(dependent)` equal to one of `lookup()`, the
 * target's value, or with a key unknown), in order: filtering them with the join's own test gives
 * what filtering every dependent would.
 */
export function dependentsOn(target: PolicyResource, prop: string | readonly string[], dependents: PolicyResource[], join: JoinKey, lookup: () => unknown[]): PolicyResource[] {
    const linked = (typeof prop === "string" ? [prop] : prop).flatMap((p) => byDependency(dependents, p).get(target.urn) ?? []);
    return narrow(dependents, join, lookup, linked);
}

/** The resources `dependent` refers to through `prop`, and the unknown that kept a link undecided. */
export interface Links {
    linked: PolicyResource[];
    /** An UnknownValueError met while matching values; only meaningful when `linked` is empty. */
    undecided?: unknown;
}

/**
 * Which of `candidates` `dependent` refers to through its property `prop`.
 *
 * The engine's property dependencies decide first: they are known in preview, when ARNs and
 * names are not. Values are matched (`sameValue`) only for candidates the dependencies do not
 * name, which covers stack files whose resources were written by hand or reference each other
 * by literal names. When the property has recorded dependencies, an unknown value met while
 * matching is ignored (the engine already said where the value comes from); when it has none,
 * the unknown is returned as `undecided` so the caller can rethrow it instead of guessing.
 */
export function linksOf(dependent: PolicyResource, prop: string, candidates: PolicyResource[], sameValue: (candidate: PolicyResource) => boolean): Links {
    const recorded = dependent.propertyDependencies[prop] ?? [];
    const urns = new Set(recorded.map((r) => r.urn));
    const linked = candidates.filter((c) => urns.has(c.urn));
    let undecided: unknown;
    for (const c of candidates) {
        if (urns.has(c.urn)) continue;
        try {
            if (sameValue(c)) linked.push(c);
        } catch (e) {
            if (!isUnknownValueError(e)) throw e;
            if (recorded.length === 0) undecided ??= e;
        }
    }
    return linked.length > 0 ? { linked } : { linked, undecided };
}

/** `linksOf`, rethrowing the unknown when nothing could be linked and a value was unknown. */
export function linkedOrThrow(dependent: PolicyResource, prop: string, candidates: PolicyResource[], sameValue: (candidate: PolicyResource) => boolean): PolicyResource[] {
    const { linked, undecided } = linksOf(dependent, prop, candidates, sameValue);
    if (linked.length === 0 && undecided !== undefined) throw undecided;
    return linked;
}

/**
 * Runs `check` on every item, so one resource whose values are unknown in preview does not hide
 * the findings about the others; the first UnknownValueError is rethrown at the end, which the
 * engine reports once as "can't run policy ... during preview" (advisory) next to the violations.
 */
export function forEachDecidable<T>(items: Iterable<T>, check: (item: T) => void): void {
    let unknown: unknown;
    for (const item of items) {
        try {
            check(item);
        } catch (e) {
            if (!isUnknownValueError(e)) throw e;
            unknown ??= e;
        }
    }
    if (unknown !== undefined) throw unknown;
}

/** Reads `get()`, returning `fallback` when the value is unknown in preview (for lookups that only narrow a search). */
export function orIfUnknown<T>(get: () => T, fallback: T): T {
    try {
        return get();
    } catch (e) {
        if (!isUnknownValueError(e)) throw e;
        return fallback;
    }
}

export const list = <T>(x: T | T[] | undefined | null): T[] => (x === undefined || x === null ? [] : Array.isArray(x) ? x : [x]);

/** One statement of an IAM or resource policy document. */
export interface Statement {
    Sid?: string;
    Effect?: string;
    Principal?: unknown;
    NotPrincipal?: unknown;
    Action?: string | string[];
    NotAction?: string | string[];
    Resource?: string | string[];
    NotResource?: string | string[];
    Condition?: Record<string, Record<string, unknown>>;
}

/**
 * The statements of a policy document given as JSON text or as an object; undefined when it is
 * not a policy document. An unknown document (preview) is rethrown: it is the engine's to report.
 */
export function statementsOf(policy: unknown): Statement[] | undefined {
    try {
        const doc = typeof policy === "string" ? JSON.parse(policy) : policy;
        if (typeof doc !== "object" || doc === null) return undefined;
        // A statement that is not an object grants nothing: skipped rather than crashing the policy.
        return list((doc as { Statement?: Statement | Statement[] }).Statement).filter((st) => typeof st === "object" && st !== null);
    } catch (e) {
        if (isUnknownValueError(e)) throw e;
        return undefined;
    }
}

/** The statement's label in messages: its Sid, or its position. */
export const statementLabel = (s: Statement, i: number): string => s.Sid ?? `#${i}`;

/** True when a principal is everyone: `"*"` or `{ AWS: "*" }` (alone or in a list). */
export function isEveryone(principal: unknown): boolean {
    if (principal === "*") return true;
    if (typeof principal !== "object" || principal === null) return false;
    return list((principal as { AWS?: unknown }).AWS as string | string[] | undefined).includes("*");
}

/** True when `actions` include `action` exactly or through a wildcard (`s3:*`, `sns:Pub*`, `*`), case-insensitively. */
export function coversAction(actions: unknown[], action: string): boolean {
    return actions.some((a) =>
        new RegExp(
            `^${String(a)
                .replace(/[.+?^${}()|[\]\\]/g, "\\$&")
                .replace(/\*/g, ".*")}$`,
            "i",
        ).test(action),
    );
}

/**
 * True for a Deny statement that refuses every request not sent over TLS: everyone as principal,
 * `actions` covered, and the condition `Bool: { "aws:SecureTransport": "false" }`.
 */
export function deniesInsecureTransport(s: Statement, action: string): boolean {
    if (s.Effect !== "Deny" || !isEveryone(s.Principal) || !coversAction(list(s.Action), action)) return false;
    const bool = s.Condition?.Bool ?? s.Condition?.BoolIfExists;
    const secure = bool ? Object.entries(bool).find(([k]) => k.toLowerCase() === "aws:securetransport")?.[1] : undefined;
    return list(secure as unknown[] | undefined).some((v) => v === false || v === "false");
}

/** True for the ARN of the Kinesis stream named `name` (not one of its consumers). */
export function isStreamArnOf(arn: unknown, name: unknown): boolean {
    return (
        typeof arn === "string" && typeof name === "string" && new RegExp(`^arn:aws[a-z-]*:kinesis:[^:]*:[^:]*:stream/${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`).test(arn)
    );
}

/** The last segment of an ARN after `kind/` (`arn:aws:sqs:...:name` has none: the sixth field). */
export function arnName(arn: unknown): string | undefined {
    if (typeof arn !== "string" || !arn.startsWith("arn:")) return undefined;
    const resource = arn.split(":").slice(5).join(":");
    return resource.includes("/") ? resource.slice(resource.indexOf("/") + 1) : resource;
}

/** Reads a nested property of a (proxied) object, `undefined` when a step is missing. */
export function at(obj: unknown, ...path: (string | number)[]): unknown {
    let cur: unknown = obj;
    for (const p of path) {
        if (cur === undefined || cur === null || typeof cur !== "object") return undefined;
        cur = (cur as Record<string | number, unknown>)[p];
    }
    return cur;
}

/**
 * The plain inputs behind @pulumi/policy's unknown-checking proxy, unknown values left as the
 * engine's sentinels: what a remediation spreads and returns, so it can fix one property without
 * reading (and failing on) the others during preview.
 */
export function rawProps(props: Record<string, unknown>): Record<string, unknown> {
    return ((props as Record<string, unknown>).__getSpecialProxyTarget as Record<string, unknown> | undefined) ?? props;
}

/**
 * True when `pred` holds for some item. An item whose values are unknown in preview does not
 * decide: it is skipped while another item may still satisfy `pred`, and its unknown is rethrown
 * only when none does (so preview never passes what it could not see, nor fails what it could).
 */
export function someDecidable<T>(items: Iterable<T>, pred: (item: T) => boolean): boolean {
    let unknown: unknown;
    for (const item of items) {
        try {
            if (pred(item)) return true;
        } catch (e) {
            if (!isUnknownValueError(e)) throw e;
            unknown ??= e;
        }
    }
    if (unknown !== undefined) throw unknown;
    return false;
}
