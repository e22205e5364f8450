// An in-process dynalite (in-memory DynamoDB) on 127.0.0.1 and a random port, with SDK v3 clients
// wired to it and the results table created from functions/shared/results-table.ts. dynalite has
// no TransactWriteItems, UpdateTimeToLive or DescribeContinuousBackups.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, NumberValue, paginateScan } from "@aws-sdk/lib-dynamodb";
import { resultsTableInput } from "../../tools/local/emulators";

export interface DynaliteOptions {
    /** Time a table stays CREATING / DELETING / UPDATING. @default 0 */
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
}

export interface Dynalite {
    /** http://127.0.0.1:<port> */
    endpoint: string;
    /** A client for the emulator: region us-east-1, fake credentials; overrides last. Destroyed on stop(). */
    client(overrides?: Partial<DynamoDBClientConfig>): DynamoDBClient;
    /** A document client (undefined values removed) on a client of its own. */
    documentClient(overrides?: Partial<DynamoDBClientConfig>): DynamoDBDocumentClient;
    /** Creates a table with the results table's keys and GSI (on-demand) and waits until ACTIVE. */
    createResultsTable(name: string): Promise<void>;
    /** Every item of the table, unmarshalled (numbers a JS number cannot hold exactly as NumberValue), sorted by pk then sk. */
    scanAll(name: string): Promise<Record<string, unknown>[]>;
    stop(): Promise<void>;
}

export const TEST_REGION = "us-east-1";
export const TEST_CREDENTIALS = { accessKeyId: "AKIDLOCALTEST", secretAccessKey: "local-test-secret" };

type DynaliteFactory = (options: Record<string, unknown>) => Server;

// One definition of the results table for the local run and the tests.
export { resultsTableInput };

export async function startDynalite(options: DynaliteOptions = {}): Promise<Dynalite> {
    // dynalite ships no types: its factory returns an http.Server.
    const factory = require("dynalite") as DynaliteFactory;
    const server = factory({
        createTableMs: options.createTableMs ?? 0,
        deleteTableMs: options.deleteTableMs ?? 0,
        updateTableMs: options.updateTableMs ?? 0,
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const endpoint = `http://127.0.0.1:${port}`;
    const clients: DynamoDBClient[] = [];

    const client = (overrides: Partial<DynamoDBClientConfig> = {}): DynamoDBClient => {
        const c = new DynamoDBClient({ region: TEST_REGION, endpoint, credentials: TEST_CREDENTIALS, ...overrides });
        clients.push(c);
        return c;
    };
    const exact = (digits: string) => (String(Number(digits)) === digits ? Number(digits) : NumberValue.from(digits));
    const admin = DynamoDBDocumentClient.from(client(), { marshallOptions: { removeUndefinedValues: true }, unmarshallOptions: { wrapNumbers: exact } });

    return {
        endpoint,
        client,
        documentClient: (overrides) => DynamoDBDocumentClient.from(client(overrides), { marshallOptions: { removeUndefinedValues: true } }),
        async createResultsTable(name) {
            await admin.send(new CreateTableCommand(resultsTableInput(name)));
            for (let i = 0; i < 500; i++) {
                const d = await admin.send(new DescribeTableCommand({ TableName: name }));
                if (d.Table?.TableStatus === "ACTIVE" && (d.Table.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === "ACTIVE")) return;
                await new Promise((r) => setTimeout(r, 10));
            }
            throw new Error(`table ${name} did not become ACTIVE`);
        },
        async scanAll(name) {
            const items: Record<string, unknown>[] = [];
            for await (const page of paginateScan({ client: admin }, { TableName: name, ConsistentRead: true })) items.push(...(page.Items ?? []));
            const key = (i: Record<string, unknown>) => `${String(i.pk)}\u0000${String(i.sk)}`;
            return items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
        },
        async stop() {
            for (const c of clients) c.destroy();
            await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
        },
    };
}
