// The local data plane: kinesalite (Kinesis), dynalite (DynamoDB) and s3rver (S3) started in-process
// on 127.0.0.1 and free ports, SDK v3 clients wired to them, and the stack's stream, results table and
// archive bucket created from its settings. s3rver keeps its files in a temp dir removed on stop()
// (and at process exit if stop() never ran).
import * as fs from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { CreateStreamCommand, DescribeStreamSummaryCommand, IncreaseStreamRetentionPeriodCommand, KinesisClient, type KinesisClientConfig } from "@aws-sdk/client-kinesis";
import { CreateBucketCommand, S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { RESULTS_TABLE } from "../../contracts/results-table";
import type { LocalSettings } from "./settings";

export const LOCAL_REGION = "us-east-1";
/** Any credentials do for kinesalite and dynalite; s3rver checks signatures against S3RVER/S3RVER. */
export const LOCAL_CREDENTIALS = { accessKeyId: "AKIDLOCALRUN", secretAccessKey: "local-run-secret" };
export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

/** kinesalite keeps at most 168 h (IncreaseStreamRetentionPeriod refuses more). */
export const KINESALITE_MAX_RETENTION_HOURS = 168;

/** A running emulator; stop() closes its server and the clients it made, and removes its files. */
interface Running {
    name: string;
    /** http://127.0.0.1:<port> */
    endpoint: string;
    stop(): Promise<void>;
}

export interface KinesisEmulator extends Running {
    /** A client (region us-east-1, fake credentials, the HTTP/1.1 handler: the SDK's default fails against kinesalite); overrides last. */
    client(overrides?: Partial<KinesisClientConfig>): KinesisClient;
}
export interface DynamoEmulator extends Running {
    client(overrides?: Partial<DynamoDBClientConfig>): DynamoDBClient;
}
export interface S3Emulator extends Running {
    /** Where s3rver keeps the objects (removed on stop, or at exit). */
    directory: string;
    /** Path-style, S3RVER credentials, checksums only when required (s3rver stores streamed uploads corrupted otherwise). */
    client(overrides?: Partial<S3ClientConfig>): S3Client;
}

export interface Emulators {
    kinesis: KinesisEmulator;
    dynamodb: DynamoEmulator;
    s3: S3Emulator;
    /** Stops all three; safe to call twice. */
    stop(): Promise<void>;
}

type ServerFactory = (options: Record<string, unknown>) => Server;

function versionOf(pkg: string): string {
    try {
        return (require(`${pkg}/package.json`) as { version: string }).version;
    } catch {
        return "?";
    }
}

async function listen(server: Server): Promise<string> {
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
    });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Closers run once, in reverse order of start. */
class Closers {
    private readonly closers: (() => Promise<void> | void)[] = [];
    private done = false;
    add(fn: () => Promise<void> | void): void {
        this.closers.push(fn);
    }
    async run(): Promise<void> {
        if (this.done) return;
        this.done = true;
        for (const fn of this.closers.reverse()) {
            try {
                await fn();
            } catch {
                // closing is best effort: the next closer still runs
            }
        }
    }
}

/** kinesalite in-process (in memory) on 127.0.0.1 and a free port. */
export async function startKinesis(options: { shardLimit?: number } = {}): Promise<KinesisEmulator> {
    // kinesalite ships no types: its factory returns an http.Server.
    const server = (require("kinesalite") as ServerFactory)({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: options.shardLimit ?? 200 });
    const endpoint = await listen(server);
    const clients: KinesisClient[] = [];
    const closers = new Closers();
    closers.add(() => close(server));
    closers.add(() => {
        for (const c of clients) c.destroy();
    });
    return {
        name: `kinesalite ${versionOf("kinesalite")}`,
        endpoint,
        client(overrides = {}) {
            const c = new KinesisClient({ region: LOCAL_REGION, endpoint, credentials: LOCAL_CREDENTIALS, requestHandler: new NodeHttpHandler(), ...overrides });
            clients.push(c);
            return c;
        },
        stop: () => closers.run(),
    };
}

/** dynalite in-process (in memory) on 127.0.0.1 and a free port. */
export async function startDynamo(): Promise<DynamoEmulator> {
    // dynalite ships no types: its factory returns an http.Server.
    const server = (require("dynalite") as ServerFactory)({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    const endpoint = await listen(server);
    const clients: DynamoDBClient[] = [];
    const closers = new Closers();
    closers.add(() => close(server));
    closers.add(() => {
        for (const c of clients) c.destroy();
    });
    return {
        name: `dynalite ${versionOf("dynalite")}`,
        endpoint,
        client(overrides = {}) {
            const c = new DynamoDBClient({ region: LOCAL_REGION, endpoint, credentials: LOCAL_CREDENTIALS, requestHandler: new NodeHttpHandler(), ...overrides });
            clients.push(c);
            return c;
        },
        stop: () => closers.run(),
    };
}

/** s3rver in-process on 127.0.0.1 and a free port, its files in a new temp dir. */
export async function startS3(): Promise<S3Emulator> {
    const closers = new Closers();
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "kinesis-streaming-local-"));
    const removeDir = () => fs.rmSync(directory, { recursive: true, force: true });
    process.once("exit", removeDir);
    closers.add(() => {
        removeDir();
        process.removeListener("exit", removeDir);
    });
    try {
        const S3rver = require("s3rver") as new (options: Record<string, unknown>) => { run(): Promise<AddressInfo>; close(): Promise<void>; httpServer?: Server };
        const s3rver = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, resetOnClose: false });
        const { port } = await s3rver.run();
        closers.add(async () => {
            s3rver.httpServer?.closeAllConnections();
            await s3rver.close();
        });
        const endpoint = `http://127.0.0.1:${port}`;
        const clients: S3Client[] = [];
        closers.add(() => {
            for (const c of clients) c.destroy();
        });
        return {
            name: `s3rver ${versionOf("s3rver")}`,
            endpoint,
            directory,
            client(overrides = {}) {
                const c = new S3Client({
                    region: LOCAL_REGION,
                    endpoint,
                    credentials: S3RVER_CREDENTIALS,
                    forcePathStyle: true,
                    requestChecksumCalculation: "WHEN_REQUIRED",
                    responseChecksumValidation: "WHEN_REQUIRED",
                    requestHandler: new NodeHttpHandler(),
                    ...overrides,
                });
                clients.push(c);
                return c;
            },
            stop: () => closers.run(),
        };
    } catch (e) {
        await closers.run();
        throw e;
    }
}

/** Starts the three emulators; stops what did start if one fails. */
export async function startEmulators(): Promise<Emulators> {
    const started: Running[] = [];
    try {
        const kinesis = await startKinesis();
        started.push(kinesis);
        const dynamodb = await startDynamo();
        started.push(dynamodb);
        const s3 = await startS3();
        started.push(s3);
        let stopping: Promise<void> | undefined;
        return { kinesis, dynamodb, s3, stop: () => (stopping ??= Promise.all(started.reverse().map((e) => e.stop())).then(() => undefined)) };
    } catch (e) {
        await Promise.all(started.map((x) => x.stop()));
        throw e;
    }
}

async function waitFor(what: string, ready: () => Promise<boolean>): Promise<void> {
    for (let i = 0; i < 500; i++) {
        if (await ready()) return;
        await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`${what} did not become ACTIVE within 5 s`);
}

/** Creates a stream of `shards` shards and waits until it is ACTIVE; retention above 24 h is set (at most kinesalite's 168 h). */
export async function createStream(kinesis: KinesisClient, name: string, shards: number, retentionHours = 24): Promise<void> {
    await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
    const active = async () => (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary?.StreamStatus === "ACTIVE";
    await waitFor(`stream ${name}`, active);
    const hours = Math.min(retentionHours, KINESALITE_MAX_RETENTION_HOURS);
    if (hours > 24) {
        await kinesis.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: name, RetentionPeriodHours: hours }));
        await waitFor(`stream ${name}`, active);
    }
}

/** The CreateTable input of the results table, from functions/shared/results-table.ts (on-demand). */
export function resultsTableInput(name: string) {
    const t = RESULTS_TABLE;
    return {
        TableName: name,
        BillingMode: "PAY_PER_REQUEST" as const,
        AttributeDefinitions: t.attributes.map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
        KeySchema: [
            { AttributeName: t.partitionKey, KeyType: "HASH" as const },
            { AttributeName: t.sortKey, KeyType: "RANGE" as const },
        ],
        GlobalSecondaryIndexes: [
            {
                IndexName: t.byTypeTime.indexName,
                KeySchema: [
                    { AttributeName: t.byTypeTime.partitionKey, KeyType: "HASH" as const },
                    { AttributeName: t.byTypeTime.sortKey, KeyType: "RANGE" as const },
                ],
                Projection: { ProjectionType: t.byTypeTime.projectionType },
            },
        ],
    };
}

/** Creates the results table and waits until it and its index are ACTIVE. */
export async function createResultsTable(dynamodb: DynamoDBClient, name: string): Promise<void> {
    await dynamodb.send(new CreateTableCommand(resultsTableInput(name)));
    await waitFor(`table ${name}`, async () => {
        const t = (await dynamodb.send(new DescribeTableCommand({ TableName: name }))).Table;
        return t?.TableStatus === "ACTIVE" && (t.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === "ACTIVE");
    });
}

export async function createBucket(s3: S3Client, name: string): Promise<void> {
    await s3.send(new CreateBucketCommand({ Bucket: name }));
}

/** What was created locally for the stack, and how it differs from what `pulumi up` would create. */
export interface LocalResources {
    streamName: string;
    shards: number;
    tableName: string;
    bucketName: string;
    /** Differences from the deployed resources, one line each. */
    notes: string[];
}

/** The stack's stream, results table and archive bucket on the emulators, from its settings. */
export async function createLocalResources(emulators: Emulators, s: LocalSettings): Promise<LocalResources> {
    const kinesis = emulators.kinesis.client();
    const dynamodb = emulators.dynamodb.client();
    const s3 = emulators.s3.client();
    await Promise.all([
        createStream(kinesis, s.names.stream, s.stream.shards, s.stream.retentionHours),
        createResultsTable(dynamodb, s.names.table),
        createBucket(s3, s.names.bucket),
    ]);
    const notes: string[] = [];
    if (s.stream.mode === "ON_DEMAND")
        notes.push(`ON_DEMAND stream emulated by ${s.stream.shards} provisioned shards (what a new on-demand stream starts with); kinesalite has no on-demand mode`);
    if (s.stream.retentionHours > KINESALITE_MAX_RETENTION_HOURS) notes.push(`retention ${s.stream.retentionHours} h capped at kinesalite's ${KINESALITE_MAX_RETENTION_HOURS} h`);
    notes.push("no KMS encryption (stream, table, bucket), no PITR, no TTL deletion, no IAM: the emulators do not implement them");
    return { streamName: s.names.stream, shards: s.stream.shards, tableName: s.names.table, bucketName: s.names.bucket, notes };
}
