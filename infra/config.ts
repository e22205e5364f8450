// The program's only config reader. What a setting is, its default and its checks live in
// infra/settings/ (schema.ts: the keys; rules.ts: the rules across keys; index.ts: the reading).
import * as pulumi from "@pulumi/pulumi";
import { type Settings, settingsFromConfig } from "./settings";

export type { AlertSubscription } from "./settings/alert-subscriptions";
export { parseSubscription } from "./settings/alert-subscriptions";
export { parseSettings, type Settings, settingsFromConfig } from "./settings";
export { PROJECT, SCHEMA, SHARD_LEVEL_METRICS, type StreamMode } from "./settings/schema";

/**
 * The current stack's values, validated. `allConfig()` (not `pulumi.Config`, which cannot list keys)
 * so that a key the program does not read is refused too.
 */
export function loadSettings(): Settings {
    return settingsFromConfig(pulumi.runtime.allConfig(), pulumi.getStack());
}
