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
