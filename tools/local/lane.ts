// One lane of a shard in the local event source mapping: batching (BatchSize, the batching window,
// the 6 MB payload limit), then each batch's invocations, partial successes, bisections, retries and
// discards (see poller.ts for the rules).
import type { Held, MappingCore, Span } from "./esm-types";
import { MAX_PAYLOAD_BYTES } from "./esm-types";
import { Signal } from "./signal";

/** What a lane needs of its shard. */
export interface LaneShard {
    readonly esm: MappingCore;
    readonly shardId: string;
    readonly isStopped: boolean;
    /** Every record of the shard was read: flush what is buffered, then end. */
    readonly readAll: boolean;
    /** The lane made room for more records. */
    notifyRoom(): void;
}

/** One of a shard's concurrent batch sequences (all of a partition key's records are in one lane). */
export class Lane {
    private buffer: Held[] = [];
    readonly wake = new Signal();
    private inFlight: Held[] = [];

    constructor(private readonly shard: LaneShard) {}

    get size(): number {
        return this.buffer.length + this.inFlight.length;
    }

    push(item: Held): void {
        this.buffer.push(item);
        this.wake.notify();
    }

    oldestArrivalMs(): number | undefined {
        const first = this.inFlight[0] ?? this.buffer[0];
        return first?.record.arrivalMs;
    }

    async run(): Promise<void> {
        const esm = this.shard.esm;
        const o = esm.options;
        const windowMs = o.settings.batchingWindowSeconds * 1000;
        for (;;) {
            if (this.shard.isStopped) return;
            if (this.buffer.length === 0) {
                if (this.shard.readAll) return;
                await this.wake.wait(o.pollIntervalMs);
                continue;
            }
            const waited = o.now() - this.buffer[0]!.readAt;
            const full = this.buffer.length >= o.settings.batchSize || this.payloadBytes(o.settings.batchSize) >= MAX_PAYLOAD_BYTES;
            if (!full && waited < windowMs && !this.shard.readAll) {
                await this.wake.wait(Math.max(1, Math.min(windowMs - waited, 100)));
                continue;
            }
            const batch = this.take(o.settings.batchSize);
            this.inFlight = batch;
            this.shard.notifyRoom();
            await this.process(batch);
            this.inFlight = [];
        }
    }

    private payloadBytes(limit: number): number {
        let n = 0;
        for (let i = 0; i < Math.min(limit, this.buffer.length); i++) n += this.buffer[i]!.bytes;
        return n;
    }

    /** Up to `limit` records whose payload fits one invocation (always at least one). */
    private take(limit: number): Held[] {
        let bytes = 0;
        let n = 0;
        while (n < Math.min(limit, this.buffer.length)) {
            const b = this.buffer[n]!.bytes;
            if (n > 0 && bytes + b > MAX_PAYLOAD_BYTES) break;
            bytes += b;
            n++;
        }
        return this.buffer.splice(0, n);
    }

    /** Invokes a batch until every record is processed or discarded, in order. */
    private async process(batch: Held[]): Promise<void> {
        const esm = this.shard.esm;
        const o = esm.options;
        const s = o.settings;
        const shardId = this.shard.shardId;
        const exhausted = (retries: number) => s.maxRetryAttempts >= 0 && retries > s.maxRetryAttempts;
        const queue: Span[] = [{ items: batch, retries: 0, invokes: 0, requestId: undefined, response: undefined }];
        while (queue.length > 0) {
            if (this.shard.isStopped) return;
            const span = queue.shift()!;
            if (s.maxRecordAgeSeconds >= 0) {
                const oldest = o.now() - s.maxRecordAgeSeconds * 1000;
                const expired = span.items.filter((i) => i.record.arrivalMs < oldest);
                if (expired.length > 0) {
                    await esm.discard(shardId, span, expired, "RecordAgeExceeded");
                    span.items = span.items.filter((i) => i.record.arrivalMs >= oldest);
                    if (span.items.length === 0) continue;
                }
            }
            const { outcome, requestId } = await esm.invoke(shardId, span.items);
            span.invokes++;
            span.requestId = requestId;
            if (outcome.kind === "success") {
                esm.done(span.items);
                continue;
            }
            if (outcome.kind === "partial") {
                span.response = { statusCode: 200, executedVersion: "$LATEST" };
                const failed = new Set(outcome.failed);
                const from = span.items.findIndex((i) => failed.has(i.record.sequenceNumber));
                esm.done(span.items.slice(0, from));
                const rest: Span = { ...span, items: span.items.slice(from), retries: span.retries + 1 };
                if (exhausted(rest.retries)) {
                    await esm.discard(shardId, rest, rest.items, "RetryAttemptsExhausted");
                } else {
                    esm.counters.retries++;
                    queue.unshift(rest);
                }
                continue;
            }
            span.response = outcome.functionError ? { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" } : { statusCode: 200, executedVersion: "$LATEST" };
            if (s.bisectBatchOnFunctionError && span.items.length > 1) {
                const half = Math.ceil(span.items.length / 2);
                esm.counters.bisections++;
                queue.unshift({ ...span, items: span.items.slice(0, half) }, { ...span, items: span.items.slice(half) });
                continue;
            }
            const again: Span = { ...span, retries: span.retries + 1 };
            if (exhausted(again.retries)) {
                await esm.discard(shardId, again, again.items, "RetryAttemptsExhausted");
            } else {
                esm.counters.retries++;
                queue.unshift(again);
            }
        }
    }
}
