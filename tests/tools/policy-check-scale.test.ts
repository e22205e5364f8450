// policy:check at the size of a real organisation's stacks: its work grows linearly with the stack
// (counted, not timed: every property a policy reads), a long check reports progress and stops at
// once on SIGTERM, and it reads what `npm run preview:offline -- --json` prints.
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pack } from "../../policies/policies";
import { exported, largeStackExport } from "../../tools/bench/large-stack";
import { ProgressReport } from "../../tools/lib/check-progress";
import { runPolicies } from "../../tools/lib/policy-engine";
import { previewStack } from "../../tools/lib/preview";
import { readStackFile } from "../../tools/lib/stack-file";
import { policyCheckMain, USAGE } from "../../tools/policy-check";
import { runInProcess } from "../support/in-process";
import { ROOT, toolCommand } from "../support/run-tool";
import { synthesize } from "../support/stack";

/** @pulumi/policy hands every policy a resource's values through this proxy factory: counting reads through it counts the policies' work. */
const proxyModule = require("@pulumi/policy/proxy") as { unknownCheckingProxy: (o: object) => object };

async function propertyReads(file: string): Promise<{ reads: number; violations: number }> {
    const original = proxyModule.unknownCheckingProxy;
    let reads = 0;
    proxyModule.unknownCheckingProxy = (o) =>
        new Proxy(original(o), {
            get: (target, key) => {
                reads++;
                return (target as Record<string | symbol, unknown>)[key];
            },
        });
    try {
        const { resources } = readStackFile(file);
        const violations = await runPolicies(pack, resources, {}, { valuesFinal: true });
        return { reads, violations: violations.length };
    } finally {
        proxyModule.unknownCheckingProxy = original;
    }
}

describe("policy:check at scale", () => {
    let dir: string;
    /** Writes an export of `copies` copies of the dev stack (a violating copy every 4th) and returns its path. */
    let exportOf: (copies: number) => Promise<string>;

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-scale-"));
        const base = (await synthesize("dev")).resources.map((r) => exported(r));
        exportOf = async (copies) => {
            const file = path.join(dir, `dev-x${copies}.json`);
            fs.writeFileSync(file, largeStackExport("dev", base, copies, 4).text);
            return file;
        };
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("reads about 4x the properties for 4x the resources (a join that scans the stack per resource reads about 16x)", async () => {
        const small = await propertyReads(await exportOf(4));
        const large = await propertyReads(await exportOf(16));
        // Copies 0, 4, 8, 12 carry a violating stream: the findings scale with the copies too.
        assert.ok(small.violations > 0);
        assert.equal(large.violations, 4 * small.violations);
        const ratio = large.reads / small.reads;
        assert.ok(ratio > 3.5 && ratio < 4.5, `property reads grew ${ratio.toFixed(2)}x for 4x the resources (${small.reads} -> ${large.reads})`);
    });

    it("a long check reports progress on stderr and SIGTERM stops it at once with exit 143 and one line", async function () {
        this.timeout(60_000);
        const file = await exportOf(40); // about 2,900 resources: seconds of checking
        const tool = toolCommand("policy-check.ts", [file]);
        const child = spawn(tool.command, tool.args, { cwd: ROOT, env: { ...process.env, POLICY_CHECK_PROGRESS_AFTER_SECONDS: "0" } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        let signalledAt = 0;
        child.stderr.on("data", (d) => {
            stderr += d;
            if (!signalledAt && /resources analyzed/.test(stderr)) {
                signalledAt = Date.now();
                child.kill("SIGTERM");
            }
        });
        const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
        assert.ok(signalledAt > 0, `no progress line before the check ended: ${stderr}`);
        assert.equal(code, 143, stderr);
        assert.ok(Date.now() - signalledAt < 5_000, `stopped ${Date.now() - signalledAt} ms after SIGTERM`);
        assert.equal(stdout, "");
        const lines = stderr.trim().split("\n");
        assert.match(lines.at(-1)!, /^policy:check: stopped by SIGTERM after \d+ s \(.+\); no result$/);
        assert.ok(
            lines.slice(0, -1).every((l) => /^policy:check: .* \(\d+ s\)$/.test(l)),
            stderr,
        );
    });

    describe("progress", () => {
        it("says nothing during the first seconds, then a line every five seconds at most", () => {
            const err: string[] = [];
            let now = 0;
            const report = new ProgressReport({ out: () => {}, err: (l) => err.push(l) }, 3, 0, () => now);
            report.update({ phase: "resources", done: 100, total: 25_000 });
            now = 2_900;
            report.update({ phase: "resources", done: 9_000, total: 25_000 });
            assert.deepEqual(err, []);
            now = 3_000;
            report.update({ phase: "resources", done: 10_000, total: 25_000 });
            now = 7_000;
            report.update({ phase: "resources", done: 14_000, total: 25_000 });
            now = 8_000;
            report.update({ phase: "stack", done: 2, total: 30 });
            assert.deepEqual(err, ["policy:check: 10,000 of 25,000 resources analyzed (3 s)", "policy:check: all resources analyzed, stack policy 3 of 30 running (8 s)"]);
            assert.equal(report.stopped("SIGINT"), "policy:check: stopped by SIGINT after 8 s (all resources analyzed, stack policy 3 of 30 running); no result");
        });
    });

    describe("reads `npm run preview:offline -- --json` output", () => {
        const check = async (doc: unknown, config = "policies/config/dev.json") => {
            const file = path.join(dir, `preview-${Math.random().toString(36).slice(2)}.json`);
            fs.writeFileSync(file, JSON.stringify(doc));
            const cwd = process.cwd();
            process.chdir(ROOT);
            try {
                return await runInProcess((io) => policyCheckMain([file, "--config", config, "--json"], io), USAGE, 2);
            } finally {
                process.chdir(cwd);
            }
        };
        const preview = async () => {
            const p = await previewStack("dev", {}, synthesize);
            return { resources: p.resources, outputs: p.outputs, violations: p.violations, cost: p.cost ?? null };
        };

        it("finds what the offline preview found (dev: nothing), its resources joined by their recorded dependencies", async () => {
            const doc = await preview();
            const r = await check(doc);
            assert.equal(r.status, 0, r.stderr);
            assert.deepEqual(JSON.parse(r.stdout), doc.violations);
        });

        it("finds a violation made in the preview's output", async () => {
            const doc = await preview();
            const stream = doc.resources.find((x) => x.type === "aws:kinesis/stream:Stream")!;
            stream.inputs = { ...stream.inputs, retentionPeriod: 12 };
            const r = await check(doc);
            assert.equal(r.status, 1, r.stderr);
            const found = JSON.parse(r.stdout) as { policyName: string; urn: string }[];
            assert.ok(
                found.some((v) => v.policyName === "kinesis-stream-retention" && v.urn === stream.urn),
                r.stdout,
            );
        });
    });
});
