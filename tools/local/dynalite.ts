// An in-process dynalite (in-memory DynamoDB) on 127.0.0.1 and a random port, with SDK v3 clients
// wired to it and the results table created from contracts/results-table.ts. dynalite has
// no TransactWriteItems, UpdateTimeToLive or DescribeContinuousBackups.
import type { DynamoDBClient, DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, NumberValue, paginateScan } from "@aws-sdk/lib-dynamodb";
import { createResultsTable, LOCAL_CREDENTIALS, LOCAL_REGION, startDynamo } from "./emulators";

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

export const TEST_REGION = LOCAL_REGION;
export const TEST_CREDENTIALS = LOCAL_CREDENTIALS;

/** dynalite as the local run starts it (tools/local/emulators.ts), with the helpers tests need. */
export async function startDynalite(): Promise<Dynalite> {
    const emulator = await startDynamo();
    const client = (overrides: Partial<DynamoDBClientConfig> = {}): DynamoDBClient => emulator.client(overrides);
    const exact = (digits: string) => (String(Number(digits)) === digits ? Number(digits) : NumberValue.from(digits));
    const base = client();
    const admin = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true }, unmarshallOptions: { wrapNumbers: exact } });

    return {
        endpoint: emulator.endpoint,
        client,
        documentClient: (overrides) => DynamoDBDocumentClient.from(client(overrides), { marshallOptions: { removeUndefinedValues: true } }),
        createResultsTable: (name) => createResultsTable(base, name),
        async scanAll(name) {
            const items: Record<string, unknown>[] = [];
            for await (const page of paginateScan({ client: admin }, { TableName: name, ConsistentRead: true })) items.push(...(page.Items ?? []));
            const key = (i: Record<string, unknown>) => `${String(i.pk)}\u0000${String(i.sk)}`;
            return items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
        },
        stop: () => emulator.stop(),
    };
}
