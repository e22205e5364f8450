// The Lambda bundles hold what their handlers run, and stay within their size budgets (cold start:
// the bytes a function's init reads and compiles). Each bundle is built once, with the options the
// stack deploys it with; the metafile says which module files went in.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildSync } from "esbuild";
import { BUNDLE_BUDGET_KIB, type Bundle, buildBundle, bundleOptions, FUNCTIONS_DIR } from "../../infra/lib/bundle";

const FUNCTIONS = fs
    .readdirSync(FUNCTIONS_DIR)
    .filter((d) => fs.existsSync(path.join(FUNCTIONS_DIR, d, "index.ts")))
    .sort();

/** The AWS SDK clients each handler constructs: no other client may be bundled. */
const CLIENTS: Record<string, string[]> = {
    autoscaler: ["client-cloudwatch", "client-dynamodb", "client-kinesis", "client-sns"],
    consumer: ["client-dynamodb", "client-s3", "client-sns"],
    "firehose-transform": [],
    ingest: ["client-kinesis"],
    replicator: ["client-kinesis"],
};

/** Whether the handler writes KPL aggregates (aws-kinesis-agg's encoder, protobufjs): reading them takes only functions/shared/kpl-message.ts. */
const KPL_ENCODER: Record<string, boolean> = { autoscaler: false, consumer: false, "firehose-transform": false, ingest: true, replicator: true };

/** Module files no bundle may carry, and why. */
const NEVER: [RegExp, string][] = [
    [/node_modules\/zod\/v4\/classic\//, "classic zod (does not tree-shake; the functions use zod/mini)"],
    [/node_modules\/zod\/v4\/locales\/(?!en\.js$)/, "a zod locale other than English"],
    [/node_modules\/@(aws-sdk|smithy|aws-lambda-powertools)\/[^/]+\/(dist-cjs|lib\/cjs)\//, "a CommonJS build of the SDK or Powertools (their ES module builds tree-shake)"],
    [/node_modules\/@aws-sdk\/(credential-provider-(ini|sso|process|web-identity)|nested-clients|token-providers)\//, "a credential source Lambda never reaches"],
    [/node_modules\/protobufjs\/src\/(parse|tokenize)\.js$/, "protobufjs's .proto parser (aws-kinesis-agg loads JSON)"],
];

const bundles = new Map<string, Bundle>();
const bundled = (name: string) => bundles.get(name) ?? assert.fail(`no bundle for ${name}`);
/** Module files that put bytes into the bundle. */
const inputs = (b: Bundle) =>
    Object.entries(Object.values(b.metafile.outputs).find((o) => o.entryPoint)?.inputs ?? {})
        .filter(([, v]) => v.bytesInOutput > 0)
        .map(([f]) => f);

/** A module of functions/ bundled with the functions' options, written where it can be required. */
function bundleModule(dir: string, contents: string): string {
    const { outputFiles } = buildSync({
        ...bundleOptions("ingest"),
        entryPoints: undefined,
        stdin: { contents, resolveDir: FUNCTIONS_DIR, loader: "ts", sourcefile: "entry.ts" },
        sourcemap: false,
    });
    const file = path.join(dir, `m${fs.readdirSync(dir).length}.js`);
    fs.writeFileSync(file, outputFiles[0]!.text);
    return file;
}

describe("Lambda bundles: contents and size budgets", () => {
    let scratch: string;
    before(() => {
        for (const name of FUNCTIONS) bundles.set(name, buildBundle(name));
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-size-"));
    });
    after(() => fs.rmSync(scratch, { recursive: true, force: true }));

    it("every function has a budget, and its bundle is within it", () => {
        assert.deepEqual(Object.keys(BUNDLE_BUDGET_KIB).sort(), FUNCTIONS);
        const over = FUNCTIONS.map((n) => ({ n, kib: Buffer.byteLength(bundled(n).code) / 1024 })).filter(({ n, kib }) => kib > BUNDLE_BUDGET_KIB[n]!);
        assert.deepEqual(
            over.map(({ n, kib }) => `${n}: ${kib.toFixed(1)} KiB > ${BUNDLE_BUDGET_KIB[n]} KiB`),
            [],
        );
    });

    it("no bundle carries classic zod, CommonJS SDK builds, unreachable credential sources or the .proto parser", () => {
        const found = FUNCTIONS.flatMap((n) => inputs(bundled(n)).flatMap((f) => NEVER.filter(([re]) => re.test(f)).map(([, why]) => `${n}: ${f} (${why})`)));
        assert.deepEqual(found, []);
    });

    it("each bundle holds exactly the AWS SDK clients its handler constructs, and the KPL encoder only where aggregates are written", () => {
        for (const name of FUNCTIONS) {
            const files = inputs(bundled(name));
            const clients = new Set(files.map((f) => /node_modules\/@aws-sdk\/(client-[a-z0-9-]+)\//.exec(f)?.[1]).filter((c) => c !== undefined));
            assert.deepEqual([...clients].sort(), CLIENTS[name], name);
            assert.equal(
                files.some((f) => /node_modules\/(aws-kinesis-agg|protobufjs)\//.test(f)),
                KPL_ENCODER[name],
                `${name}: KPL encoder bundled`,
            );
        }
    });

    it("each source map maps only this project's sources (node reads it at init), and our frames still map to TypeScript", () => {
        for (const name of FUNCTIONS) {
            const map = JSON.parse(bundled(name).sourceMap) as { sources: string[]; mappings: string };
            const foreign = map.sources.filter((s) => s.includes("node_modules/"));
            assert.deepEqual(foreign, [], name);
            assert.ok(
                map.sources.some((s) => s.endsWith(`${name}/index.ts`)),
                `${name}: its entry point is mapped`,
            );
        }
        // A frame in our code, from the deployed bundle run with the function's NODE_OPTIONS.
        const { code, sourceMap } = bundled("firehose-transform");
        const dir = fs.mkdtempSync(path.join(scratch, "mapped-"));
        fs.writeFileSync(path.join(dir, "index.js"), code);
        fs.writeFileSync(path.join(dir, "index.js.map"), sourceMap);
        const r = spawnSync(
            process.execPath,
            ["--enable-source-maps", "-e", `require(${JSON.stringify(path.join(dir, "index.js"))}).handler(null).catch((e) => { console.log(e.stack); })`],
            { encoding: "utf8", env: { ...process.env, POWERTOOLS_METRICS_DISABLED: "true" } },
        );
        assert.match(r.stdout + r.stderr, /firehose-transform\/[a-z-]+\.ts:\d+:\d+/, r.stdout + r.stderr);
    });

    it("bundled, zod/mini still reads its issues in English (mini loads no locale of its own)", () => {
        // A fresh process: in this one, classic zod (loaded by infra) has already registered English.
        const file = bundleModule(scratch, `export { validateEvent } from "./shared/events";`);
        const event = { event_type: "order", event_id: "", occurred_at: "x", source: "s", payload: { order_id: "o", user_id: "u", amount: -1, currency: "USD", items: 1.5 } };
        const r = spawnSync(process.execPath, ["-e", `process.stdout.write(JSON.stringify(require(${JSON.stringify(file)}).validateEvent(${JSON.stringify(event)}, 0)))`], {
            encoding: "utf8",
        });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(JSON.parse(r.stdout), {
            ok: false,
            errors: [
                { index: 0, field: "event_id", reason: "Too small: expected string to have >=1 characters" },
                { index: 0, field: "occurred_at", reason: "Invalid ISO datetime" },
                { index: 0, field: "payload.amount", reason: "Too small: expected number to be >=0" },
                { index: 0, field: "payload.items", reason: "Invalid input: expected int, received number" },
            ],
        });
    });

    it("bundled, KPL aggregates round-trip: protobufjs's light build encodes, the hand-written reader decodes", () => {
        const m = require(bundleModule(scratch, `export { entryFor } from "./shared/producer/aggregation"; export { deaggregate } from "./shared/deaggregate";`)) as {
            entryFor(records: object[]): { aggregated: boolean; data: Buffer };
            deaggregate(data: Buffer): { data: Buffer; partitionKey: string; explicitHashKey?: string; subSequenceNumber?: number }[];
        };
        const record = (data: string, partitionKey: string, explicitHashKey?: string) => ({ data: Buffer.from(data), partitionKey, explicitHashKey, hashKey: 1n, enqueuedAt: 0 });
        const entry = m.entryFor([record("a", "k1"), record("bb", "k2", "42"), record("ccc", "k1")]);
        assert.equal(entry.aggregated, true);
        assert.deepEqual(
            m.deaggregate(entry.data).map((u) => [u.data.toString(), u.partitionKey, u.explicitHashKey, u.subSequenceNumber]),
            [
                ["a", "k1", undefined, 0],
                ["bb", "k2", "42", 1],
                ["ccc", "k1", undefined, 2],
            ],
        );
    });

    it("bundled, the SDK's default credential chain takes Lambda's environment credentials, and the machine-only sources decline", async () => {
        const m = require(
            bundleModule(scratch, `export { defaultProvider } from "@aws-sdk/credential-provider-node"; export * as machine from "./shared/lambda-credentials";`),
        ) as {
            defaultProvider(): () => Promise<{ accessKeyId: string; sessionToken?: string }>;
            machine: Record<string, () => () => Promise<unknown>>;
        };
        const saved = { ...process.env };
        try {
            Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIDLAMBDA", AWS_SECRET_ACCESS_KEY: "secret", AWS_SESSION_TOKEN: "token" });
            delete process.env.AWS_PROFILE;
            const creds = await m.defaultProvider()();
            assert.deepEqual([creds.accessKeyId, creds.sessionToken], ["AKIDLAMBDA", "token"]);
        } finally {
            for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
            Object.assign(process.env, saved);
        }
        assert.deepEqual(Object.keys(m.machine).sort(), ["fromIni", "fromProcess", "fromSSO", "fromTokenFile"]);
        for (const [name, source] of Object.entries(m.machine)) {
            await assert.rejects(source()(), (e: Error & { tryNextLink?: boolean }) => e.tryNextLink === true && /are not bundled in this Lambda function/.test(e.message), name);
        }
    });
});
