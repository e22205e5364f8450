// The pack's metadata is the one source of its docs: policies/README.md's rule table is what
// `npm run gen:policy-docs` renders from it, and the metadata agrees with the policies it describes.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { definitions, policies } from "../../policies/policies";
import { POLICY_README, readEnvConfigs, renderRuleTable, TABLE_END, TABLE_START, withRuleTable } from "../../tools/lib/policy-docs";

describe("policies/README.md rule table", () => {
    it("is the table npm run gen:policy-docs renders (run it after changing a policy, its metadata or a config file)", () => {
        const readme = fs.readFileSync(POLICY_README, "utf8");
        assert.equal(readme, withRuleTable(readme, renderRuleTable(definitions, readEnvConfigs())));
    });

    it("shows each environment's level, so a config change changes the table", () => {
        const configs = readEnvConfigs();
        const row = (table: string) => table.split("\n").find((l) => l.startsWith("| `kinesis-stream-customer-key` |"))!;
        assert.match(row(renderRuleTable(definitions, configs)), /\| medium \| advisory \| mandatory \| mandatory \|/);
        const relaxed = { ...configs, prod: { ...configs.prod, "kinesis-stream-customer-key": "disabled" as const } };
        assert.match(row(renderRuleTable(definitions, relaxed)), /\| medium \| advisory \| mandatory \| disabled \|/);
    });

    it("refuses a README without its markers", () => {
        assert.throws(() => withRuleTable("# no table", "| x |"), new RegExp(`must hold the markers ${TABLE_START.replace(/[()]/g, "\\$&")} and ${TABLE_END}`));
    });
});

describe("policy metadata", () => {
    it("describes every policy of the pack once, in pack order", () => {
        assert.deepEqual(
            definitions.map((d) => d.policy),
            policies,
        );
        assert.equal(new Set(policies.map((p) => p.name)).size, policies.length);
    });

    it("names autoRemediation exactly for the policies that remediate", () => {
        for (const d of definitions) {
            assert.equal(d.autoRemediation !== undefined, "remediateResource" in d.policy && d.policy.remediateResource !== undefined, d.policy.name);
        }
    });

    it("maps the controls the description names (the CLI prints the description with each violation)", () => {
        for (const d of definitions) {
            const named = /Controls: (.+?)\.?$/.exec(d.policy.description ?? "")?.[1];
            assert.ok(named, `${d.policy.name}'s description names its controls`);
            if (d.controls.length === 0) assert.match(named, /^pack-specific/, d.policy.name);
            for (const c of d.controls) assert.ok(named.includes(c.id), `${d.policy.name}: ${c.framework} ${c.id} is in its description's "${named}"`);
        }
    });

    it("gives every policy a remediation and topics, and every partial or unrelated mapping a note", () => {
        for (const d of definitions) {
            assert.ok(d.remediation.length > 0 && d.topics.length > 0 && d.details.length > 0, d.policy.name);
            for (const c of d.controls) if (c.coverage !== "full") assert.ok(c.note, `${d.policy.name}: ${c.framework} ${c.id} (${c.coverage}) says why`);
        }
    });
});
