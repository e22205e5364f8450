// The autoscaler's run lock against dynalite: one holder at a time, taken over after expiry, released
// only by its owner; and the handler does nothing while another run holds it.
import { strict as assert } from "node:assert";
import { CreateTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createHandler } from "../../functions/autoscaler/handler";
import { LOCK_KEY } from "../../contracts/autoscaler-lock";
import { dynamoLock } from "../../functions/autoscaler/lock";
import { AUTOSCALER_DEFAULTS } from "../../contracts/autoscaler-settings";
import { type Dynalite, startDynalite } from "../../tools/local/dynalite";

const TABLE = "kinesis-streaming-test-autoscaler-lock";
const T0 = Date.UTC(2025, 10, 3, 12, 0, 0);
const TTL = 90_000;

describe("autoscaler run lock (dynalite)", () => {
    let dynamo: Dynalite;
    let client: DynamoDBClient;
    before(async () => {
        dynamo = await startDynalite();
        client = dynamo.client();
        await client.send(
            new CreateTableCommand({
                TableName: TABLE,
                BillingMode: "PAY_PER_REQUEST",
                KeySchema: [{ AttributeName: LOCK_KEY, KeyType: "HASH" }],
                AttributeDefinitions: [{ AttributeName: LOCK_KEY, AttributeType: "S" }],
            }),
        );
    });
    after(() => dynamo.stop());

    it("one run holds it at a time; the holder releases it, and a run that died is taken over after the expiry", async () => {
        const a = dynamoLock(client, TABLE, "stream-a", TTL, "run-a");
        const b = dynamoLock(client, TABLE, "stream-a", TTL, "run-b");
        assert.equal(await a.acquire(T0), true);
        assert.equal(await b.acquire(T0 + 1_000), false, "a second run is kept out");
        assert.equal(await dynamoLock(client, TABLE, "stream-b", TTL, "run-b").acquire(T0), true, "another stream has its own lock");
        await a.release();
        assert.equal(await b.acquire(T0 + 2_000), true, "released: the next run takes it");
        // b dies holding it: kept out until its expiry, then taken over; b's late release leaves the new holder alone.
        const c = dynamoLock(client, TABLE, "stream-a", TTL, "run-c");
        assert.equal(await c.acquire(T0 + 2_000 + TTL - 1_000), false);
        assert.equal(await c.acquire(T0 + 2_000 + TTL + 1_000), true);
        await b.release();
        assert.equal(await a.acquire(T0 + 2_000 + TTL + 2_000), false, "c still holds it");
        await c.release();
    });

    it("the handler does nothing while another run holds the lock, and releases it after its own run", async () => {
        const config = { streamName: "stream-h", alertsTopicArn: "arn:aws:sns:us-east-1:111122223333:t", dryRun: true, settings: AUTOSCALER_DEFAULTS };
        const noCalls = new Proxy({}, { get: () => () => assert.fail("no AWS call while locked out") });
        const deps = {
            kinesis: noCalls,
            cloudwatch: noCalls,
            sns: noCalls,
            config,
            logger: { info() {}, warn() {}, error() {} },
            metrics: { addDimension() {}, addMetric() {}, publishStoredMetrics() {} },
        };
        const other = dynamoLock(client, TABLE, "stream-h", TTL, "other-run");
        assert.equal(await other.acquire(T0), true);
        const handler = createHandler({
            ...(deps as unknown as Parameters<typeof createHandler>[0]),
            lock: dynamoLock(client, TABLE, "stream-h", TTL, "this-run"),
            now: () => T0 + 5_000,
        });
        const result = await handler({ trigger: "schedule" });
        assert.deepEqual([result.outcome, result.action, result.reason], ["locked", "none", "another run of the autoscaler holds the lock"]);
        await other.release();
        // Free again: this run takes the lock (its first AWS call then fails on the stub) and gives it back.
        await assert.rejects(handler({ trigger: "schedule" }));
        assert.equal(await other.acquire(T0 + 6_000), true, "released after the failed run");
    });
});
