import { ProducerErrorCode } from "./errors";
import type { KeyOrder } from "./key-order";
import type { MetricsCounters } from "./metrics";
import type { Entry, Outcome, PendingRecord } from "./types";
import type { NormalizedRecord } from "./validation";

/** Every record put and not yet answered, and the one place that gives a record its outcome. */
export class OutcomeBook {
    private readonly unresolved = new Map<PendingRecord, Promise<Outcome>>();

    /** `order` is given in ordered mode: a failed record takes its key's waiting records with it. */
    constructor(
        private readonly counters: MetricsCounters,
        private readonly recordTtlMs: number,
        private readonly order: KeyOrder | undefined,
    ) {}

    /** Records not yet answered. */
    get size(): number {
        return this.unresolved.size;
    }

    /** The outcomes of every record not yet answered. */
    promises(): Promise<Outcome>[] {
        return [...this.unresolved.values()];
    }

    /** Starts the life of a valid record put at `t`. */
    open(record: NormalizedRecord, t: number): { pending: PendingRecord; promise: Promise<Outcome> } {
        let resolve!: (outcome: Outcome) => void;
        const promise = new Promise<Outcome>((r) => (resolve = r));
        const pending: PendingRecord = {
            ...record,
            enqueuedAt: t,
            deadline: t + this.recordTtlMs,
            attempts: 0,
            lastErrorCode: undefined,
            lastErrorMessage: undefined,
            maybeWritten: false,
            resendMayDuplicate: false,
            done: false,
            resolve,
        };
        this.unresolved.set(pending, promise);
        this.counters.add("recordsPut");
        return { pending, promise };
    }

    /** A record refused at put(): failed at once, never sent. */
    rejectNow(errorCode: string, errorMessage: string, invalid: boolean): Promise<Outcome> {
        this.counters.add("recordsFailed");
        if (invalid) this.counters.add("recordsInvalid");
        return Promise.resolve({ ok: false, errorCode, errorMessage, attempts: 0 });
    }

    /** The entry was written as one Kinesis record at `shardId`/`sequenceNumber`. */
    written(entry: Entry, shardId: string, sequenceNumber: string): void {
        this.counters.add("kinesisRecordsSent");
        this.counters.add("bytesSent", entry.size);
        entry.records.forEach((r, i) => {
            this.finish(r, {
                ok: true,
                shardId,
                sequenceNumber,
                ...(entry.aggregated ? { subSequenceNumber: i } : {}),
                attempts: r.attempts,
                ...(r.maybeWritten ? { maybeDuplicated: true as const } : {}),
            });
        });
    }

    expire(r: PendingRecord): void {
        const last = r.lastErrorCode === undefined ? "" : `; last error ${r.lastErrorCode}: ${r.lastErrorMessage ?? ""}`;
        this.fail(r, r.lastErrorCode ?? ProducerErrorCode.RecordExpired, `record TTL of ${this.recordTtlMs} ms expired after ${r.attempts} attempt(s)${last}`);
    }

    fail(r: PendingRecord, errorCode: string, errorMessage: string): void {
        this.finish(r, { ok: false, errorCode, errorMessage, attempts: r.attempts, ...(r.maybeWritten ? { maybeWritten: true as const } : {}) });
        // Ordered mode: the key's later records must not overtake one that failed (a caller that
        // re-sends from the failed record would otherwise write them twice, around it): they fail with it.
        if (this.order === undefined) return;
        for (const later of this.order.dropWaiting(r.partitionKey)) this.fail(later, errorCode, heldBackMessage(r.partitionKey, errorCode));
    }

    private finish(r: PendingRecord, outcome: Outcome): void {
        if (r.done) return;
        r.done = true;
        this.unresolved.delete(r);
        this.counters.add(outcome.ok ? "recordsSent" : "recordsFailed");
        r.resolve(outcome);
    }
}

export function heldBackMessage(partitionKey: string, errorCode: string): string {
    return `not sent: an earlier record of partition key ${JSON.stringify(partitionKey)} failed (${errorCode}), and ordered mode keeps the key's order`;
}
