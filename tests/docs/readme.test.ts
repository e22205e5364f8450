// README.md documents what the code has: every config key (its table generated from the settings schema),
// every stack output, every policy with its level per environment, the components' defaults, the stack
// files' values, and the two quick-start commands. Adding any of these without docs fails here.
import { projectStacks } from "../support/run-tool";
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { PRODUCERS_DEFAULTS } from "../../infra/components/producers";
import { STREAM_DEFAULTS } from "../../infra/components/stream";
import { FUNCTION_DEFAULTS } from "../../infra/components/streaming-function";
import { OUTPUT_TYPES } from "../../infra/outputs";
import { policies } from "../../policies/policies";
import { withReadmeTable } from "../../tools/lib/config-docs";
import { readPolicyConfig, resolvePolicyConfig } from "../../tools/lib/policy-engine";

const ROOT = path.resolve(__dirname, "..", "..");
const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

type Row = Record<string, string>;

const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { name: string; config: Record<string, { default: unknown }> };
const stacks = projectStacks();

/** The text under a heading (any level), up to the next heading of the same or a higher level. */
function section(md: string, title: string): string {
    const lines = md.split("\n");
    const start = lines.findIndex((l) => /^#{1,6} /.test(l) && l.replace(/^#+ /, "").trim() === title);
    assert.ok(start >= 0, `README has a section titled "${title}"`);
    const level = /^#+/.exec(lines[start]!)![0].length;
    const end = lines.findIndex((l, i) => i > start && /^#{1,6} /.test(l) && /^#+/.exec(l)![0].length <= level);
    return lines.slice(start + 1, end < 0 ? undefined : end).join("\n");
}

/** The first Markdown table of a text, as rows keyed by the header cells. */
function table(text: string): Row[] {
    const lines = text.split("\n");
    const first = lines.findIndex((l) => l.trim().startsWith("|"));
    assert.ok(first >= 0, "a table");
    const block: string[] = [];
    for (const l of lines.slice(first)) {
        if (!l.trim().startsWith("|")) break;
        block.push(l.trim());
    }
    const cells = (l: string) =>
        l
            .replace(/^\|/, "")
            .replace(/\|$/, "")
            .split(/(?<!\\)\|/)
            .map((c) => c.trim());
    const header = cells(block[0]!);
    return block.slice(2).map((l) => Object.fromEntries(cells(l).map((c, i) => [header[i] ?? String(i), c])));
}

/** A cell's first code span without the backticks (`kinesis-stream-encrypted` -> kinesis-stream-encrypted). */
function codeName(cell: string | undefined): string {
    return /`([^`]*)`/.exec(cell ?? "")?.[1] ?? (cell ?? "").trim();
}

/** The value a cell gives as exactly one code span, read as YAML (`60000` -> 60000, `[]` -> []); undefined otherwise. */
function codeValue(cell: string | undefined): unknown {
    const m = /^`([^`]*)`$/.exec((cell ?? "").trim());
    return m ? parse(m[1]!) : undefined;
}

function rowsByName(rows: Row[], column: string): Map<string, Row> {
    return new Map(rows.map((r) => [codeName(r[column]), r]));
}

/** What the outputs table gets wrong or leaves out about the output contract. */
function outputDocProblems(md: string, types: Record<string, string>): string[] {
    const rows = rowsByName(table(section(md, "Stack outputs")), "output");
    const problems: string[] = [];
    for (const [key, type] of Object.entries(types)) {
        const row = rows.get(key);
        if (!row) problems.push(`${key}: not documented`);
        else if (row.type !== type) problems.push(`${key}: type "${row.type}", the contract says ${type}`);
        else if (!row.meaning) problems.push(`${key}: no meaning`);
    }
    for (const key of rows.keys()) if (!(key in types)) problems.push(`${key}: documented but not an output`);
    return problems;
}

describe("README.md", () => {
    it("has the quick start `npm ci && npm start` and `npm test`, each as its own command", () => {
        const quick = section(README, "Quick start");
        assert.match(quick, /```sh\nnpm ci && npm start\n```/);
        assert.match(quick, /```sh\nnpm test\n```/);
    });

    it("documents every config key with its type, default and what is allowed: the table is what the schema renders (npm run gen:config)", () => {
        assert.equal(withReadmeTable(README), README, "the README's configuration table differs from infra/settings/schema.ts: run npm run gen:config");
        const rows = rowsByName(table(section(README, "Configuration reference")), "key");
        assert.deepEqual([...rows.keys()], Object.keys(project.config), "the table has Pulumi.yaml's keys, in its order");
        for (const [key, decl] of Object.entries(project.config)) assert.deepEqual(codeValue(rows.get(key)?.default), decl.default, `default of ${key}`);
    });

    it("documents every stack output of the contract (OUTPUT_TYPES) with its type", () => {
        assert.deepEqual(outputDocProblems(README, OUTPUT_TYPES), []);
        const known = new Set(outputDocProblems(README, OUTPUT_TYPES));
        const added = outputDocProblems(README, { ...OUTPUT_TYPES, futureOutputArn: "string" }).filter((p) => !known.has(p));
        assert.deepEqual(added, ["futureOutputArn: not documented"], "an output added without docs is reported");
    });

    it("shows another team's program using streamingStack() with a <org>/kinesis-streaming/<stack> reference", () => {
        const consuming = section(README, "Consuming this stack");
        assert.match(consuming, new RegExp(`streamingStack\\("acme/${project.name}/prod"\\)`));
        assert.match(consuming, /import \{ streamingStack \}/);
    });

    it("lists every policy of the pack with its level in each environment's pack config", () => {
        const rows = rowsByName(table(section(README, "Policies")), "policy");
        const names = policies.map((p) => p.name);
        assert.deepEqual([...rows.keys()].sort(), [...names].sort(), "the README's policies are the pack's policies");
        for (const env of stacks) {
            const file = path.join(ROOT, "policies", "config", `${env}.json`);
            const resolved = resolvePolicyConfig(policies, fs.existsSync(file) ? readPolicyConfig(file) : {});
            for (const name of names) assert.equal(rows.get(name)?.[env], resolved[name]!.enforcementLevel, `${name} in ${env}`);
        }
        assert.match(section(README, "Policies"), /\(policies\/README\.md\)/, "links policies/README.md");
    });

    const componentDefaults: [string, Record<string, unknown>][] = [
        ["Stream", STREAM_DEFAULTS],
        ["Producers", PRODUCERS_DEFAULTS],
        ["Lambda functions", FUNCTION_DEFAULTS],
    ];
    for (const [title, defaults] of componentDefaults) {
        it(`documents every default of the ${title} component with its value, under Default settings`, () => {
            assert.ok(section(README, "Default settings").includes(`### ${title}`), `"### ${title}" is part of Default settings`);
            const rows = rowsByName(table(section(README, title)), "setting");
            assert.deepEqual([...rows.keys()].sort(), Object.keys(defaults).sort());
            for (const [key, value] of Object.entries(defaults)) assert.deepEqual(codeValue(rows.get(key)?.default), value, `${title}: ${key}`);
        });
    }

    it("shows what each stack file sets, per environment", () => {
        const rows = rowsByName(table(section(README, "Per-environment values")), "key");
        for (const stack of stacks) {
            const doc = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> };
            for (const [fullKey, value] of Object.entries(doc.config ?? {})) {
                const key = fullKey.startsWith(`${project.name}:`) ? fullKey.slice(project.name.length + 1) : fullKey;
                const cell = rows.get(key)?.[stack];
                assert.ok(cell !== undefined, `Pulumi.${stack}.yaml sets ${key}: the table has a row for it and a ${stack} column`);
                for (const v of [value].flat()) assert.ok(cell.includes(String(v)), `${stack} ${key}: "${cell}" should show ${String(v)}`);
            }
        }
    });
});
