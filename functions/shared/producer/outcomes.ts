import { ProducerErrorCode } from "./errors";
import type { KeyOrder } from "./key-order";
import type { MetricsCounters } from "./metrics";
import { Cohort, PendingRecord } from "./pending-record";
import type { Entry, FailureOutcome, Outcome, SuccessOutcome } from "./types";
import type { NormalizedRecord } from "./validation";

/**
 * Counts the records put and not yet answered, per cohort (the records put between two flush()
 * calls), and is the one place that gives a record its outcome.
 */
export class OutcomeBook {
    private unanswered = 0;
    /** Oldest first; the last one takes the records put now. Earlier ones wait for a flush. */
    private readonly cohorts: Cohort[] = [new Cohort()];

    /** `order` is given in ordered mode: a failed record takes its key's waiting records with it. */
    constructor(
        private readonly counters: MetricsCounters,
        private readonly recordTtlMs: number,
        private readonly order: KeyOrder | undefined,
    ) {}

    /** Records not yet answered. */
    get size(): number {
        return this.unanswered;
    }

    /** Settles when every record opened so far is answered. */
    answered(): Promise<void> {
        const current = this.cohorts[this.cohorts.length - 1] as Cohort;
        // Nothing put since the last flush: wait for the cohorts before it, the same records.
        if (current.unanswered === 0 && this.cohorts.length > 1) return (this.cohorts[this.cohorts.length - 2] as Cohort).answered;
        this.cohorts.push(new Cohort());
        const waited = current.answered;
        this.settleCohorts();
        return waited;
    }

    /** Starts the life of a valid record put at `t`; `resolve` gives its put() promise its outcome. */
    open(record: NormalizedRecord, t: number, resolve: (outcome: Outcome) => void): PendingRecord {
        const cohort = this.cohorts[this.cohorts.length - 1] as Cohort;
        cohort.unanswered++;
        this.unanswered++;
        this.counters.add("recordsPut");
        return new PendingRecord(record.data, record.partitionKey, record.explicitHashKey, record.explicitHash, record.size, t, t + this.recordTtlMs, cohort, resolve);
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
        const { records, aggregated } = entry;
        for (let i = 0; i < records.length; i++) {
            const r = records[i] as PendingRecord;
            const outcome: SuccessOutcome = aggregated
                ? { ok: true, shardId, sequenceNumber, subSequenceNumber: i, attempts: r.attempts }
                : { ok: true, shardId, sequenceNumber, attempts: r.attempts };
            if (r.maybeWritten) outcome.maybeDuplicated = true;
            this.finish(r, outcome);
        }
    }

    expire(r: PendingRecord): void {
        const last = r.lastErrorCode === undefined ? "" : `; last error ${r.lastErrorCode}: ${r.lastErrorMessage ?? ""}`;
        this.fail(r, r.lastErrorCode ?? ProducerErrorCode.RecordExpired, `record TTL of ${this.recordTtlMs} ms expired after ${r.attempts} attempt(s)${last}`);
    }

    fail(r: PendingRecord, errorCode: string, errorMessage: string): void {
        const outcome: FailureOutcome = { ok: false, errorCode, errorMessage, attempts: r.attempts };
        if (r.maybeWritten) outcome.maybeWritten = true;
        this.finish(r, outcome);
        // Ordered mode: the key's later records must not overtake one that failed (a caller that
        // re-sends from the failed record would otherwise write them twice, around it): they fail with it.
        if (this.order === undefined) return;
        for (const later of this.order.dropWaiting(r.partitionKey)) this.fail(later, errorCode, heldBackMessage(r.partitionKey, errorCode));
    }

    private finish(r: PendingRecord, outcome: Outcome): void {
        if (r.done) return;
        r.done = true;
        this.unanswered--;
        this.counters.add(outcome.ok ? "recordsSent" : "recordsFailed");
        r.resolve(outcome);
        if (--r.cohort.unanswered === 0) this.settleCohorts();
    }

    /** Settles the oldest cohorts while they are answered, but never the one taking new records. */
    private settleCohorts(): void {
        const cohorts = this.cohorts;
        while (cohorts.length > 1 && (cohorts[0] as Cohort).unanswered === 0) (cohorts.shift() as Cohort).settle();
    }
}

export function heldBackMessage(partitionKey: string, errorCode: string): string {
    return `not sent: an earlier record of partition key ${JSON.stringify(partitionKey)} failed (${errorCode}), and ordered mode keeps the key's order`;
}
