// npm run bench's flags: which sections, how many runs each, text or JSON.
import { parseFlags, UsageError } from "../lib/cli";

export const BENCH_USAGE = "npm run bench [-- --json] [--only <section>[,<section>...]] [--runs N]";
/** More runs than this would not fit the bench's time budget for any section. */
export const MAX_RUNS = 20;

export interface BenchOptions {
    json: boolean;
    /** Sections to run, in the order given (all of them by default). */
    sections: string[];
    /** Runs of every section; undefined: each section's default. */
    runs: number | undefined;
}

/** `--runs N`: a whole number from 1 to MAX_RUNS, else a UsageError saying so. */
export function parseRuns(text: string | undefined): number | undefined {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isInteger(n) || n < 1 || n > MAX_RUNS) {
        throw new UsageError(`--runs must be a whole number from 1 to ${MAX_RUNS} (got "${text}")`);
    }
    return n;
}

export function parseBenchArgs(args: readonly string[], known: readonly string[]): BenchOptions {
    const { values, positionals } = parseFlags({
        args: [...args],
        options: { json: { type: "boolean", default: false }, only: { type: "string" }, runs: { type: "string" } },
        allowPositionals: true,
    });
    if (positionals.length > 0) throw new UsageError(`Unexpected argument ${positionals[0]}`);
    const sections = values.only !== undefined ? values.only.split(",").map((s) => s.trim()) : [...known];
    const unknown = sections.filter((w) => !known.includes(w));
    if (unknown.length > 0) throw new UsageError(`Unknown section ${unknown.join(", ")}; sections: ${known.join(", ")}`);
    return { json: values.json ?? false, sections, runs: parseRuns(values.runs) };
}
