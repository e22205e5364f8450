// Pulumi.yaml's config section and the README's configuration table, rendered from the schema of
// keys (infra/settings/schema.ts). `npm run gen:config` writes them; tests/infra/config.test.ts fails
// when the committed files differ from what this renders.
import { stringify } from "yaml";
import type { Key } from "../../infra/settings/fields";
import { SCHEMA } from "../../infra/settings/schema";

type Schema = Record<string, Key<unknown>>;

/** The first line of Pulumi.yaml's generated part, which runs to the end of the file. */
export const PULUMI_CONFIG_MARKER = "# Generated from infra/settings/schema.ts by `npm run gen:config`: edit the schema, not this section.";
export const README_TABLE_BEGIN = "<!-- config-table: generated from infra/settings/schema.ts by `npm run gen:config` -->";
export const README_TABLE_END = "<!-- /config-table -->";

/** A value in YAML flow style, as Pulumi.yaml and the README's default column show it. */
function yamlValue(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(yamlValue).join(", ")}]`;
    return typeof value === "string" ? stringify(value, { lineWidth: 0 }).trimEnd() : String(value);
}

/** Pulumi.yaml's `config:` block: every key with its type, description and default, under its section's heading. */
export function pulumiConfigSection(schema: Schema = SCHEMA): string {
    const lines = [PULUMI_CONFIG_MARKER, "config:"];
    let section = "";
    for (const [key, def] of Object.entries(schema)) {
        if (def.section !== section) {
            section = def.section;
            lines.push(`  # ${section}`);
        }
        lines.push(`  ${key}:`, `    type: ${def.type}`);
        if (def.type === "array") lines.push("    items:", "      type: string");
        lines.push(`    description: ${yamlValue(def.description)}`, `    default: ${yamlValue(def.default)}`);
    }
    return `${lines.join("\n")}\n`;
}

/** One Markdown table cell: a pipe would end the cell. */
const cell = (text: string) => text.replace(/\|/g, "\\|");

/** The README's configuration table, one row per key in schema order. */
export function readmeConfigTable(schema: Schema = SCHEMA): string {
    const rows = Object.entries(schema).map(([key, def]) => {
        const type = def.type === "array" ? "array of string" : def.type;
        return `| \`${key}\` | ${type} | \`${yamlValue(def.default)}\` | ${cell(def.allowed)} | ${cell(def.doc)} |`;
    });
    return ["| key | type | default | allowed | description |", "|---|---|---|---|---|", ...rows].join("\n");
}

/** Pulumi.yaml with its generated part (from the marker to the end) replaced. */
export function withPulumiConfig(pulumiYaml: string, schema: Schema = SCHEMA): string {
    const at = pulumiYaml.indexOf(PULUMI_CONFIG_MARKER);
    if (at < 0) throw new Error(`Pulumi.yaml has no line "${PULUMI_CONFIG_MARKER}" before its config section`);
    return pulumiYaml.slice(0, at) + pulumiConfigSection(schema);
}

/** README.md with the text between the table's markers replaced. */
export function withReadmeTable(readme: string, schema: Schema = SCHEMA): string {
    const begin = readme.indexOf(README_TABLE_BEGIN);
    const end = readme.indexOf(README_TABLE_END);
    if (begin < 0 || end < begin) throw new Error(`README.md has no "${README_TABLE_BEGIN}" ... "${README_TABLE_END}" around its configuration table`);
    return `${readme.slice(0, begin + README_TABLE_BEGIN.length)}\n${readmeConfigTable(schema)}\n${readme.slice(end)}`;
}
