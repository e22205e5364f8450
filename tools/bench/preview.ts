// The offline preview's cost: the prod stack program under the mock runtime plus the policy pack
// (what `npm run preview:offline -- --stack prod` does in-process), against the program alone.
// One sample per call: the harness repeats the section and takes the medians.
import { previewStack } from "../lib/preview";
import { synthesize } from "../lib/synth";
import { figure, type BenchSection } from "./types";

async function elapsedMs(run: () => Promise<unknown>): Promise<number> {
    const t = performance.now();
    await run();
    return performance.now() - t;
}

export async function previewBench(): Promise<BenchSection> {
    const resources = (await synthesize("prod")).resources.length; // warm: module loading, first esbuild start
    const program = await elapsedMs(() => synthesize("prod"));
    const preview = await elapsedMs(() => previewStack("prod"));
    return {
        key: "preview",
        title: "Offline preview: the prod program plus the policy pack, against the program alone",
        method:
            `In-process, after one warm-up run of the program. Program: infra/index.ts under Pulumi's mock runtime with Pulumi.prod.yaml ` +
            `(${resources} resources, the Lambda bundles built by esbuild each run). Preview: the same plus the policy pack with ` +
            `policies/config/prod.json through @pulumi/policy's Analyze and AnalyzeStack handlers, and the cost estimate.`,
        figures: [figure("prod stack: offline preview", "ms", Math.round(preview), "the program alone under the mock runtime", Math.round(program))],
    };
}

if (require.main === module) previewBench().then((s) => console.log(JSON.stringify(s, null, 2)));
