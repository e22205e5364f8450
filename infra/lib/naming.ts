import type { Settings } from "../config";

type Naming = Pick<Settings, "project" | "environment">;

/** `<project>-<environment>`: the prefix of every physical name, unique per stack in an account. */
export function namePrefix(settings: Naming): string {
    return `${settings.project}-${settings.environment}`;
}

/**
 * Physical name of a resource other teams address by name (the stream, dashboards):
 * `<project>-<environment>-<suffix>`, stable across `pulumi up` runs.
 */
export function physicalName(settings: Naming, suffix: string): string {
    return `${namePrefix(settings)}-${suffix}`;
}

/** The provider appends 26 characters to `bucketPrefix` and allows a prefix of at most 37 (63 in all). */
export const BUCKET_PREFIX_MAX = 37;

/**
 * `bucketPrefix` of one of the stack's buckets: `kinesis-<environment>-<purpose>-`, short enough for
 * the 20-character environment names the config accepts (the full project name would not fit).
 */
export function bucketPrefix(settings: Naming, purpose: "archive" | "logs"): string {
    const prefix = `${settings.project.split("-")[0]}-${settings.environment}-${purpose}-`;
    if (prefix.length > BUCKET_PREFIX_MAX) throw new Error(`bucket prefix ${prefix} is longer than ${BUCKET_PREFIX_MAX} characters`);
    return prefix;
}
