import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { type BuildOptions, buildSync, type Metafile } from "esbuild";
import { ownSourcesOnly } from "./source-map";

export const FUNCTIONS_DIR = path.resolve(__dirname, "..", "..", "functions");

export interface Bundle {
    code: string;
    sourceMap: string;
    /** What went into the bundle, byte by byte (esbuild's metafile): tests/infra/bundle-size.test.ts reads it. */
    metafile: Metafile;
}

/** The SDK's credential sources for a developer's machine, never reached in Lambda: see functions/shared/lambda-credentials.ts. */
const MACHINE_CREDENTIAL_SOURCES = [
    "@aws-sdk/credential-provider-ini",
    "@aws-sdk/credential-provider-process",
    "@aws-sdk/credential-provider-sso",
    "@aws-sdk/credential-provider-web-identity",
];

/**
 * Module substitutions in every bundle. aws-kinesis-agg loads its message type with
 * `Root.fromJSON`, which protobufjs's light build has; the full build adds the .proto parser, so it
 * gets light, from the same copy it would load itself.
 */
function aliases(): Record<string, string> {
    const agg = path.dirname(require.resolve("aws-kinesis-agg/lib/common"));
    const credentials = "./shared/lambda-credentials.ts";
    return {
        protobufjs: require.resolve("protobufjs/light", { paths: [agg] }),
        ...Object.fromEntries(MACHINE_CREDENTIAL_SOURCES.map((name) => [name, credentials])),
    };
}

/**
 * esbuild's options for `functions/<name>/index.ts`. What keeps a bundle to what its handler runs
 * (measured per bundle with the metafile and `npm run bench -- --only coldStart`; sizes held to
 * BUNDLE_BUDGET_KIB by tests/infra/bundle-size.test.ts):
 * - `mainFields` module first: the AWS SDK's and Powertools' ES module builds tree-shake; their
 *   CommonJS builds (esbuild's default for platform node) do not: 745 -> 473 KiB for the autoscaler.
 * - The AWS SDK v3 is bundled, not left to the nodejs22.x runtime's copy: that copy's version is not
 *   ours (it changes under a deployed function), and it loads as CommonJS, each client whole:
 *   measured for the replicator, about 925 KiB of JavaScript read at init with the SDK external
 *   (loaded from node_modules as the runtime would) against 345 KiB bundled, and 1.2-1.6x the init time.
 * - the aliases above; functions import zod/mini (classic zod does not tree-shake).
 */
export function bundleOptions(name: string): BuildOptions & { write: false; metafile: true } {
    if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`function name ${JSON.stringify(name)} must be lowercase letters, digits and hyphens`);
    return {
        entryPoints: [path.join(FUNCTIONS_DIR, name, "index.ts")],
        absWorkingDir: FUNCTIONS_DIR,
        bundle: true,
        platform: "node",
        target: "node22",
        format: "cjs",
        mainFields: ["module", "main"],
        alias: aliases(),
        minify: true,
        sourcemap: "linked",
        sourcesContent: false,
        legalComments: "none",
        outfile: path.join(FUNCTIONS_DIR, ".bundle", name, "index.js"),
        write: false,
        metafile: true,
        logLevel: "silent",
    };
}

/**
 * The most each function's bundle (index.js, minified) may weigh, in KiB: its measured size when the
 * budget was set (2026-12-07) plus about 5 %. tests/infra/bundle-size.test.ts enforces it; raise one
 * only for code the handler runs, with the metafile's reason.
 */
export const BUNDLE_BUDGET_KIB: Readonly<Record<string, number>> = {
    autoscaler: 395,
    consumer: 540,
    "firehose-transform": 85,
    ingest: 385,
    replicator: 360,
};

const cache = new Map<string, Bundle>();

/**
 * Bundles `functions/<name>/index.ts` with esbuild, in the Pulumi program itself (no build step
 * before `pulumi up`): minified, with a source map (options: `bundleOptions`). Paths in the output
 * are relative to functions/, so the bundle is byte-identical from any checkout and an unchanged
 * re-run shows no diff.
 */
export function bundle(name: string): Bundle {
    const cached = cache.get(name) ?? buildBundle(name);
    cache.set(name, cached);
    return cached;
}

/** Builds the bundle afresh (`bundle` memoizes it per process: one program run bundles each function once). */
export function buildBundle(name: string): Bundle {
    const options = bundleOptions(name);
    let result: ReturnType<typeof buildSync<typeof options>>;
    try {
        result = buildSync(options);
    } catch (e) {
        // esbuild's error lists each problem with its file and line; that is the whole story.
        const errors = (e as { errors?: { text: string; location?: { file: string; line: number } }[] }).errors ?? [];
        const lines = errors.map((x) => (x.location ? `${x.location.file}:${x.location.line}: ${x.text}` : x.text));
        throw new pulumi.RunError(`Bundling functions/${name} failed:\n  ${lines.join("\n  ") || (e as Error).message}`);
    }
    const code = result.outputFiles.find((f) => f.path.endsWith(".js"))?.text;
    const sourceMap = result.outputFiles.find((f) => f.path.endsWith(".js.map"))?.text;
    if (code === undefined || sourceMap === undefined) throw new Error(`esbuild produced no output for functions/${name}`);
    return { code, sourceMap: ownSourcesOnly(sourceMap), metafile: result.metafile };
}

export function lambdaArchive(name: string): pulumi.asset.AssetArchive {
    const { code, sourceMap } = bundle(name);
    return new pulumi.asset.AssetArchive({
        "index.js": new pulumi.asset.StringAsset(code),
        "index.js.map": new pulumi.asset.StringAsset(sourceMap),
    });
}
