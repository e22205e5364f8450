// policies/README.md's rule table stays equal to the pack: every policy, its level in each
// environment's config, its config keys with ranges and defaults, its controls.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { pack } from "../../policies/policies";
import { readPolicyConfig, resolvePolicyConfig } from "../../tools/lib/policy-engine";

const ROOT = path.join(__dirname, "..", "..");
const README = fs.readFileSync(path.join(ROOT, "policies", "README.md"), "utf8");
const ENVS = ["dev", "staging", "prod"] as const;

/** The rows of the table under "## Rules", by policy name: [dev, staging, prod, what, config, controls]. */
function ruleRows(): Map<string, string[]> {
    const section = README.split(/^## /m).find((s) => s.startsWith("Rules\n"));
    assert.ok(section, 'policies/README.md has a "## Rules" section');
    const rows = new Map<string, string[]>();
    for (const line of section.split("\n").filter((l) => l.startsWith("| `"))) {
        const cells = line.split(" | ").map((c) => c.replace(/^\| |\s*\|$/g, "").trim());
        const name = cells[0]!.replace(/`/g, "");
        assert.equal(cells.length, 7, `row ${name} has 7 cells`);
        rows.set(name, cells.slice(1));
    }
    return rows;
}

describe("policies/README.md", () => {
    const rows = ruleRows();

    it("has one row per policy of the pack", () => {
        assert.deepEqual([...rows.keys()], pack.policies.map((p) => p.name));
    });

    for (const env of ENVS) {
        it(`gives each policy the level policies/config/${env}.json resolves to`, () => {
            const resolved = resolvePolicyConfig(pack.policies, readPolicyConfig(path.join(ROOT, "policies", "config", `${env}.json`)));
            for (const p of pack.policies) assert.equal(rows.get(p.name)?.[ENVS.indexOf(env)], resolved[p.name]!.enforcementLevel, `${p.name} in ${env}`);
        });
    }

    it("lists each policy's config keys with type, range and default (or none)", () => {
        for (const p of pack.policies) {
            const cell = rows.get(p.name)![4]!;
            const props = Object.entries(p.configSchema?.properties ?? {});
            if (props.length === 0) assert.equal(cell, "none", p.name);
            for (const [key, s] of props) {
                // Numbers with their range and default; lists (and anything else) with their default as JSON.
                const documented =
                    s.type === "integer" || s.type === "number" ? `\`${key}\`: ${s.type} ${s.minimum}–${s.maximum} (${s.default})` : `\`${key}\`: ${s.type} (${JSON.stringify(s.default)})`;
                assert.ok(cell.includes(documented), `${p.name}: ${key} documented as in its schema (${documented}), got: ${cell}`);
            }
        }
    });

    it("names the controls each policy's description maps to", () => {
        for (const p of pack.policies) {
            const controls = /Controls: (.+?)\.?$/.exec(p.description ?? "")?.[1];
            assert.ok(controls, `${p.name}'s description names its controls`);
            assert.equal(rows.get(p.name)![5]!.replace(/`/g, ""), controls, p.name);
        }
    });
});
