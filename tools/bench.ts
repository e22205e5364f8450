// npm run bench [-- --json] [--only ...] [--runs N]: every benchmark section, each figure next to its
// baseline measured in the same run, with the ratio (the number to quote on a shared, noisy
// machine); each figure the median of its runs, with min and max. Method: BENCHMARKS.md.
import * as os from "node:os";
import { aggregateRuns } from "./bench/aggregate";
import { autoscalerBench } from "./bench/autoscaler";
import { coldStartBench } from "./bench/cold-start";
import { consumerBench } from "./bench/consumer";
import { BENCH_USAGE, parseBenchArgs } from "./bench/options";
import { policyCheckBench } from "./bench/policy-check";
import { previewBench } from "./bench/preview";
import { producerBench } from "./bench/producer";
import { producerReshardBench } from "./bench/producer-reshard";
import type { BenchFigure, BenchSection } from "./bench/types";
import { runMain } from "./lib/cli";

const SECTIONS: Record<string, () => Promise<BenchSection>> = {
    producer: producerBench,
    producerReshard: producerReshardBench,
    consumer: consumerBench,
    coldStart: coldStartBench,
    autoscaler: autoscalerBench,
    preview: previewBench,
    policyCheck: policyCheckBench,
};
/** Runs of a section unless --runs says otherwise. */
const DEFAULT_RUNS = 3;
/**
 * Sections run once by default: slow ones (the reshard run, about 30 s; cold start, which takes its
 * own median over fresh processes; policy:check on 1k-40k resource exports, about 50 s) and deterministic ones (the autoscaler replay: every run the same).
 */
const ONE_RUN_BY_DEFAULT = new Set(["producerReshard", "coldStart", "autoscaler", "policyCheck"]);

function fmt(n: number): string {
    if (Number.isInteger(n)) return String(n);
    return n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(2) : n.toPrecision(3);
}

/** `12.3 (11.0-13.1)`: the median and, over several runs, its range. */
function withRange(f: BenchFigure, k: "value" | "baseline" | "ratio"): string {
    const lo = f.min?.[k];
    const hi = f.max?.[k];
    return lo === undefined || hi === undefined || lo === hi ? fmt(f[k]) : `${fmt(f[k])} (${fmt(lo)}-${fmt(hi)})`;
}

runMain(
    async () => {
        const options = parseBenchArgs(process.argv.slice(2), Object.keys(SECTIONS));
        const machine = {
            cpus: os.cpus().length,
            cpuModel: os.cpus()[0]?.model ?? "unknown",
            memoryGiB: Math.round(os.totalmem() / 2 ** 30),
            node: process.version,
            date: new Date().toISOString(),
            /** 1-minute load average at the start: other work on the machine moves absolute figures. */
            loadAverage: Number(os.loadavg()[0]?.toFixed(2)),
        };
        const sections: Record<string, BenchSection & { runs: number; seconds: number }> = {};
        for (const key of options.sections) {
            const runs = options.runs ?? (ONE_RUN_BY_DEFAULT.has(key) ? 1 : DEFAULT_RUNS);
            const started = performance.now();
            const results: BenchSection[] = [];
            for (let i = 0; i < runs; i++) {
                if (!options.json) console.log(`\n== ${key}, run ${i + 1} of ${runs} ...`);
                results.push(await SECTIONS[key]!());
            }
            // Wall time of all its runs: what the section costs the bench's time budget.
            const section = { ...aggregateRuns(results), runs, seconds: Math.round((performance.now() - started) / 100) / 10 };
            sections[section.key] = section;
            if (!options.json) {
                console.log(`== ${section.title} (${runs > 1 ? `median of ${runs} runs, min-max; ` : ""}${section.seconds} s)`);
                for (const f of section.figures) {
                    console.log(`  ${f.name}: ${withRange(f, "value")} ${f.unit} vs ${withRange(f, "baseline")} (${f.baselineName}) = ratio ${withRange(f, "ratio")}`);
                }
            }
        }
        // JSON: figures keyed by name, so each ratio has a stable path (sections.producer.figures["..."].ratio).
        const json = Object.fromEntries(Object.entries(sections).map(([k, sec]) => [k, { ...sec, figures: Object.fromEntries(sec.figures.map((f) => [f.name, f])) }]));
        if (options.json) console.log(JSON.stringify({ machine, sections: json }));
        return 0;
    },
    BENCH_USAGE,
    2,
);
