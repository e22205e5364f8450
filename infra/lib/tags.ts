import type { Settings } from "../config";

/** Tags every taggable resource of the stack carries: who owns it, who pays for it, where it runs. */
export function stackTags(settings: Settings): Record<string, string> {
    return {
        Project: settings.project,
        Environment: settings.environment,
        Owner: settings.owner,
        CostCenter: settings.costCenter,
        ManagedBy: "pulumi",
    };
}
