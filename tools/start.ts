// npm start [-- --rate R] [--records N | --duration S | --follow] [--malformed P] [--seed N] [--json] [--skip-preview]
// What a new user runs first, with no AWS account and no Pulumi CLI:
// 1. the offline preview of the dev stack with its policy check (a mandatory violation stops here, exit 1);
// 2. the pipeline on emulators (tools/local/pipeline.ts): traffic through the real producer client, the
//    real consumer handler driven by a local event source mapping, the local Firehose into s3rver,
//    alerts printed as they happen;
// 3. the report and its reconciliation. Exit 0 when every record is accounted for, 1 otherwise.
// With no bound it runs a demo of about 30 s. Ctrl-C stops sending, drains and reports; a second one,
// a second or more later, stops the drain (local/interrupts.ts).
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { parseFlags, runMain, UsageError } from "./lib/cli";
import { interruptHandler } from "./local/interrupts";

const USAGE = "npm start -- [--rate <records/s>] [--records <n> | --duration <seconds> | --follow] [--malformed <percent>] [--seed <n>] [--json] [--skip-preview]";
const STACK = "dev";
export const DEFAULT_RATE = 100;
export const DEFAULT_DURATION_SECONDS = 30;
export const DEFAULT_MALFORMED_PERCENT = 1;
const MAX_RATE = 10_000;

export interface StartOptions {
    rate: number;
    records: number | undefined;
    durationMs: number | undefined;
    follow: boolean;
    malformedShare: number;
    seed: number;
    json: boolean;
    skipPreview: boolean;
}

function number(flag: string, raw: string | undefined, o: { min: number; max: number; integer: boolean }): number | undefined {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(n) || (o.integer && !Number.isInteger(n)) || n < o.min || n > o.max) {
        throw new UsageError(`--${flag} must be ${o.integer ? "an integer" : "a number"} from ${o.min} to ${o.max}, got ${JSON.stringify(raw)}`);
    }
    return n;
}

/** Reads the flags; a mistake is a UsageError naming the flag and what it takes. */
export function parseStartArgs(args: string[]): StartOptions {
    const { values, positionals } = parseFlags({
        args,
        options: {
            rate: { type: "string" },
            records: { type: "string" },
            duration: { type: "string" },
            follow: { type: "boolean", default: false },
            malformed: { type: "string" },
            seed: { type: "string" },
            json: { type: "boolean", default: false },
            "skip-preview": { type: "boolean", default: false },
        },
        allowPositionals: true,
    });
    if (positionals.length > 0) throw new UsageError(`Unexpected argument ${positionals[0]}`);
    const rate = number("rate", values.rate, { min: 1, max: MAX_RATE, integer: false }) ?? DEFAULT_RATE;
    const records = number("records", values.records, { min: 1, max: 100_000_000, integer: true });
    const duration = number("duration", values.duration, { min: 1, max: 31 * 86_400, integer: false });
    if (records !== undefined && duration !== undefined) throw new UsageError("Give either --records or --duration, not both");
    if (values.follow && (records !== undefined || duration !== undefined)) throw new UsageError("--follow runs until Ctrl-C: it takes no --records or --duration");
    const malformed = number("malformed", values.malformed, { min: 0, max: 100, integer: false }) ?? DEFAULT_MALFORMED_PERCENT;
    const seed = number("seed", values.seed, { min: 0, max: 2 ** 31 - 1, integer: true }) ?? 1;
    return {
        rate,
        records,
        durationMs: values.follow ? undefined : duration !== undefined ? duration * 1000 : records === undefined ? DEFAULT_DURATION_SECONDS * 1000 : undefined,
        follow: values.follow ?? false,
        malformedShare: malformed / 100,
        seed,
        json: values.json ?? false,
        skipPreview: values["skip-preview"] ?? false,
    };
}

/** Step 1: the offline preview and policy check of the dev stack, in its own process (the Pulumi mock runtime stays out of this one). */
function preview(): number {
    const tsx = path.join(__dirname, "..", "node_modules", ".bin", "tsx");
    const run = spawnSync(tsx, [path.join(__dirname, "preview-offline.ts"), "--stack", STACK], { stdio: ["ignore", "inherit", "inherit"] });
    return run.status ?? 1;
}

async function main(): Promise<number> {
    const options = parseStartArgs(process.argv.slice(2));
    // Loaded once the flags are good: a bad flag is told at once.
    const { loadLocalSettings } = await import("./local/settings.js");
    const settings = loadLocalSettings(STACK);
    if (!options.skipPreview) {
        const code = preview();
        if (code !== 0) {
            console.error(`The offline preview of the ${STACK} stack failed (exit ${code}): fix the mandatory violations or config above; nothing was run locally.`);
            return 1;
        }
        console.log("");
    }

    // First Ctrl-C: stop sending, drain, report. Second (not the first delivered twice): stop draining. Third: exit now.
    const stop = new AbortController();
    const abort = new AbortController();
    process.on("SIGINT", interruptHandler({ stop: () => stop.abort(), abort: () => abort.abort(), exit: () => process.exit(130) }));
    process.on("SIGTERM", () => (stop.signal.aborted ? abort.abort() : stop.abort()));

    const [{ runPipeline }, { formatReport }] = await Promise.all([import("./local/pipeline.js"), import("./local/report.js")]);
    const report = await runPipeline({
        settings,
        rate: options.rate,
        ...(options.records !== undefined ? { records: options.records } : {}),
        ...(options.durationMs !== undefined ? { durationMs: options.durationMs } : {}),
        malformedShare: options.malformedShare,
        seed: options.seed,
        out: process.stdout,
        stop: stop.signal,
        abort: abort.signal,
    });
    console.log(formatReport(report));
    console.log('\nNext: deploy it for real, step by step with the Pulumi CLI: README.md, "Deploy with the Pulumi CLI".');
    if (options.json) console.log(JSON.stringify(report));
    return report.lost > 0 ? 1 : 0;
}

// A bad flag is a failure (exit 1): the contract of `npm start` knows 0 and 1 only.
if (require.main === module) runMain(main, USAGE, 1);
