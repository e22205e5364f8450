// examples/: each sample input works with its command (run in-process, as `npm run` runs it from the
// project root), gives what examples/README.md says, and the README shows each command with its file.
// The stack export stays a slice of the real dev program: its resources are the program's, with the
// same inputs but for its two deliberate faults.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { replayMain, USAGE as REPLAY_USAGE } from "../../tools/autoscaler-replay";
import { readStackFile } from "../../tools/lib/stack-file";
import { policyCheckMain, USAGE as CHECK_USAGE } from "../../tools/policy-check";
import { runInProcess } from "../support/in-process";
import { ROOT } from "../support/run-tool";
import { synthesize } from "../support/stack";

const EX = (name: string) => path.join(ROOT, "examples", name);
const examplesReadme = fs.readFileSync(EX("README.md"), "utf8");
const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "");

/** The lines of the code block that follows `marker` in examples/README.md. */
function blockAfter(marker: string): string[] {
    const at = examplesReadme.indexOf(marker);
    assert.ok(at >= 0, `examples/README.md says "${marker}"`);
    const block = /```[a-z]*\n([\s\S]*?)```/.exec(examplesReadme.slice(at));
    assert.ok(block, `a code block after "${marker}"`);
    return lines(block[1]!);
}

const check = (args: string[]) => runInProcess((io) => policyCheckMain(args, io), CHECK_USAGE, 2);
const replay = (args: string[]) => runInProcess((io) => replayMain(args, io), REPLAY_USAGE, 2);

describe("examples/", function () {
    this.timeout(60_000);

    describe("dev-stack-export.json with npm run policy:check", () => {
        it("has exactly the violations examples/README.md prints, exit 1", async () => {
            const r = await check([EX("dev-stack-export.json"), "--config", path.join(ROOT, "policies", "config", "dev.json")]);
            assert.equal(r.status, 1, r.stderr);
            assert.deepEqual(lines(r.stdout), blockAfter("prints (exit 1"));
        });

        it("without --config, the pack's own thresholds add the retention violation README mentions", async () => {
            const r = await check([EX("dev-stack-export.json"), "--json"]);
            assert.equal(r.status, 1, r.stderr);
            const names = (JSON.parse(r.stdout) as { policyName: string }[]).map((v) => v.policyName).sort();
            assert.deepEqual(names, ["cloudwatch-alarm-actions", "kinesis-stream-retention", "kms-key-rotation"]);
            assert.match(examplesReadme, /fails `kinesis-stream-retention` \(168 h\)/);
        });

        it("is a pulumi stack export of deployment version 3: manifest, secrets provider, every custom resource with its id, provider, inputs and outputs", () => {
            const doc = JSON.parse(fs.readFileSync(EX("dev-stack-export.json"), "utf8")) as {
                version: number;
                deployment: { manifest: { time: string; version: string }; secrets_providers: { type: string }; resources: Record<string, unknown>[] };
            };
            assert.equal(doc.version, 3);
            assert.match(doc.deployment.manifest.version, /^v3\./);
            assert.ok(doc.deployment.secrets_providers.type);
            const custom = doc.deployment.resources.filter((r) => r.custom === true && !String(r.type).startsWith("pulumi:providers:"));
            for (const r of custom) {
                for (const key of ["id", "provider", "inputs", "outputs", "parent"]) assert.ok(key in r, `${r.urn} has ${key}`);
                assert.match(String(r.provider), /^urn:pulumi:dev::kinesis-streaming::pulumi:providers:aws::default_[\d_]+::[0-9a-f-]{36}$/);
            }
            assert.equal(readStackFile(EX("dev-stack-export.json")).kind, "export");
        });

        it("is a slice of the dev program: its resources and their inputs, but for the two faults", async () => {
            const program = await synthesize("dev");
            const byUrn = new Map(program.resources.map((r) => [r.urn, r]));
            const exported = readStackFile(EX("dev-stack-export.json")).resources.filter((r) => r.type.startsWith("aws:"));
            assert.equal(exported.length, 9);
            // The IDs AWS assigned, back to the mock runtime's placeholders.
            const text = fs.readFileSync(EX("dev-stack-export.json"), "utf8");
            const keyId = /"keyId": "([0-9a-f-]{36})"/.exec(text)![1]!;
            const topicArn = /"(arn:aws:sns:us-east-1:123456789012:dev-alerts-[0-9a-z]+)"/.exec(text)![1]!;
            const toMock = (x: unknown) =>
                JSON.parse(JSON.stringify(x).replaceAll(keyId, "00000000-0000-0000-0000-000000000000").replaceAll(topicArn, "arn:aws:sns:us-east-1:123456789012:dev-alerts-mock"));
            const faults: string[] = [];
            for (const r of exported) {
                const p = byUrn.get(r.urn);
                assert.ok(p, `${r.urn} is a resource of the dev program`);
                const inputs = toMock(r.inputs) as Record<string, unknown>;
                const want = toMock(p.inputs) as Record<string, unknown>;
                if (r.type === "aws:kms/alias:Alias") want.targetKeyId = "00000000-0000-0000-0000-000000000000";
                for (const key of new Set([...Object.keys(inputs), ...Object.keys(want)])) {
                    if (JSON.stringify(inputs[key]) !== JSON.stringify(want[key])) faults.push(`${r.name}.${key}: ${JSON.stringify(inputs[key])}`);
                }
            }
            assert.deepEqual(faults.sort(), ["dev-key.enableKeyRotation: false", "dev-stream-read-throttled.alarmActions: []", "dev-stream-read-throttled.okActions: []"]);
        });
    });

    describe("prod metrics with npm run autoscaler:replay", () => {
        let json: string;
        let csv: string;
        before(async () => {
            const a = await replay(["--metrics", EX("prod-metrics-get-metric-data.json"), "--stack", "prod", "--json"]);
            const b = await replay(["--metrics", EX("prod-metrics.csv"), "--stack", "prod", "--json"]);
            assert.equal(a.status, 0, a.stderr);
            assert.equal(b.status, 0, b.stderr);
            json = lines(a.stdout).at(-1)!;
            csv = lines(b.stdout).at(-1)!;
        });

        it("the get-metric-data JSON and the CSV give the same replay", () => {
            assert.equal(json, csv);
        });

        it("says what examples/README.md quotes", async () => {
            const r = await replay(["--metrics", EX("prod-metrics.csv"), "--stack", "prod"]);
            assert.equal(r.status, 0, r.stderr);
            const out = lines(r.stdout);
            for (const quoted of blockAfter("Among its lines")) assert.ok(out.includes(quoted), `no line "${quoted}" in\n${r.stdout}`);
            const report = JSON.parse(csv) as { oracle: { shardHours: number }; policies: { autoscaler: { throttledMinutes: number; scalingCalls: number } } };
            assert.equal(report.oracle.shardHours.toFixed(2), "17.83");
            assert.deepEqual([report.policies.autoscaler.throttledMinutes, report.policies.autoscaler.scalingCalls], [4, 4]);
            assert.match(examplesReadme, /`throttled minutes 4`, `scaling calls 4`/);
        });
    });

    it("README.md shows each command with its example, and lists examples/ in the project layout", () => {
        const commands = examplesReadme.match(/^npm run .*examples\/.*$/gm) ?? [];
        assert.equal(commands.length, 3);
        for (const c of commands) assert.ok(readme.includes(c), `README.md shows ${c}`);
        for (const file of fs.readdirSync(path.join(ROOT, "examples")).filter((f) => f !== "README.md")) {
            assert.ok(examplesReadme.includes(`\`${file}\``), `examples/README.md describes ${file}`);
        }
        assert.match(readme, /^\| `examples\/` \|/m);
    });
});
