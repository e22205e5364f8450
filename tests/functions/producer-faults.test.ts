// KinesisProducer under injected faults: an HTTP handler between the SDK and kinesalite fails a
// share of PutRecords entries (they are not forwarded, as Kinesis does not write a failed entry),
// answers some whole requests with HTTP 500 before or after the write, delays responses past the
// request timeout, and refuses ListShards. A ledger of what kinesalite really wrote gives exact
// accounting: every duplicate in the stream must be explained by a response the producer never got.
import * as assert from "node:assert/strict";
import type { PutRecordsResultEntry } from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { deaggregateSync } from "aws-kinesis-agg";
import { KinesisProducer, type FailureOutcome, type KinesisProducerOptions, type Outcome } from "../../functions/shared/producer";
import { makeTestRecords, seededRandom, startKinesalite, type Kinesalite, type UserRecord } from "../../tools/local/kinesalite";

type HandleArgs = Parameters<NodeHttpHandler["handle"]>;
type HandleResult = Awaited<ReturnType<NodeHttpHandler["handle"]>>;
type Json = Record<string, unknown>;

interface Reply {
    status: number;
    body: Json;
}
type Forward = (input: Json) => Promise<Reply>;
type Interceptor = (operation: string, input: Json, forward: Forward) => Promise<Reply>;

function header(headers: Record<string, string>, name: string): string | undefined {
    const key = Object.keys(headers).find((h) => h.toLowerCase() === name);
    return key === undefined ? undefined : headers[key];
}

/** An SDK request handler that lets a test rewrite Kinesis JSON requests and responses. */
class InterceptingHandler {
    private readonly inner = new NodeHttpHandler();

    constructor(private readonly intercept: Interceptor) {}

    async handle(request: HandleArgs[0], options?: HandleArgs[1]): Promise<HandleResult> {
        const operation = (header(request.headers, "x-amz-target") ?? "").split(".")[1] ?? "";
        // The SDK's JSON body is a Uint8Array subclass that warns when used as a string: read its bytes.
        const body = request.body as string | Uint8Array;
        const input = JSON.parse(typeof body === "string" ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8")) as Json;
        const forward: Forward = async (body) => {
            const text = JSON.stringify(body);
            request.body = text;
            for (const h of Object.keys(request.headers)) if (h.toLowerCase() === "content-length") delete request.headers[h];
            request.headers["content-length"] = String(Buffer.byteLength(text));
            const { response } = await this.inner.handle(request, options);
            const chunks: Buffer[] = [];
            for await (const chunk of response.body as AsyncIterable<Buffer>) chunks.push(chunk);
            const raw = Buffer.concat(chunks).toString("utf8");
            return { status: response.statusCode, body: raw === "" ? {} : (JSON.parse(raw) as Json) };
        };
        const signal = options?.abortSignal as AbortSignal | undefined;
        const aborted = new Promise<never>((_, reject) => {
            const onAbort = () => reject(Object.assign(new Error("Request aborted"), { name: "AbortError" }));
            if (signal?.aborted) onAbort();
            else signal?.addEventListener("abort", onAbort, { once: true });
        });
        aborted.catch(() => undefined);
        const reply = await Promise.race([this.intercept(operation, input, forward), aborted]);
        const payload = Buffer.from(JSON.stringify(reply.body));
        return {
            response: {
                statusCode: reply.status,
                headers: { "content-type": "application/x-amz-json-1.1", "content-length": String(payload.length), "x-amzn-requestid": "injected" },
                body: payload,
            },
        };
    }

    updateHttpClientConfig(key: never, value: never): void {
        this.inner.updateHttpClientConfig(key, value);
    }

    httpHandlerConfigs(): ReturnType<NodeHttpHandler["httpHandlerConfigs"]> {
        return this.inner.httpHandlerConfigs();
    }

    destroy(): void {
        this.inner.destroy();
    }
}

const error = (status: number, type: string, message: string): Reply => ({ status, body: { __type: type, message } });

interface RequestEntry {
    Data: string;
    PartitionKey: string;
    ExplicitHashKey?: string;
}

/** Record ids (first 4 bytes of the data) inside one PutRecords entry, aggregated or not. */
function idsIn(entry: RequestEntry): number[] {
    const ids: number[] = [];
    const payload = { data: entry.Data, partitionKey: entry.PartitionKey, sequenceNumber: "0", kinesisSchemaVersion: "1.0", approximateArrivalTimestamp: 0 };
    deaggregateSync(payload, false, (err, users) => {
        if (err) throw err;
        for (const u of users ?? []) ids.push(Buffer.from(u.data, "base64").readUInt32BE(0));
    });
    return ids;
}

/** What kinesalite actually wrote, and which writes the producer was told about. */
class Ledger {
    readonly writes = new Map<number, number>();
    readonly lostWrites = new Map<number, number>();
    readonly acknowledged = new Map<number, { shardId: string; sequenceNumber: string; subSequenceNumber: number | undefined }>();

    written(entry: RequestEntry, result: PutRecordsResultEntry, lost: boolean): void {
        const ids = idsIn(entry);
        ids.forEach((id, i) => {
            this.writes.set(id, (this.writes.get(id) ?? 0) + 1);
            if (lost) this.lostWrites.set(id, (this.lostWrites.get(id) ?? 0) + 1);
            else
                this.acknowledged.set(id, {
                    shardId: result.ShardId as string,
                    sequenceNumber: result.SequenceNumber as string,
                    subSequenceNumber: ids.length > 1 ? i : undefined,
                });
        });
    }
}

interface FaultPlan {
    /** Share of PutRecords entries answered with an entry error and not written (seeded PRNG). */
    entryFailures: number;
    /** Requests (numbered from 1) answered 500 without writing anything. */
    failBeforeWrite: (request: number) => boolean;
    /** Requests written, then answered 500: the response is lost. */
    failAfterWrite: (request: number) => boolean;
}

/** Entry errors and whole-request 500s. */
function faultyPutRecords(plan: FaultPlan, ledger: Ledger, seed: number): Interceptor {
    const rand = seededRandom(seed);
    let requests = 0;
    return async (operation, input, forward) => {
        if (operation !== "PutRecords") return forward(input);
        const n = ++requests;
        if (plan.failBeforeWrite(n)) return error(500, "InternalFailure", "injected: request failed before the write");
        const entries = input.Records as RequestEntry[];
        const failing = entries.map(() => rand() < plan.entryFailures);
        const forwarded = entries.filter((_, i) => !failing[i]);
        let results: PutRecordsResultEntry[] = [];
        if (forwarded.length > 0) {
            const reply = await forward({ ...input, Records: forwarded });
            if (reply.status !== 200) return reply;
            results = reply.body.Records as PutRecordsResultEntry[];
        }
        const lost = plan.failAfterWrite(n);
        forwarded.forEach((e, j) => {
            const r = results[j] as PutRecordsResultEntry;
            if (r.ErrorCode === undefined) ledger.written(e, r, lost);
        });
        if (lost) return error(500, "InternalFailure", "injected: response lost after the write");
        let j = 0;
        const merged = entries.map((_, i) =>
            failing[i]
                ? rand() < 0.8
                    ? { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "injected: Rate exceeded for shard" }
                    : { ErrorCode: "InternalFailure", ErrorMessage: "injected: Internal service failure." }
                : results[j++],
        );
        return { status: 200, body: { FailedRecordCount: merged.filter((r) => r?.ErrorCode !== undefined).length, Records: merged } };
    };
}

/** Per key, ok outcomes in put order have strictly increasing (sequence, sub-sequence) numbers. */
function keyOrderViolations(records: { partitionKey: string }[], outcomes: Outcome[]): number {
    const last = new Map<string, [bigint, number]>();
    let violations = 0;
    records.forEach((r, i) => {
        const o = outcomes[i];
        if (!o?.ok) return;
        const here: [bigint, number] = [BigInt(o.sequenceNumber), o.subSequenceNumber ?? 0];
        const prev = last.get(r.partitionKey);
        if (prev !== undefined && (here[0] < prev[0] || (here[0] === prev[0] && here[1] <= prev[1]))) violations++;
        last.set(r.partitionKey, here);
    });
    return violations;
}

/** Per key, the first copy of each record in the stream comes in put order (duplicates aside). */
function assertFirstCopiesInOrder(read: UserRecord[]): void {
    const byKey = new Map<string, UserRecord[]>();
    for (const r of read) byKey.set(r.partitionKey, [...(byKey.get(r.partitionKey) ?? []), r]);
    for (const [key, list] of byKey) {
        list.sort((a, b) => {
            const x = BigInt(a.sequenceNumber);
            const y = BigInt(b.sequenceNumber);
            return x !== y ? (x < y ? -1 : 1) : (a.subSequenceNumber ?? 0) - (b.subSequenceNumber ?? 0);
        });
        const seen = new Set<number>();
        let highest = -1;
        for (const r of list) {
            const id = r.data.readUInt32BE(0);
            if (seen.has(id)) continue;
            seen.add(id);
            assert.ok(id > highest, `key ${key}: first copy of record ${id} stored after record ${highest}`);
            highest = id;
        }
    }
}

describe("KinesisProducer under injected faults", () => {
    let k: Kinesalite;
    let streams = 0;
    const newStream = async (shards: number): Promise<string> => {
        const name = `faults-${++streams}`;
        await k.createStream(name, shards);
        return name;
    };
    /** A producer whose client goes through the interceptor; the SDK does not retry (maxAttempts 1). */
    const producerWith = (intercept: Interceptor, options: Omit<KinesisProducerOptions, "client">): KinesisProducer =>
        new KinesisProducer({ client: k.client({ requestHandler: new InterceptingHandler(intercept), maxAttempts: 1 }), ...options });

    before(async () => {
        k = await startKinesalite();
    });
    after(async () => {
        await k.stop();
    });

    const plan: FaultPlan = { entryFailures: 0.3, failBeforeWrite: (n) => n % 5 === 1, failAfterWrite: (n) => n % 4 === 2 };
    const fast = { maxBufferedTimeMs: 10, aggregation: { maxBytes: 4_096 }, backoff: { baseMs: 5, capMs: 50 } };

    for (const ordered of [false, true]) {
        it(`delivers or reports every record with exact accounting${ordered ? ", keeping per-key order" : ""}`, async () => {
            const stream = await newStream(4);
            const ledger = new Ledger();
            const records = makeTestRecords(3_000, 60, ordered ? 11 : 12, (rand) => 10 + Math.floor(rand() * 2_000));
            const producer = producerWith(faultyPutRecords(plan, ledger, ordered ? 21 : 22), { streamName: stream, ordered, ...fast });
            const outcomes = await Promise.all(records.map((r) => producer.put(r)));
            await producer.close();
            const read = await k.readUserRecords(stream);

            // Every record has an ok outcome matching the write whose response came back.
            const failed = outcomes.filter((o): o is FailureOutcome => !o.ok);
            assert.deepEqual(failed, []);
            outcomes.forEach((o, id) => {
                assert.ok(o.ok);
                assert.deepEqual(ledger.acknowledged.get(id), { shardId: o.shardId, sequenceNumber: o.sequenceNumber, subSequenceNumber: o.subSequenceNumber }, `record ${id}`);
            });
            // The stream holds exactly what was written: one acknowledged copy per record plus one per lost response.
            const copies = new Map<number, number>();
            for (const r of read) {
                const id = r.data.readUInt32BE(0);
                copies.set(id, (copies.get(id) ?? 0) + 1);
                assert.ok(r.data.equals((records[id] as { data: Buffer }).data), `record ${id}: bytes differ`);
            }
            const lost = [...ledger.lostWrites.values()].reduce((a, b) => a + b, 0);
            assert.ok(lost > 0, "the plan lost no response: the duplicate path was not exercised");
            for (let id = 0; id < records.length; id++) {
                assert.equal(copies.get(id), ledger.writes.get(id), `record ${id}: copies in the stream vs writes`);
                assert.equal(copies.get(id), 1 + (ledger.lostWrites.get(id) ?? 0), `record ${id}: an unexplained duplicate`);
            }
            assert.equal(read.length, records.length + lost);
            // Every duplicate is announced: on the record's outcome and in the producer's bound.
            for (const id of ledger.lostWrites.keys()) assert.equal((outcomes[id] as Outcome & { ok: true }).maybeDuplicated, true, `record ${id}`);
            assert.ok(producer.metrics().potentialDuplicates >= lost);

            const m = producer.metrics();
            assert.equal(m.recordsSent, records.length);
            assert.equal(m.recordsFailed, 0);
            assert.ok(m.recordsRetried > 0 && m.throttled > 0 && m.putRecordsErrors > 0);
            assert.ok(outcomes.some((o) => o.attempts > 1));

            if (ordered) {
                assert.equal(keyOrderViolations(records, outcomes), 0);
                assertFirstCopiesInOrder(read);
            } else {
                // Why ordered mode exists: plain retries reorder a key's records.
                assert.ok(keyOrderViolations(records, outcomes) > 0, "no reordering without ordered mode");
            }
        });
    }

    it("fails records with the last error code once their TTL passes, and flush() resolves", async () => {
        const stream = await newStream(1);
        const throttleAll: Interceptor = async (operation, input, forward) => {
            if (operation !== "PutRecords") return forward(input);
            const entries = input.Records as unknown[];
            return {
                status: 200,
                body: { FailedRecordCount: entries.length, Records: entries.map(() => ({ ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "Rate exceeded" })) },
            };
        };
        const failAll: Interceptor = async (operation, input, forward) => (operation === "PutRecords" ? error(503, "ServiceUnavailable", "injected") : forward(input));
        // A 5xx answer may come after the write: the outcome is unknown, named as such.
        for (const [intercept, code, cause, maybeWritten] of [
            [throttleAll, "ProvisionedThroughputExceededException", "Rate exceeded", undefined],
            [failAll, "RequestOutcomeUnknown", "ServiceUnavailable: injected \\(no answer: the request may have been written\\)", true],
        ] as const) {
            const ttl = 400;
            const producer = producerWith(intercept, { streamName: stream, recordTtlMs: ttl, maxBufferedTimeMs: 10, backoff: { baseMs: 20, capMs: 80 } });
            const started = performance.now();
            const settledAt: number[] = [];
            const puts = Array.from({ length: 50 }, (_, i) =>
                producer.put({ data: `ttl-${i}`, partitionKey: `k${i % 7}` }).then((o) => {
                    settledAt.push(performance.now());
                    return o;
                }),
            );
            await producer.flush();
            const outcomes = await Promise.all(puts);
            for (const o of outcomes) {
                assert.ok(!o.ok);
                assert.equal(o.errorCode, code);
                assert.match(o.errorMessage, new RegExp(`record TTL of ${ttl} ms expired after \\d+ attempt\\(s\\); last error ${code}: ${cause}$`));
                assert.equal(o.maybeWritten, maybeWritten);
                assert.ok(o.attempts >= 2, `only ${o.attempts} attempts`);
            }
            const first = Math.min(...settledAt) - started;
            const last = Math.max(...settledAt) - started;
            assert.ok(first >= ttl - 5 && last < ttl + 1_000, `outcomes between ${first} and ${last} ms for a ${ttl} ms TTL`);
            assert.equal(producer.metrics().recordsFailed, 50);
            await producer.close();
        }
        assert.equal((await k.readAll(stream)).length, 0);
    });

    it("fails records at once on non-retryable errors", async () => {
        const stream = await newStream(1);
        const kmsDenied: Interceptor = async (operation, input, forward) =>
            operation === "PutRecords" ? error(400, "KMSAccessDeniedException", "injected: not allowed to use the key") : forward(input);
        const denied = producerWith(kmsDenied, { streamName: stream, maxBufferedTimeMs: 5 });
        const missing = new KinesisProducer({ client: k.client({ maxAttempts: 1 }), streamName: "no-such-stream", maxBufferedTimeMs: 5 });
        const started = performance.now();
        const [a, b] = await Promise.all([denied.put({ data: "a", partitionKey: "k" }), missing.put({ data: "b", partitionKey: "k" })]);
        assert.ok(performance.now() - started < 500);
        assert.deepEqual([a.ok, !a.ok && a.errorCode, a.attempts], [false, "KMSAccessDeniedException", 1]);
        assert.deepEqual([b.ok, !b.ok && b.errorCode, b.attempts], [false, "ResourceNotFoundException", 1]);
        await Promise.all([denied.close(), missing.close()]);
    });

    it("resends a request that timed out: at least once, two copies in the stream", async () => {
        const stream = await newStream(1);
        let calls = 0;
        const slowFirst: Interceptor = async (operation, input, forward) => {
            if (operation !== "PutRecords") return forward(input);
            const reply = await forward(input);
            if (++calls === 1) await new Promise((r) => setTimeout(r, 400)); // written, answered too late
            return reply;
        };
        const producer = producerWith(slowFirst, { streamName: stream, requestTimeoutMs: 150, maxBufferedTimeMs: 5, backoff: { baseMs: 5, capMs: 20 } });
        const outcome = await producer.put({ data: "once", partitionKey: "k" });
        await producer.close();
        assert.ok(outcome.ok);
        assert.equal(outcome.attempts, 2);
        assert.equal(outcome.maybeDuplicated, true);
        const stored = await k.readAll(stream);
        assert.equal(stored.length, 2);
        assert.equal(stored[1]?.sequenceNumber, outcome.sequenceNumber);
        assert.equal(producer.metrics().putRecordsErrors, 1);
        assert.equal(producer.metrics().potentialDuplicates, 1);
    });

    it("names a lost response: RequestOutcomeUnknown and maybeWritten, potential duplicates counted", async () => {
        const stream = await newStream(1);
        // Every PutRecords is written, then the connection drops before the answer (socket hang-up).
        const resetAfterWrite: Interceptor = async (operation, input, forward) => {
            if (operation !== "PutRecords") return forward(input);
            await forward(input);
            throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
        };
        const ttl = 300;
        const producer = producerWith(resetAfterWrite, { streamName: stream, recordTtlMs: ttl, maxBufferedTimeMs: 5, backoff: { baseMs: 10, capMs: 40 } });
        const records = Array.from({ length: 20 }, (_, i) => ({ data: `lost-${i}`, partitionKey: `k${i % 3}` }));
        const outcomes = await Promise.all(records.map((r) => producer.put(r)));
        await producer.close();
        let attempts = 0;
        for (const o of outcomes) {
            assert.ok(!o.ok);
            assert.equal(o.errorCode, "RequestOutcomeUnknown");
            assert.match(o.errorMessage, /last error RequestOutcomeUnknown: ECONNRESET: socket hang up \(no answer: the request may have been written\)$/);
            assert.equal(o.maybeWritten, true);
            attempts += o.attempts;
        }
        // Each attempt wrote a copy; every copy after a record's first is a counted potential duplicate.
        const copies = (await k.readUserRecords(stream)).length;
        assert.equal(copies, attempts);
        const m = producer.metrics();
        assert.ok(m.potentialDuplicates > 0);
        assert.equal(m.potentialDuplicates, attempts - records.length);
        assert.equal(m.recordsFailed, records.length);
    });

    it("packs per partition key when ListShards is denied", async () => {
        const stream = await newStream(2);
        const denyListShards: Interceptor = async (operation, input, forward) =>
            operation === "ListShards" ? error(400, "AccessDeniedException", "injected: not authorized to perform kinesis:ListShards") : forward(input);
        const records = makeTestRecords(600, 12, 13, () => 100);
        const producer = producerWith(denyListShards, { streamName: stream, maxBufferedTimeMs: 10 });
        const outcomes = await Promise.all(records.map((r) => producer.put(r)));
        await producer.close();
        assert.ok(outcomes.every((o) => o.ok));
        const read = await k.readUserRecords(stream);
        assert.equal(read.length, 600);
        const keys = new Map<string, Set<string>>();
        for (const r of read) keys.set(r.sequenceNumber, (keys.get(r.sequenceNumber) ?? new Set()).add(r.partitionKey));
        assert.ok([...keys.values()].every((s) => s.size === 1));
        assert.equal(producer.metrics().shardMapRefreshes, 0);
    });
});
