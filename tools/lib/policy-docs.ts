// The rule table of policies/README.md, rendered from each policy's metadata (policies/lib/metadata.ts)
// and the environments' pack configs, so the docs cannot drift from the pack: `npm run gen:policy-docs`
// writes it, tests/policies/policy-docs.test.ts fails when the committed table differs.
import * as path from "node:path";
import type { PackPolicy } from "../../policies/lib/metadata";
import { PolicyInputError, readPolicyConfig, resolvePolicyConfig } from "./policy-engine";

export const POLICY_README = path.join(__dirname, "..", "..", "policies", "README.md");
export const TABLE_START = "<!-- rule-table:start (generated from the policies' metadata by npm run gen:policy-docs; do not edit) -->";
export const TABLE_END = "<!-- rule-table:end -->";
export const ENVS = ["dev", "staging", "prod"] as const;
type Env = (typeof ENVS)[number];
type EnvConfigs = Record<Env, ReturnType<typeof readPolicyConfig>>;

const PACK_SPECIFIC = "pack-specific (no Security Hub, AWS Config, cdk-nag or Checkov check)";

/** The committed config of each environment (policies/config/<env>.json). */
export function readEnvConfigs(): EnvConfigs {
    const dir = path.join(path.dirname(POLICY_README), "config");
    return Object.fromEntries(ENVS.map((env) => [env, readPolicyConfig(path.join(dir, `${env}.json`))])) as EnvConfigs;
}

/** "dev", "dev and prod", "dev, staging and prod". */
const and = (items: string[]) => (items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`);

/** What the environments set a config key to, grouped by value ("dev 24, staging and prod 168"); empty when none does. */
function envValues(name: string, key: string, configs: EnvConfigs): string {
    const byValue = new Map<string, Env[]>();
    for (const env of ENVS) {
        const entry = configs[env][name];
        if (typeof entry !== "object" || !(key in entry)) continue;
        const value = JSON.stringify(entry[key]);
        byValue.set(value, [...(byValue.get(value) ?? []), env]);
    }
    return [...byValue].map(([value, envs]) => `${and(envs)} ${value}`).join(", ");
}

function configCell(d: PackPolicy, configs: EnvConfigs): string {
    const keys = Object.entries(d.policy.configSchema?.properties ?? {}).map(([key, s]) => {
        const schema = s.type === "integer" || s.type === "number" ? `${s.type} ${s.minimum}–${s.maximum} (${s.default})` : `${s.type} (${JSON.stringify(s.default)})`;
        const set = envValues(d.policy.name, key, configs);
        return `\`${key}\`: ${schema}${set ? `; ${set}` : ""}`;
    });
    if (d.configNote) keys.push(d.configNote);
    return keys.length > 0 ? keys.join("; ") : "none";
}

function controlsCell(d: PackPolicy): string {
    if (d.controls.length === 0) return PACK_SPECIFIC;
    const mapped = d.controls.map((c) => `${c.framework} ${c.id} (${c.coverage}${c.note ? `: ${c.note}` : ""})`).join("; ");
    return d.controls.some((c) => c.coverage !== "none") ? mapped : `pack-specific; related: ${mapped}`;
}

/** The Markdown table, one row per policy in pack order. */
export function renderRuleTable(definitions: PackPolicy[], configs: EnvConfigs): string {
    const levels = ENVS.map((env) =>
        resolvePolicyConfig(
            definitions.map((d) => d.policy),
            configs[env],
        ),
    );
    const rows = definitions.map((d) => {
        const what = d.autoRemediation ? `${d.details} **Remediable**: ${d.autoRemediation}.` : d.details;
        const cells = [`\`${d.policy.name}\``, d.severity, ...levels.map((l) => l[d.policy.name]!.enforcementLevel), what, configCell(d, configs), d.remediation, controlsCell(d)];
        return `| ${cells.join(" | ")} |`;
    });
    return [
        "| policy | severity | dev | staging | prod | what and why | config (default) | remediation | controls (coverage) |",
        "|---|---|---|---|---|---|---|---|---|",
        ...rows,
    ].join("\n");
}

/** `readme` with the text between the markers replaced by `table`. */
export function withRuleTable(readme: string, table: string): string {
    const start = readme.indexOf(TABLE_START);
    const end = readme.indexOf(TABLE_END);
    if (start < 0 || end < start) throw new PolicyInputError(`policies/README.md must hold the markers ${TABLE_START} and ${TABLE_END}, in that order`);
    return `${readme.slice(0, start + TABLE_START.length)}\n${table}\n${readme.slice(end)}`;
}
