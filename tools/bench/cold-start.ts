// Cold start: the time to load each Lambda handler module (what Lambda's init phase spends on
// code) for the esbuild bundle the stack deploys, against the same handler loaded unbundled from
// the source tree (each file transpiled alone, dependencies resolved from node_modules).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { transformSync } from "esbuild";
import { autoscalerEnvironment } from "../../contracts/env/autoscaler";
import { consumerEnvironment } from "../../contracts/env/consumer";
import { ingestEnvironment, MAX_BODY_BYTES } from "../../contracts/env/ingest";
import { replicatorEnvironment } from "../../contracts/env/replicator";
import { QUARANTINE_BUCKET_ENV } from "../../contracts/quarantine";
import { buildBundle, FUNCTIONS_DIR } from "../../infra/lib/bundle";
import { figure, type BenchFigure, type BenchSection } from "./types";

const ROOT = path.resolve(__dirname, "../..");
const RUNS = 7;
const TOPIC = "arn:aws:sns:us-east-1:123456789012:bench";
/** What the handlers read at init, built as the stack builds it (their environment contracts). */
const ENV = {
    ...ingestEnvironment({ streamName: "bench", maxBodyBytes: MAX_BODY_BYTES.default, aggregation: true }),
    ...consumerEnvironment({ tableName: "bench", alertsTopicArn: TOPIC, fraudAmountThreshold: 10_000, fraudOrdersPerMinute: 5, resultsTtlDays: 90 }),
    [QUARANTINE_BUCKET_ENV]: "bench-archive",
    ...replicatorEnvironment({ replicaStreamName: "bench-replica", replicaRegion: "us-west-2" }),
    ...autoscalerEnvironment({ streamName: "bench", alertsTopicArn: TOPIC }),
    AWS_REGION: "us-east-1",
    POWERTOOLS_METRICS_DISABLED: "true",
};

/** Handlers that exist in functions/ (those with an index.ts). */
export function handlerNames(): string[] {
    return fs
        .readdirSync(FUNCTIONS_DIR)
        .filter((d) => d !== "shared" && fs.existsSync(path.join(FUNCTIONS_DIR, d, "index.ts")))
        .sort();
}

/**
 * Loads the module in fresh node processes: the median milliseconds `require` took over RUNS,
 * and the bytes of JavaScript it read (every module file that ended up in require.cache).
 */
function load(modulePath: string): { ms: number; bytes: number } {
    const script =
        `const t=performance.now();require(${JSON.stringify(modulePath)});const ms=performance.now()-t;` +
        `const fs=require("fs");const bytes=Object.keys(require.cache).reduce((n,f)=>n+fs.statSync(f).size,0);` +
        `process.stdout.write(JSON.stringify({ms,bytes}))`;
    const runs: { ms: number; bytes: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
        const r = spawnSync(process.execPath, ["-e", script], { env: { ...process.env, ...ENV }, encoding: "utf8" });
        if (r.status !== 0) throw new Error(`loading ${modulePath} failed: ${r.stderr}`);
        runs.push(JSON.parse(r.stdout) as { ms: number; bytes: number });
    }
    const ms = runs.map((x) => x.ms).sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
    return { ms, bytes: runs[0]!.bytes };
}

/** functions/ and the contracts they import, transpiled file by file (no bundling) into a scratch tree that resolves node_modules from the project. */
function unbundledTree(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cold-start-"));
    const out = path.join(dir, "functions");
    const walk = (from: string, to: string) => {
        fs.mkdirSync(to, { recursive: true });
        for (const e of fs.readdirSync(from, { withFileTypes: true })) {
            if (e.isDirectory()) walk(path.join(from, e.name), path.join(to, e.name));
            else if (e.name.endsWith(".ts")) {
                const js = transformSync(fs.readFileSync(path.join(from, e.name), "utf8"), { loader: "ts", format: "cjs", target: "node22" }).code;
                fs.writeFileSync(path.join(to, e.name.replace(/\.ts$/, ".js")), js);
            }
        }
    };
    walk(FUNCTIONS_DIR, out);
    walk(path.join(ROOT, "contracts"), path.join(dir, "contracts"));
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
}

export async function coldStartBench(): Promise<BenchSection> {
    const scratch = unbundledTree();
    const figures: BenchFigure[] = [];
    try {
        for (const name of handlerNames()) {
            const { code } = buildBundle(name);
            const bundleDir = path.join(scratch, "bundles", name);
            fs.mkdirSync(bundleDir, { recursive: true });
            fs.writeFileSync(path.join(bundleDir, "index.js"), code);
            const bundled = load(path.join(bundleDir, "index.js"));
            const unbundled = load(path.join(scratch, "functions", name, "index.js"));
            figures.push(figure(`${name}: module init time`, "ms", bundled.ms, "unbundled from the source tree", unbundled.ms));
            figures.push(figure(`${name}: JavaScript loaded`, "KiB", bundled.bytes / 1024, "unbundled: every module file loaded", unbundled.bytes / 1024));
        }
    } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
    }
    return {
        key: "coldStart",
        title: "Cold start: handler init, esbuild bundle vs unbundled",
        method:
            `For each handler in functions/, the time a fresh node process spends in require() of the handler module (Lambda's init work for our code: ` +
            `module loading, SDK client and Powertools construction), median of ${RUNS} processes, with the environment variables the stack sets. ` +
            `Bundled: the minified esbuild bundle the stack deploys. Baseline: the same source transpiled file by file (esbuild transform, no bundling) ` +
            `and loaded with its dependencies resolved from node_modules, as an unbundled deployment would. Node's own start-up is excluded. ` +
            `Size: the bytes of JavaScript each load reads (the bundle, or every module file in require.cache).`,
        figures,
    };
}

if (require.main === module) coldStartBench().then((s) => console.log(JSON.stringify(s, null, 2)));
