import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { buildSync } from "esbuild";

export const FUNCTIONS_DIR = path.resolve(__dirname, "..", "..", "functions");

export interface Bundle {
    code: string;
    sourceMap: string;
}

const cache = new Map<string, Bundle>();

/**
 * Bundles `functions/<name>/index.ts` with esbuild, in the Pulumi program itself (no build step
 * before `pulumi up`): AWS SDK v3 included (the runtime's copy is not pinned), minified, with a
 * source map. Paths in the output are relative to functions/, so the bundle is byte-identical
 * from any checkout and an unchanged re-run shows no diff.
 */
export function bundle(name: string): Bundle {
    const cached = cache.get(name) ?? buildBundle(name);
    cache.set(name, cached);
    return cached;
}

/** Builds the bundle afresh (`bundle` memoizes it per process: one program run bundles each function once). */
export function buildBundle(name: string): Bundle {
    if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`function name ${JSON.stringify(name)} must be lowercase letters, digits and hyphens`);
    let result: ReturnType<typeof buildSync<{ write: false }>>;
    try {
        result = buildSync({
            entryPoints: [path.join(FUNCTIONS_DIR, name, "index.ts")],
            absWorkingDir: FUNCTIONS_DIR,
            bundle: true,
            platform: "node",
            target: "node22",
            format: "cjs",
            minify: true,
            sourcemap: "linked",
            sourcesContent: false,
            legalComments: "none",
            outfile: path.join(FUNCTIONS_DIR, ".bundle", name, "index.js"),
            write: false,
            logLevel: "silent",
        });
    } catch (e) {
        // esbuild's error lists each problem with its file and line; that is the whole story.
        const errors = (e as { errors?: { text: string; location?: { file: string; line: number } }[] }).errors ?? [];
        const lines = errors.map((x) => (x.location ? `${x.location.file}:${x.location.line}: ${x.text}` : x.text));
        throw new pulumi.RunError(`Bundling functions/${name} failed:\n  ${lines.join("\n  ") || (e as Error).message}`);
    }
    const code = result.outputFiles.find((f) => f.path.endsWith(".js"))?.text;
    const sourceMap = result.outputFiles.find((f) => f.path.endsWith(".js.map"))?.text;
    if (code === undefined || sourceMap === undefined) throw new Error(`esbuild produced no output for functions/${name}`);
    return { code, sourceMap };
}

/** The Lambda deployment package of a function: its bundle and source map. */
export function lambdaArchive(name: string): pulumi.asset.AssetArchive {
    const { code, sourceMap } = bundle(name);
    return new pulumi.asset.AssetArchive({
        "index.js": new pulumi.asset.StringAsset(code),
        "index.js.map": new pulumi.asset.StringAsset(sourceMap),
    });
}
