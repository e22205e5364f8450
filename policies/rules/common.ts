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
