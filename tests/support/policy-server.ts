// Starts the policy pack the way `pulumi preview --policy-pack policies` does and talks to it over
// the `pulumirpc.Analyzer` gRPC protocol, as the Pulumi engine does.
//
// What the CLI does (pulumi/pulumi sdk/go/common/resource/plugin/analyzer_plugin.go NewPolicyAnalyzer
// and plugin.go newPlugin / execPlugin), and how it is mirrored here:
// - It reads <pack>/PulumiPolicy.yaml. For `runtime: nodejs` it execs the `pulumi-analyzer-policy`
//   plugin, a shell shim (sdk/nodejs/dist/pulumi-analyzer-policy) that does
//   `node "$(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/run-policy-pack'))")" $@`.
//   Here: the same module, resolved from the pack directory, run by the node running the tests
//   (`process.execPath`). The shell is left out so that killing the child kills the pack itself.
// - Working directory: the pack directory. Arguments: `<engine address> .`, then `-<key>=<value>` for
//   each `runtime.options` entry of PulumiPolicy.yaml (ours has none). `--logtostderr`, `-v=N` and
//   `--tracing` come first only with `--logflow` / `--tracing`, which `pulumi preview` does not set.
// - Environment: the CLI's own environment plus PULUMI_CONFIG (the stack config as a JSON map of
//   "project:key" to string), PULUMI_NODEJS_PROJECT / _STACK / _DRY_RUN and PULUMI_PROJECT / _STACK /
//   _DRY_RUN (and *_ORGANIZATION when the backend has one; a local backend has none). Here: this
//   process's environment minus NODE_OPTIONS, TS_NODE_* and PULUMI_* (the test runner's loader
//   settings and whatever the in-process mock runtime left behind, which a shell running `pulumi`
//   would not have), plus the same variables.
// - TypeScript: run-policy-pack registers ts-node itself under node (`typeScript: !process.versions.bun`):
//   `typescript` from node_modules (ours, 6.x) and, as no `ts-node` is installed, the copy vendored in
//   @pulumi/pulumi (ts-node 7.0.1), with type checking on and, without a policies/tsconfig.json, the
//   CLI's defaults (ES2020, nodenext). That works here, so the pack is run exactly that way: no tsx.
// - The child prints its port as the first line of stdout; the CLI dials it, waits for the channel,
//   calls Handshake (UNIMPLEMENTED from @pulumi/policy 1.x, which the CLI accepts), then ConfigureStack
//   (preview/update), GetAnalyzerInfo, Configure (the reconciled policy config), Analyze per resource
//   and AnalyzeStack at the end. Later output on stdout/stderr is only shown to the user.
// - The engine address: run-policy-pack drops it, and the pack only dials an engine named in
//   PULUMI_NODEJS_ENGINE, which the CLI does not set for analyzers. A minimal fake engine
//   (Log, GetRootResource, SetRootResource) still listens there, so the argument is a live address
//   and anything the pack would log is recorded.
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as analyzerrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerproto from "@pulumi/pulumi/proto/analyzer_pb";
import * as engrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engproto from "@pulumi/pulumi/proto/engine_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { parse as parseYaml } from "yaml";
import { analyzeRequest, analyzeStackRequest, configureRequest, type ResolvedPolicyConfig, rootStackUrn, type Violation, violationsOf } from "../../tools/lib/analyzer-protocol";
import type { StackResource } from "../../tools/lib/resources";

export const ROOT = path.resolve(__dirname, "..", "..");
export const PACK_DIR = path.join(ROOT, "policies");

/** Bounds: a cold start type-checks the pack with ts-node (about 6 s here); RPCs answer in milliseconds. */
export const START_TIMEOUT_MS = 60_000;
export const RPC_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

// ---------------------------------------------------------------------------------------------
// Fake engine
// ---------------------------------------------------------------------------------------------

export interface EngineLog {
    severity: number;
    message: string;
    urn: string;
}

/** The `pulumirpc.Engine` service a plugin may call back: Log, GetRootResource, SetRootResource. */
export class FakeEngine {
    readonly logs: EngineLog[] = [];
    private root = "";
    private constructor(
        private readonly server: grpc.Server,
        readonly address: string,
    ) {}

    static async start(): Promise<FakeEngine> {
        const server = new grpc.Server();
        let engine: FakeEngine | undefined;
        const impl: grpc.UntypedServiceImplementation = {
            log: (call: grpc.ServerUnaryCall<engproto.LogRequest, Empty>, cb: grpc.sendUnaryData<Empty>) => {
                engine?.logs.push({ severity: call.request.getSeverity(), message: call.request.getMessage(), urn: call.request.getUrn() });
                cb(null, new Empty());
            },
            getRootResource: (_call: unknown, cb: grpc.sendUnaryData<engproto.GetRootResourceResponse>) => {
                cb(null, new engproto.GetRootResourceResponse().setUrn(engine?.root ?? ""));
            },
            setRootResource: (call: grpc.ServerUnaryCall<engproto.SetRootResourceRequest, unknown>, cb: grpc.sendUnaryData<engproto.SetRootResourceResponse>) => {
                if (engine) engine.root = call.request.getUrn();
                cb(null, new engproto.SetRootResourceResponse());
            },
        };
        server.addService(engrpc.EngineService, impl);
        const port = await new Promise<number>((resolve, reject) =>
            server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
        );
        engine = new FakeEngine(server, `127.0.0.1:${port}`);
        return engine;
    }

    stop(): void {
        this.server.forceShutdown();
    }
}

// ---------------------------------------------------------------------------------------------
// The pack's process
// ---------------------------------------------------------------------------------------------

export interface StackContext {
    project: string;
    stack: string;
    /** The stack's config as the CLI holds it: "project:key" (or "aws:region") to its string value. */
    config: Record<string, string>;
    /** `pulumi preview` is a dry run; `pulumi up` is not. */
    dryRun: boolean;
    /** Stack tags (the engine sends pulumi:project, pulumi:runtime, ...). */
    tags?: Record<string, string>;
}

/** How the child was started: what a reader needs to compare with the CLI. */
export interface Launch {
    command: string;
    args: string[];
    cwd: string;
    /** The variables the CLI adds to its own environment. */
    addedEnv: Record<string, string>;
}

/** The `pulumi-analyzer-policy` invocation for a nodejs pack: argv, cwd and the added environment. */
export function analyzerLaunch(packDir: string, engineAddress: string, ctx: StackContext): Launch {
    const manifest = parseYaml(fs.readFileSync(path.join(packDir, "PulumiPolicy.yaml"), "utf8")) as { runtime?: unknown };
    const runtime = manifest.runtime;
    const runtimeName = typeof runtime === "string" ? runtime : (runtime as { name?: string } | undefined)?.name;
    if (runtimeName !== "nodejs") throw new Error(`PulumiPolicy.yaml runtime is ${JSON.stringify(runtimeName)}; only nodejs packs run through pulumi-analyzer-policy`);
    const options = typeof runtime === "object" && runtime !== null ? ((runtime as { options?: Record<string, unknown> }).options ?? {}) : {};
    const optionArgs = Object.entries(options).flatMap(([k, v]) => (`${v ?? ""}` === "" ? [] : [`-${k}=${String(v)}`]));

    const runScript = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
    const addedEnv: Record<string, string> = {
        PULUMI_CONFIG: goJsonStringMap(ctx.config),
        PULUMI_NODEJS_PROJECT: ctx.project,
        PULUMI_NODEJS_STACK: ctx.stack,
        PULUMI_NODEJS_DRY_RUN: String(ctx.dryRun),
        PULUMI_PROJECT: ctx.project,
        PULUMI_STACK: ctx.stack,
        PULUMI_DRY_RUN: String(ctx.dryRun),
    };
    return { command: process.execPath, args: [runScript, engineAddress, ".", ...optionArgs], cwd: packDir, addedEnv };
}

/** A map[string]string as Go's json.Marshal writes it (constructConfig): keys sorted, <, >, &, U+2028/9 escaped. */
export function goJsonStringMap(m: Record<string, string>): string {
    const sorted = Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const esc: Record<string, string> = { "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029" };
    return JSON.stringify(sorted).replace(/[<>&\u2028\u2029]/g, (c) => esc[c]!);
}

function childEnv(added: Record<string, string>): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
        if (k === "NODE_OPTIONS" || k.startsWith("TS_NODE_") || k.startsWith("PULUMI_")) continue;
        env[k] = v;
    }
    return { ...env, ...added };
}

type AnalyzerMethod = "handshake" | "configureStack" | "getAnalyzerInfo" | "configure" | "analyze" | "analyzeStack" | "remediate";
type Unary<Req, Res> = (req: Req, md: grpc.Metadata, opts: Partial<grpc.CallOptions>, cb: (err: grpc.ServiceError | null, res?: Res) => void) => grpc.ClientUnaryCall;

/** A running policy pack and an engine-side client for it. Call `stop()` (the fixture does). */
export class PolicyPackProcess {
    private stdoutRest = "";
    private stderrText = "";
    private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    private readonly exitPromise: Promise<void>;
    private client: analyzerrpc.AnalyzerClient | undefined;
    private readonly killOnExit = () => this.child.kill("SIGKILL");

    private constructor(
        readonly launch: Launch,
        readonly engine: FakeEngine,
        private readonly child: ChildProcess,
        readonly ctx: StackContext,
    ) {
        this.exitPromise = new Promise((resolve) =>
            child.once("exit", (code, signal) => {
                this.exited = { code, signal };
                resolve();
            }),
        );
        child.stderr?.setEncoding("utf8").on("data", (d: string) => (this.stderrText += d));
        // A spawn failure (no such file, ...) emits "error" and may never emit "exit".
        child.on("error", (e) => {
            this.stderrText += `child process error: ${e.message}\n`;
            if (this.exited === undefined) child.emit("exit", null, null);
        });
        process.once("exit", this.killOnExit);
    }

    /** Starts the pack as the CLI does and runs the CLI's start-up calls (Handshake, ConfigureStack). */
    static async start(ctx: StackContext, packDir = PACK_DIR, timeoutMs = START_TIMEOUT_MS): Promise<PolicyPackProcess> {
        const engine = await FakeEngine.start();
        let launch: Launch;
        try {
            launch = analyzerLaunch(packDir, engine.address, ctx);
        } catch (e) {
            engine.stop();
            throw e;
        }
        const child = spawn(launch.command, launch.args, { cwd: launch.cwd, env: childEnv(launch.addedEnv), stdio: ["pipe", "pipe", "pipe"] });
        const pack = new PolicyPackProcess(launch, engine, child, ctx);
        try {
            const port = await pack.readPort(timeoutMs);
            const client = new analyzerrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
            pack.client = client;
            await new Promise<void>((resolve, reject) =>
                client.waitForReady(Date.now() + timeoutMs, (err) => (err ? reject(pack.failure(`did not accept a connection on port ${port}: ${err.message}`)) : resolve())),
            );
            await pack.handshake();
            await pack.configureStack();
            return pack;
        } catch (e) {
            await pack.stop();
            throw e;
        }
    }

    /** The first line of stdout is the port, as plugin.go newPlugin reads it; the rest is display output. */
    private readPort(timeoutMs: number): Promise<number> {
        const out = this.child.stdout!;
        out.setEncoding("utf8");
        return new Promise((resolve, reject) => {
            let buffer = "";
            let settled = false;
            const finish = (err: Error | undefined, port?: number) => {
                if (settled) return;
                settled = true;
                clearTimeout(timer);
                this.child.off("exit", onExit);
                if (err) reject(err);
                else resolve(port!);
            };
            const timer = setTimeout(() => finish(this.failure(`printed no port within ${timeoutMs} ms`)), timeoutMs);
            const onExit = () => setImmediate(() => finish(this.failure(`exited before printing its port (stdout: ${JSON.stringify(buffer)})`)));
            this.child.once("exit", onExit);
            out.on("data", (d: string) => {
                if (settled) {
                    this.stdoutRest += d;
                    return;
                }
                buffer += d;
                const nl = buffer.indexOf("\n");
                if (nl < 0) return;
                this.stdoutRest += buffer.slice(nl + 1);
                const line = buffer.slice(0, nl).trim();
                const port = Number(line);
                if (!Number.isInteger(port) || port <= 0 || port > 65535) finish(this.failure(`wrote an invalid port to stdout: ${JSON.stringify(line)}`));
                else finish(undefined, port);
            });
        });
    }

    private failure(what: string): Error {
        const status = this.exited ? ` (exit code ${this.exited.code}, signal ${this.exited.signal})` : "";
        return new Error(`policy pack ${this.launch.cwd} ${what}${status}\n--- stderr ---\n${this.stderrText.trim()}`);
    }

    /** One unary call with a deadline, by the client's method name (the generated stubs overload each method). */
    private call<Req, Res>(method: AnalyzerMethod, req: Req): Promise<Res> {
        const client = this.client;
        if (!client) return Promise.reject(new Error("policy pack is not connected"));
        const fn = client[method] as unknown as Unary<Req, Res>;
        return new Promise((resolve, reject) =>
            fn.call(client, req, new grpc.Metadata(), { deadline: Date.now() + RPC_TIMEOUT_MS }, (err, res) => {
                if (err) reject(err);
                else if (res === undefined) reject(new Error(`empty ${method} response`));
                else resolve(res);
            }),
        );
    }

    /** Handshake, as the CLI sends it; UNIMPLEMENTED is accepted (older analyzers), anything else fails. */
    async handshake(): Promise<analyzerproto.AnalyzerHandshakeResponse | "unimplemented"> {
        const req = new analyzerproto.AnalyzerHandshakeRequest();
        req.setEngineAddress(this.engine.address);
        req.setRootDirectory(this.launch.cwd);
        req.setProgramDirectory(this.launch.cwd);
        try {
            return await this.call<analyzerproto.AnalyzerHandshakeRequest, analyzerproto.AnalyzerHandshakeResponse>("handshake", req);
        } catch (e) {
            if ((e as grpc.ServiceError).code === grpc.status.UNIMPLEMENTED) return "unimplemented";
            throw e;
        }
    }

    /** ConfigureStack, sent by the CLI right after start-up during preview and update. */
    async configureStack(): Promise<void> {
        const req = new analyzerproto.AnalyzerStackConfigureRequest();
        req.setStack(this.ctx.stack);
        req.setProject(this.ctx.project);
        req.setDryRun(this.ctx.dryRun);
        for (const [k, v] of Object.entries(this.ctx.config)) req.getConfigMap().set(k, v);
        for (const [k, v] of Object.entries(this.ctx.tags ?? {})) req.getTagsMap().set(k, v);
        await this.call("configureStack", req);
    }

    getAnalyzerInfo(): Promise<analyzerproto.AnalyzerInfo> {
        return this.call<Empty, analyzerproto.AnalyzerInfo>("getAnalyzerInfo", new Empty());
    }

    /** Configure with the per-policy config the CLI reconciled (level and properties for every policy). */
    async configure(config: Record<string, ResolvedPolicyConfig>): Promise<void> {
        await this.call("configure", configureRequest(config));
    }

    /** Analyze of one resource's inputs (the engine's check before the resource changes). */
    analyzeRaw(r: StackResource): Promise<analyzerproto.AnalyzeResponse> {
        return this.call<analyzerproto.AnalyzeRequest, analyzerproto.AnalyzeResponse>("analyze", analyzeRequest(r));
    }

    async analyze(r: StackResource): Promise<Violation[]> {
        return violationsOf(await this.analyzeRaw(r), r.urn);
    }

    /** Remediate of one resource's inputs (the engine calls it before Analyze when a policy is at "remediate"). */
    remediateRaw(r: StackResource): Promise<analyzerproto.RemediateResponse> {
        return this.call<analyzerproto.AnalyzeRequest, analyzerproto.RemediateResponse>("remediate", analyzeRequest(r));
    }

    analyzeStackRaw(resources: StackResource[]): Promise<analyzerproto.AnalyzeResponse> {
        return this.call<analyzerproto.AnalyzeStackRequest, analyzerproto.AnalyzeResponse>("analyzeStack", analyzeStackRequest(resources));
    }

    async analyzeStack(resources: StackResource[]): Promise<Violation[]> {
        return violationsOf(await this.analyzeStackRaw(resources), rootStackUrn(resources));
    }

    /** What a preview reports: Analyze for each resource in order, then AnalyzeStack (no dedup, no sorting). */
    async preview(resources: StackResource[]): Promise<Violation[]> {
        const found: Violation[] = [];
        for (const r of resources) found.push(...(await this.analyze(r)));
        found.push(...(await this.analyzeStack(resources)));
        return found;
    }

    /** Output after the port line (stdout) and stderr so far: what the CLI would show the user. */
    output(): { stdout: string; stderr: string } {
        return { stdout: this.stdoutRest, stderr: this.stderrText };
    }

    get running(): boolean {
        return this.exited === undefined;
    }

    get pid(): number | undefined {
        return this.child.pid;
    }

    /** Closes the channel and kills the pack (SIGKILL, as the CLI's plugin Close does), then waits for it. */
    async stop(): Promise<void> {
        process.off("exit", this.killOnExit);
        this.client?.close();
        this.client = undefined;
        if (this.exited === undefined) {
            this.child.kill("SIGKILL");
            let timer: NodeJS.Timeout | undefined;
            await Promise.race([this.exitPromise, new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_TIMEOUT_MS)))]);
            clearTimeout(timer);
        }
        this.child.stdout?.destroy();
        this.child.stderr?.destroy();
        this.child.stdin?.destroy();
        this.engine.stop();
    }
}

/**
 * Registers mocha hooks in the current `describe`: start the pack once before its tests, stop it
 * after them (also when start-up fails half-way). Returns a getter for the running pack.
 */
export function usePolicyPack(ctx: () => StackContext, packDir = PACK_DIR): () => PolicyPackProcess {
    let pack: PolicyPackProcess | undefined;
    before(async function () {
        this.timeout(START_TIMEOUT_MS + RPC_TIMEOUT_MS);
        pack = await PolicyPackProcess.start(ctx(), packDir);
    });
    after(async function () {
        this.timeout(STOP_TIMEOUT_MS + 1_000);
        await pack?.stop();
        pack = undefined;
    });
    return () => {
        if (!pack) throw new Error("policy pack not started (see the before hook's error)");
        return pack;
    };
}
