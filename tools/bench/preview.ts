// The offline preview's cost: the prod stack program under the mock runtime plus the policy pack
// (what `npm run preview:offline -- --stack prod` does in-process), against the program alone.
import { previewStack } from "../lib/preview";
import { synthesize } from "../lib/synth";
import { figure, type BenchSection } from "./types";

const RUNS = 3;

async function medianMs(run: () => Promise<unknown>): Promise<number> {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        await run();
        times.push(performance.now() - t);
    }
    return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
}

export async function previewBench(): Promise<BenchSection> {
    await synthesize("prod"); // warm: module loading, first esbuild start
    const program = await medianMs(() => synthesize("prod"));
    const preview = await medianMs(() => previewStack("prod"));
    const resources = (await synthesize("prod")).resources.length;
    return {
        key: "preview",
        title: "Offline preview: the prod program plus the policy pack, against the program alone",
        method:
            `Median of ${RUNS} in-process runs after one warm-up. Program: infra/index.ts under Pulumi's mock runtime with Pulumi.prod.yaml ` +
            `(${resources} resources, the four Lambda bundles built by esbuild each run). Preview: the same plus the policy pack with ` +
            `policies/config/prod.json through @pulumi/policy's Analyze and AnalyzeStack handlers, and the cost estimate.`,
        figures: [figure("prod stack: offline preview", "ms", preview, "the program alone under the mock runtime", program)],
    };
}

if (require.main === module) previewBench().then((s) => console.log(JSON.stringify(s, null, 2)));
