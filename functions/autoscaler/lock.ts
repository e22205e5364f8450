// The autoscaler's own lock: one item per stream in a DynamoDB table, taken with a conditional
// write, so two runs (a schedule and an alarm in the same minute) never decide and reshard at once
// even without reserved concurrency 1. The item expires on its own: a run that dies holding it
// blocks the next runs for at most `ttlMs`.
import { ConditionalCheckFailedException, DeleteItemCommand, type DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { LOCK_EXPIRY, LOCK_KEY } from "../../contracts/autoscaler-lock";

export interface RunLock {
    /** True when this run now holds the lock. */
    acquire(now: number): Promise<boolean>;
    /** Gives the lock back if this run still holds it. */
    release(): Promise<void>;
}

export function dynamoLock(client: DynamoDBClient, tableName: string, lockId: string, ttlMs: number, owner: string): RunLock {
    return {
        async acquire(now) {
            try {
                await client.send(
                    new PutItemCommand({
                        TableName: tableName,
                        Item: { [LOCK_KEY]: { S: lockId }, owner: { S: owner }, [LOCK_EXPIRY]: { N: String(Math.ceil((now + ttlMs) / 1000)) } },
                        // Free, or held by a run whose time is up.
                        ConditionExpression: "attribute_not_exists(#k) OR #e < :now",
                        ExpressionAttributeNames: { "#k": LOCK_KEY, "#e": LOCK_EXPIRY },
                        ExpressionAttributeValues: { ":now": { N: String(Math.floor(now / 1000)) } },
                    }),
                );
                return true;
            } catch (e) {
                if (e instanceof ConditionalCheckFailedException || (e as Error).name === "ConditionalCheckFailedException") return false;
                throw e;
            }
        },
        async release() {
            try {
                await client.send(
                    new DeleteItemCommand({
                        TableName: tableName,
                        Key: { [LOCK_KEY]: { S: lockId } },
                        ConditionExpression: "#o = :owner",
                        ExpressionAttributeNames: { "#o": "owner" },
                        ExpressionAttributeValues: { ":owner": { S: owner } },
                    }),
                );
            } catch (e) {
                // Taken over after expiry: the lock is someone else's now, leave it.
                if (!(e instanceof ConditionalCheckFailedException || (e as Error).name === "ConditionalCheckFailedException")) throw e;
            }
        },
    };
}
