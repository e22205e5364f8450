// policy:check at the size of a real organisation's stacks: synthetic exports of 1k, 10k and 40k
// resources (copies of the prod program's resources, tools/bench/large-stack.ts) and one of about
// 50 MB, each checked by `npm run policy:check` in its own process. Baseline: the 1k run's CPU seconds
// per 1,000 resources, so each ratio is the check's departure from linear cost.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT, synthesize } from "../lib/synth";
import { exported, largeStackExport } from "./large-stack";
import { figure, type BenchFigure, type BenchSection } from "./types";

const SIZES = [1_000, 10_000, 40_000];
const TARGET_MB = 50;
/** A violating copy every this many (a few violations, as in a mostly compliant organisation). */
const VIOLATION_EVERY = 50;

interface CheckRun {
    seconds: number;
    cpuSeconds: number;
    peakRssMb: number;
    exitCode: number | null;
}

/** The script line of `npm run policy:check` (package.json), so the bench runs what users run, its Node options included. */
function policyCheckCommand(): string[] {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    const words = pkg.scripts["policy:check"]!.split(/\s+/);
    if (words[0] !== "tsx") throw new Error(`policy:check is "${pkg.scripts["policy:check"]}": expected a tsx command`);
    return words.slice(1);
}

/**
 * One `npm run policy:check -- <file>` as its own process (node with tsx's loader, as the npm script
 * runs it): wall seconds, and the child's CPU seconds and peak RSS as its rusage reports them.
 */
function checkOnce(file: string): Promise<CheckRun> {
    const report = path.join(__dirname, "rusage-at-exit.cjs");
    const [nodeOptions, script] = [policyCheckCommand().filter((w) => w.startsWith("--")), policyCheckCommand().filter((w) => !w.startsWith("--"))];
    const args = [...nodeOptions, "--require", report, ...process.execArgv, ...script, file];
    const started = performance.now();
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (d) => (stderr += d));
        child.on("error", reject);
        child.on("close", (exitCode) => {
            const seconds = (performance.now() - started) / 1000;
            const usage = /^rusage (\{.*\})$/m.exec(stderr)?.[1];
            if (!usage || (exitCode !== 0 && exitCode !== 1)) return reject(new Error(`policy:check exited ${exitCode}: ${stderr.slice(-500)}`));
            const u = JSON.parse(usage) as { maxRSS: number; userCPUTime: number; systemCPUTime: number };
            resolve({ seconds, cpuSeconds: (u.userCPUTime + u.systemCPUTime) / 1e6, peakRssMb: u.maxRSS / 1024, exitCode });
        });
    });
}

export async function policyCheckBench(): Promise<BenchSection> {
    const base = (await synthesize("prod")).resources.map((r) => exported(r));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-check-bench-"));
    const bytesPerCopy = largeStackExport("prod", base, 1).text.length;
    const runs: { label: string; resources: number; mb: number; run: CheckRun }[] = [];
    try {
        const plan = [
            { label: "startup", copies: 0 },
            ...SIZES.map((n) => ({ label: `${n / 1000}k resources`, copies: Math.round(n / base.length) })),
            { label: `~${TARGET_MB} MB export`, copies: Math.round((TARGET_MB * 1e6) / bytesPerCopy) },
        ];
        for (const { label, copies } of plan) {
            const e = largeStackExport("prod", base, copies, VIOLATION_EVERY);
            const file = path.join(dir, `${copies}.json`);
            fs.writeFileSync(file, e.text);
            runs.push({ label, resources: e.resources, mb: e.text.length / 1e6, run: await checkOnce(file) });
            fs.rmSync(file);
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
    // The check's own CPU time: the run's less an empty export's (Node, tsx and the pack loading).
    const [startup, ...checks] = runs;
    const perK = (r: (typeof runs)[number]) => (r.run.cpuSeconds - startup!.run.cpuSeconds) / (r.resources / 1000);
    const first = checks[0]!;
    const figures: BenchFigure[] = [
        figure("startup (an export of the root stack only): CPU seconds", "s", startup!.run.cpuSeconds, "the goal for a 50 MB export", 60),
        ...checks.flatMap((r) => [
            figure(
                `${r.label} (${r.resources.toLocaleString("en-US")}, ${r.mb.toFixed(0)} MB): CPU seconds per 1,000 resources`,
                "s",
                perK(r),
                "the same at 1k resources (1 = linear cost)",
                perK(first),
            ),
            figure(`${r.label}: CPU seconds`, "s", r.run.cpuSeconds, "the goal for a 50 MB export", 60),
            figure(`${r.label}: wall seconds`, "s", r.run.seconds, "the goal for a 50 MB export", 60),
            figure(`${r.label}: peak RSS`, "MB", r.run.peakRssMb, "the goal for a 50 MB export (1 GB)", 1024),
        ]),
    ];
    return {
        key: "policyCheck",
        title: "policy:check on synthetic stack exports of 1k to 40k resources and ~50 MB",
        method:
            `Exports built by tools/bench/large-stack.ts: N copies of the prod program's ${base.length} resources (synthesized under the mock ` +
            `runtime, outputs as the mock cloud computes them), each copy renamed (URNs, names, ARNs), a violating stream in every ` +
            `${VIOLATION_EVERY}th copy. Each export is checked once by \`npm run policy:check -- <file>\` in its own process (tsx, the ` +
            `script's Node options): wall seconds from spawn to exit, CPU seconds and peak RSS from the child's rusage. Per 1,000 ` +
            `resources: CPU seconds less those of an export of the root stack alone (startup), as CPU time is what a shared machine ` +
            `does not inflate. Baseline: the 1k run's, so the ratio is the departure from linear cost (a check that scans the stack per ` +
            `resource grows with the square: 40x the resources, 40x the seconds per 1,000). CPU, wall and RSS are also set against ` +
            `the issue's goal for a 50 MB export (60 s, 1 GB), which is a target, not a measurement.`,
        figures,
    };
}

if (require.main === module) policyCheckBench().then((s) => console.log(JSON.stringify(s, null, 2)));
