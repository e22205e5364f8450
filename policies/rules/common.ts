import type { PolicyResource } from "@pulumi/policy";

/** The AWS-managed keys: encryption the account does not control (no key policy, no rotation choice). */
export function isAwsManagedKey(keyId: string | undefined): boolean {
    return keyId === undefined || /^(alias\/aws\/|arn:aws[a-z-]*:kms:[^:]*:[^:]*:alias\/aws\/)/.test(keyId);
}

/**
 * True when `dependent` refers to `target` through the property `prop`: by the engine's property
 * dependencies (known even in preview, when ARNs and names are not) or, failing that, by value.
 */
export function refersTo(dependent: PolicyResource, prop: string, target: PolicyResource, targetValues: unknown[]): boolean {
    if ((dependent.propertyDependencies[prop] ?? []).some((r) => r.urn === target.urn)) return true;
    const value = JSON.stringify((dependent.props as Record<string, unknown>)[prop] ?? null);
    return targetValues.some((v) => typeof v === "string" && v.length > 0 && value.includes(JSON.stringify(v)));
}
