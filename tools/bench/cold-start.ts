// Cold start: the time to load each Lambda handler module (what Lambda's init phase spends on
// code) for the esbuild bundle the stack deploys, against the same handler loaded unbundled from
// the source tree (each file transpiled alone, dependencies resolved from node_modules); and the
// bundle's size against its budget.
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
import { BUNDLE_BUDGET_KIB, buildBundle, FUNCTIONS_DIR } from "../../infra/lib/bundle";
import { figureOfSamples } from "./aggregate";
import { figure, type BenchFigure, type BenchSection } from "./types";

const ROOT = path.resolve(__dirname, "../..");
const RUNS = 9;
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
    // This machine's node may be older than Lambda's nodejs22.x, for which the SDK emits no such warning
    // (and a warning's stack trace would make node decode the whole source map).
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    // What infra/components/streaming-function.ts sets on every function: node reads the bundle's
    // source map when it loads the bundle.
    NODE_OPTIONS: "--enable-source-maps",
};

/** Handlers that exist in functions/ (those with an index.ts). */
export function handlerNames(): string[] {
    return fs
        .readdirSync(FUNCTIONS_DIR)
        .filter((d) => d !== "shared" && fs.existsSync(path.join(FUNCTIONS_DIR, d, "index.ts")))
        .sort();
}

interface Load {
    /** Wall-clock milliseconds of the require. */
    ms: number;
    /** CPU milliseconds (user + system, every thread) of the require: what a Lambda's share of a vCPU pays, and steadier than wall time on a shared machine. */
    cpuMs: number;
    bytes: number;
}

/** Loads a module in a fresh node process: the time `require` took and the bytes of JavaScript it read (every module file that ended up in require.cache). */
function loadOnce(modulePath: string): Load {
    const script =
        `const c=process.cpuUsage(),t=performance.now();require(${JSON.stringify(modulePath)});const ms=performance.now()-t,u=process.cpuUsage(c);` +
        `const fs=require("fs");const bytes=Object.keys(require.cache).reduce((n,f)=>n+fs.statSync(f).size,0);` +
        `process.stdout.write(JSON.stringify({ms,cpuMs:(u.user+u.system)/1000,bytes}))`;
    const r = spawnSync(process.execPath, ["-e", script], { env: { ...process.env, ...ENV }, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`loading ${modulePath} failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as Load;
}

/**
 * Loads the bundle and the unbundled module RUNS times each, alternating, so each pair sees the same
 * load on a shared machine: the pairs, in order.
 */
function loadPairs(bundledPath: string, unbundledPath: string): { bundled: Load; unbundled: Load }[] {
    const pairs: { bundled: Load; unbundled: Load }[] = [];
    for (let i = 0; i < RUNS; i++) pairs.push({ bundled: loadOnce(bundledPath), unbundled: loadOnce(unbundledPath) });
    return pairs;
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
    // Apart from the unbundled tree, as in Lambda's /var/task: no node_modules to resolve from (protobufjs
    // would otherwise pick up the optional `long` package, which the deployed bundle never has).
    const deployed = fs.mkdtempSync(path.join(os.tmpdir(), "cold-start-bundles-"));
    const figures: BenchFigure[] = [];
    try {
        for (const name of handlerNames()) {
            const { code, sourceMap } = buildBundle(name);
            const bundleDir = path.join(deployed, name);
            fs.mkdirSync(bundleDir);
            fs.writeFileSync(path.join(bundleDir, "index.js"), code);
            fs.writeFileSync(path.join(bundleDir, "index.js.map"), sourceMap);
            const pairs = loadPairs(path.join(bundleDir, "index.js"), path.join(scratch, "functions", name, "index.js"));
            const samples = (of: (l: Load) => number) => pairs.map((p) => ({ value: of(p.bundled), baseline: of(p.unbundled) }));
            // Median, min and max over the processes, each bundled load paired with the unbundled one after it.
            figures.push(
                figureOfSamples(
                    `${name}: module init time`,
                    "ms",
                    "unbundled from the source tree",
                    samples((l) => l.ms),
                ),
            );
            figures.push(
                figureOfSamples(
                    `${name}: module init CPU time`,
                    "ms",
                    "unbundled",
                    samples((l) => l.cpuMs),
                ),
            );
            const { bundled, unbundled } = pairs[0]!;
            figures.push(figure(`${name}: JavaScript loaded`, "KiB", bundled.bytes / 1024, "unbundled: every module file loaded", unbundled.bytes / 1024));
            figures.push(figure(`${name}: bundle size`, "KiB", Buffer.byteLength(code) / 1024, "its budget (infra/lib/bundle.ts)", BUNDLE_BUDGET_KIB[name] ?? 0));
        }
    } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
        fs.rmSync(deployed, { recursive: true, force: true });
    }
    return {
        key: "coldStart",
        title: "Cold start: handler init, esbuild bundle vs unbundled; bundle size vs budget",
        method:
            `For each handler in functions/, the time a fresh node process spends in require() of the handler module (Lambda's init work for our code: ` +
            `module loading, SDK client and Powertools construction), median with min-max of ${RUNS} processes each (bundled and unbundled alternating, each ratio taken within its pair, so both see the same machine load), with the environment variables the stack sets ` +
            `(NODE_OPTIONS=--enable-source-maps included). Bundled: the minified esbuild bundle the stack deploys, with its source map beside it ` +
            `and no node_modules to resolve from, as in Lambda. Baseline: the same source transpiled file by file (esbuild transform, no bundling) ` +
            `and loaded with its dependencies resolved from node_modules, as an unbundled deployment would. Node's own start-up is excluded. ` +
            `Wall-clock and CPU time (user + system, all threads: what a function's share of a vCPU pays, and steadier on a shared machine). ` +
            `JavaScript loaded: the bytes of JavaScript each load reads (the bundle, or every module file in require.cache). ` +
            `Bundle size: the bundle's bytes against the budget tests/infra/bundle-size.test.ts enforces.`,
        figures,
    };
}

if (require.main === module) coldStartBench().then((s) => console.log(JSON.stringify(s, null, 2)));
