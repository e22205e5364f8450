import { BatchWriteCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { RESULTS_TABLE } from "../../contracts/results-table";

/**
 * Writes items with BatchWriteItem, 25 per call, a few calls at a time. UnprocessedItems (the
 * table throttled part of a call) and retryable errors are retried with exponential backoff and
 * full jitter, a bounded number of times and never past the deadline; what is still unwritten
 * then is reported as failed, by index, for the caller to fail the records it came from.
 * A call refused as invalid, or one the client could not even serialize (a value DynamoDB cannot
 * hold, such as Infinity in a change image), fails all its items at once: it is redone one PutItem
 * per item, so only the bad item fails. Other refusals (access denied, no such table) fail the call's items.
 */

export const BATCH_WRITE_MAX_ITEMS = 25;

export interface BatchWriterOptions {
    /** Calls per chunk, the first included. @default 8 */
    maxAttempts: number;
    /** @default 50 */
    baseDelayMs: number;
    /** @default 2000 */
    maxDelayMs: number;
    /** Chunks in flight at once. @default 4 */
    concurrency: number;
    sleep: (ms: number) => Promise<void>;
    /** In [0, 1). */
    random: () => number;
    now: () => number;
}

export const BATCH_WRITER_DEFAULTS: BatchWriterOptions = {
    maxAttempts: 8,
    baseDelayMs: 50,
    maxDelayMs: 2_000,
    concurrency: 4,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    now: Date.now,
};

export interface WriteOutcome {
    /** Indexes (into the items given) not written. */
    failed: number[];
    /** Why each failed item was not written. */
    reasons: Map<number, string>;
    /** BatchWriteItem calls made. */
    calls: number;
    /** Items sent again after coming back unprocessed or with a retryable error. */
    retriedItems: number;
}

/** Full jitter: a random delay in [0, min(max, base · 2^(retry − 1))). */
export function backoffDelay(retry: number, o: Pick<BatchWriterOptions, "baseDelayMs" | "maxDelayMs" | "random">): number {
    return Math.floor(o.random() * Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (retry - 1)));
}

const RETRYABLE = new Set(["ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded", "InternalServerError", "ServiceUnavailable", "TimeoutError"]);

/**
 * What to do after a failed call: `retry` throttling, 5xx and network errors (sent, no response);
 * `isolate` a call DynamoDB found invalid or the client never sent (no `$metadata`: serialization
 * failed); `fail` anything else.
 */
export function classify(e: unknown): "retry" | "isolate" | "fail" {
    const err = e as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown } | undefined;
    if (!err?.$metadata || err.name === "ValidationException") return "isolate";
    if (err.$retryable || (err.name && RETRYABLE.has(err.name))) return "retry";
    const status = err.$metadata.httpStatusCode;
    return status === undefined || status >= 500 ? "retry" : "fail";
}

type DocClient = Pick<DynamoDBDocumentClient, "send">;
type Item = Record<string, unknown>;

const keyOf = (item: object): string => {
    const i = item as Item;
    return `${String(i[RESULTS_TABLE.partitionKey])}\u0000${String(i[RESULTS_TABLE.sortKey])}`;
};

/**
 * Items handed over one by one, while the caller is still producing the rest: each full call of 25
 * is sent at once (up to `concurrency` in flight), the remainder when `finish` is called. The
 * consumer's writes thus overlap the round trips of the records still in progress instead of all
 * waiting for the slowest. Indexes in the outcome are the order of `add`; `deadline`: epoch ms
 * after which no retry is started.
 */
export class ItemWriter {
    private readonly o: BatchWriterOptions;
    private readonly items: object[] = [];
    /** Items not yet in a chunk start here. */
    private chunked = 0;
    private readonly queue: number[][] = [];
    private readonly workers = new Set<Promise<void>>();
    private readonly outcome: WriteOutcome = { failed: [], reasons: new Map(), calls: 0, retriedItems: 0 };
    private error: { e: unknown } | undefined;

    constructor(
        private readonly doc: DocClient,
        private readonly tableName: string,
        options: Partial<BatchWriterOptions> = {},
        private readonly deadline = Infinity,
    ) {
        this.o = { ...BATCH_WRITER_DEFAULTS, ...options };
    }

    /** Takes an item to write; returns its index. */
    add(item: object): number {
        this.items.push(item);
        if (this.items.length - this.chunked === BATCH_WRITE_MAX_ITEMS) this.cut();
        return this.items.length - 1;
    }

    /** Sends what is left and resolves once every item is written or has failed. Add nothing after. */
    async finish(): Promise<WriteOutcome> {
        if (this.items.length > this.chunked) this.cut();
        while (this.workers.size > 0) await Promise.all(this.workers);
        if (this.error) throw this.error.e;
        this.outcome.failed.sort((a, b) => a - b);
        return this.outcome;
    }

    private cut(): void {
        this.queue.push(Array.from({ length: this.items.length - this.chunked }, (_, j) => this.chunked + j));
        this.chunked = this.items.length;
        if (this.workers.size >= this.o.concurrency) return;
        const worker: Promise<void> = (async () => {
            for (let chunk = this.queue.shift(); chunk !== undefined; chunk = this.queue.shift()) await this.writeChunk(chunk);
        })()
            // Kept for finish: a rejection nobody awaits yet would end the process.
            .catch((e: unknown) => {
                this.error ??= { e };
            })
            .finally(() => this.workers.delete(worker));
        this.workers.add(worker);
    }

    private async writeChunk(chunk: number[]): Promise<void> {
        const { o, doc, tableName, items, outcome } = this;
        let pending = chunk;
        let reason = "";
        for (let attempt = 1; attempt <= o.maxAttempts && pending.length > 0; attempt++) {
            if (attempt > 1) {
                const delay = backoffDelay(attempt - 1, o);
                if (o.now() + delay > this.deadline) {
                    reason += ", no time left to retry";
                    break;
                }
                outcome.retriedItems += pending.length;
                await o.sleep(delay);
            }
            outcome.calls++;
            try {
                const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending.map((i) => ({ PutRequest: { Item: items[i] as Item } })) } }));
                const unprocessed = new Set((out.UnprocessedItems?.[tableName] ?? []).map((r) => (r.PutRequest?.Item ? keyOf(r.PutRequest.Item) : "")));
                pending = pending.filter((i) => unprocessed.has(keyOf(items[i]!)));
                reason = `still unprocessed after ${attempt} BatchWriteItem calls`;
            } catch (e) {
                const action = classify(e);
                reason = `${(e as Error).name}: ${(e as Error).message}`;
                if (action === "retry") continue;
                if (action === "isolate") {
                    const refused = await putEach(doc, tableName, items, pending);
                    for (const [i, why] of refused) outcome.reasons.set(i, why);
                    pending = [...refused.keys()];
                    outcome.failed.push(...pending);
                    return;
                }
                break;
            }
        }
        for (const i of pending) outcome.reasons.set(i, reason);
        outcome.failed.push(...pending);
    }
}

/** One PutItem per item; returns the indexes that failed, with why. */
async function putEach(doc: DocClient, tableName: string, items: readonly object[], indexes: number[]): Promise<Map<number, string>> {
    const results = await Promise.allSettled(indexes.map((i) => doc.send(new PutCommand({ TableName: tableName, Item: items[i] as Item }))));
    const refused = new Map<number, string>();
    results.forEach((r, j) => {
        if (r.status === "rejected") refused.set(indexes[j]!, `${(r.reason as Error).name}: ${(r.reason as Error).message}`);
    });
    return refused;
}
