// npm run bench [-- --json]: every benchmark section, each figure next to its baseline measured in
// the same run, with the ratio (the number to quote on a shared, noisy machine). Method: BENCHMARKS.md.
import * as os from "node:os";
import { autoscalerBench } from "./bench/autoscaler";
import { coldStartBench } from "./bench/cold-start";
import { consumerBench } from "./bench/consumer";
import { policyCheckBench } from "./bench/policy-check";
import { previewBench } from "./bench/preview";
import { producerBench } from "./bench/producer";
import { producerReshardBench } from "./bench/producer-reshard";
import type { BenchSection } from "./bench/types";
import { parseFlags, runMain, UsageError } from "./lib/cli";

const USAGE = "npm run bench [-- --json] [--only <section>[,<section>...]]";
const SECTIONS: Record<string, () => Promise<BenchSection>> = {
    producer: producerBench,
    producerReshard: producerReshardBench,
    consumer: consumerBench,
    coldStart: coldStartBench,
    autoscaler: autoscalerBench,
    preview: previewBench,
    policyCheck: policyCheckBench,
};

function fmt(n: number): string {
    return n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(2) : n.toPrecision(3);
}

runMain(
    async () => {
        const { values, positionals } = parseFlags({ options: { json: { type: "boolean", default: false }, only: { type: "string" } }, allowPositionals: true });
        if (positionals.length > 0) throw new UsageError(`Unexpected argument ${positionals[0]}`);
        const wanted = values.only ? values.only.split(",") : Object.keys(SECTIONS);
        const unknown = wanted.filter((w) => !(w in SECTIONS));
        if (unknown.length > 0) throw new UsageError(`Unknown section ${unknown.join(", ")}; sections: ${Object.keys(SECTIONS).join(", ")}`);

        const machine = {
            cpus: os.cpus().length,
            cpuModel: os.cpus()[0]?.model ?? "unknown",
            memoryGiB: Math.round(os.totalmem() / 2 ** 30),
            node: process.version,
            date: new Date().toISOString(),
        };
        const sections: Record<string, BenchSection> = {};
        for (const key of wanted) {
            if (!values.json) console.log(`\n== ${key} ...`);
            const section = await SECTIONS[key]!();
            sections[section.key] = section;
            if (!values.json) {
                console.log(`== ${section.title}`);
                for (const f of section.figures) console.log(`  ${f.name}: ${fmt(f.value)} ${f.unit} vs ${fmt(f.baseline)} (${f.baselineName}) = ratio ${fmt(f.ratio)}`);
            }
        }
        // JSON: figures keyed by name, so each ratio has a stable path (sections.producer.figures["..."].ratio).
        const json = Object.fromEntries(Object.entries(sections).map(([k, sec]) => [k, { ...sec, figures: Object.fromEntries(sec.figures.map((f) => [f.name, f])) }]));
        if (values.json) console.log(JSON.stringify({ machine, sections: json }));
        return 0;
    },
    USAGE,
    2,
);
