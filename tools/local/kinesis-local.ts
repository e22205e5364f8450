// kinesis-local (kinesis-mock compiled to JavaScript) as a child process on 127.0.0.1, for the
// control-plane calls kinesalite lacks (UpdateShardCount, tags on UPDATING streams, ON_DEMAND).
// Start-up is bounded; stop() kills the process (SIGTERM, then SIGKILL) and waits for it to exit.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import * as path from "node:path";
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, type KinesisClientConfig, ListStreamsCommand, type Shard } from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { TEST_CREDENTIALS, TEST_REGION } from "./kinesalite";
import { listShards as listStreamShards, readAll as readStream, type StoredRecord } from "./stream-dump";

const PACKAGE_DIR = path.dirname(require.resolve("kinesis-local/package.json"));

export interface KinesisLocalOptions {
    /** How long CreateStream keeps a stream CREATING. @default 100 */
    createStreamMs?: number;
    /** How long UpdateShardCount keeps a stream UPDATING (the new shards are open at once). @default 400 */
    updateShardCountMs?: number;
    /** Open shards per account before LimitExceededException. @default 50 */
    shardLimit?: number;
    /** Give up starting after this long. @default 20000 */
    startTimeoutMs?: number;
}

export interface KinesisLocal {
    /** Plain HTTP endpoint, http://127.0.0.1:<port>. */
    endpoint: string;
    /** A client for it (HTTP/1.1 handler, fake credentials); destroyed on stop(). */
    client(overrides?: Partial<KinesisClientConfig>): KinesisClient;
    createStream(name: string, shards: number): Promise<void>;
    /** Polls DescribeStreamSummary until the stream is ACTIVE (bounded). */
    waitForActive(name: string, timeoutMs?: number): Promise<{ openShards: number }>;
    /** The stream's shards as ListShards reports them (closed ones included). */
    listShards(name: string): Promise<Shard[]>;
    /** Every record of every shard (closed ones too) from TRIM_HORIZON, per shard in sequence order. */
    readAll(name: string): Promise<StoredRecord[]>;
    stop(): Promise<void>;
}

async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = createServer();
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const { port } = srv.address() as { port: number };
            srv.close(() => resolve(port));
        });
    });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function stopProcess(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
    await exited;
    clearTimeout(timer);
}

export async function startKinesisLocal(options: KinesisLocalOptions = {}): Promise<KinesisLocal> {
    const [plainPort, tlsPort] = [await freePort(), await freePort()];
    const output: string[] = [];
    const child = spawn(process.execPath, [path.join(PACKAGE_DIR, "main.js")], {
        cwd: PACKAGE_DIR,
        stdio: ["ignore", "pipe", "pipe"],
        env: {
            ...process.env,
            KINESIS_MOCK_CERT_PATH: path.join(PACKAGE_DIR, "server.json"),
            KINESIS_MOCK_PLAIN_PORT: String(plainPort),
            KINESIS_MOCK_TLS_PORT: String(tlsPort),
            CREATE_STREAM_DURATION: `${options.createStreamMs ?? 100}ms`,
            DELETE_STREAM_DURATION: "100ms",
            UPDATE_SHARD_COUNT_DURATION: `${options.updateShardCountMs ?? 400}ms`,
            SHARD_LIMIT: String(options.shardLimit ?? 50),
            AWS_REGION: TEST_REGION,
            LOG_LEVEL: "WARN",
            SHOULD_PERSIST_DATA: "false",
        },
    });
    const keep = (b: Buffer) => {
        output.push(b.toString());
        if (output.length > 50) output.shift();
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);

    const endpoint = `http://127.0.0.1:${plainPort}`;
    const clients: KinesisClient[] = [];
    const client = (overrides: Partial<KinesisClientConfig> = {}) => {
        const c = new KinesisClient({ region: TEST_REGION, endpoint, credentials: TEST_CREDENTIALS, requestHandler: new NodeHttpHandler(), maxAttempts: 1, ...overrides });
        clients.push(c);
        return c;
    };
    const admin = client();

    const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
    for (;;) {
        if (child.exitCode !== null) throw new Error(`kinesis-local exited with code ${child.exitCode} while starting:\n${output.join("").slice(-2000)}`);
        try {
            await admin.send(new ListStreamsCommand({}));
            break;
        } catch (e) {
            if (Date.now() > deadline) {
                await stopProcess(child);
                throw new Error(
                    `kinesis-local did not answer on ${endpoint} within ${options.startTimeoutMs ?? 20_000} ms (${(e as Error).message}):\n${output.join("").slice(-2000)}`,
                );
            }
            await sleep(100);
        }
    }

    const waitForActive = async (name: string, timeoutMs = 10_000) => {
        const until = Date.now() + timeoutMs;
        for (;;) {
            const d = (await admin.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary;
            if (d?.StreamStatus === "ACTIVE") return { openShards: d.OpenShardCount ?? 0 };
            if (Date.now() > until) throw new Error(`stream ${name} still ${d?.StreamStatus} after ${timeoutMs} ms`);
            await sleep(50);
        }
    };

    const listShards = (name: string): Promise<Shard[]> => listStreamShards(admin, name);
    const readAll = (name: string): Promise<StoredRecord[]> => readStream(admin, name);

    return {
        endpoint,
        client,
        waitForActive,
        listShards,
        readAll,
        async createStream(name, shards) {
            await admin.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
            await waitForActive(name);
        },
        async stop() {
            for (const c of clients) c.destroy();
            await stopProcess(child);
        },
    };
}
