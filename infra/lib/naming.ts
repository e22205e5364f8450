import type { Settings } from "../config";

/**
 * Physical name of a resource other teams address by name (the stream, dashboards):
 * `<project>-<environment>-<suffix>`, stable across `pulumi up` runs.
 */
export function physicalName(settings: Pick<Settings, "project" | "environment">, suffix: string): string {
    return `${settings.project}-${settings.environment}-${suffix}`;
}
