import type { PutRecordsCommandOutput } from "@aws-sdk/client-kinesis";
import { classifyRequestError, isThrottle, type RequestError } from "./errors";
import type { MetricsCounters } from "./metrics";
import type { ResolvedOptions } from "./options";
import type { OutcomeBook } from "./outcomes";
import { putRecordsCommand, readPutResults, requestFailure } from "./put-results";
import { isLargeRecord } from "./request-batcher";
import type { Entry, PutRecordsMetrics } from "./types";
import { now } from "./timers";

/** What the producer does with the entries of a PutRecords call once it is answered. */
export interface SenderHooks {
    /** The entry has its outcome (written, or failed for good): ordered mode lets its keys go on. */
    settled(entry: Entry): void;
    /** The entry was written on `shardId`: evidence for the shard map. */
    written(entry: Entry, shardId: string): void;
    /** Failed entries to resend after one backoff. */
    retry(entries: Entry[]): void;
    /** The call is over and its slot free. */
    finished(request: PutRecordsMetrics): void;
}

/** Sends PutRecords calls, counts those in flight, and applies each response entry by entry. */
export class RequestSender {
    private calls = 0;

    constructor(
        private readonly o: Pick<ResolvedOptions, "client" | "target" | "requestTimeoutMs">,
        private readonly counters: MetricsCounters,
        private readonly outcomes: OutcomeBook,
        private readonly hooks: SenderHooks,
    ) {}

    /** PutRecords calls in flight. */
    get inFlight(): number {
        return this.calls;
    }

    async send(entries: Entry[]): Promise<void> {
        this.calls++;
        const started = now();
        let userRecords = 0;
        let bytes = 0;
        let retried = 0;
        let mayDuplicate = 0;
        for (const e of entries) {
            for (const r of e.records) {
                if (r.attempts > 0) retried++;
                if (r.resendMayDuplicate) mayDuplicate++;
                r.resendMayDuplicate = false;
                r.attempts++;
            }
            userRecords += e.records.length;
            bytes += e.size;
        }
        if (retried > 0) this.counters.add("recordsRetried", retried);
        if (mayDuplicate > 0) this.counters.add("potentialDuplicates", mayDuplicate);
        this.counters.add("putRecordsRequests");
        const request: PutRecordsMetrics = { entries: entries.length, userRecords, bytes, failedEntries: 0, latencyMs: 0 };
        try {
            let output: PutRecordsCommandOutput | undefined;
            let error: unknown;
            try {
                output = await this.o.client.send(putRecordsCommand(this.o.target, entries), { abortSignal: AbortSignal.timeout(this.o.requestTimeoutMs) });
            } catch (err) {
                error = err;
            }
            request.latencyMs = now() - started;
            if (output !== undefined) request.failedEntries = this.handleResults(entries, output);
            else {
                const c = classifyRequestError(error);
                request.requestError = c.code;
                request.failedEntries = entries.length;
                this.counters.add("putRecordsErrors");
                this.counters.add("kinesisRecordsFailed", entries.length);
                if (c.throttled) {
                    this.counters.add("throttled");
                    this.counters.add("largeRecordsThrottled", entries.filter((e) => isLargeRecord(e.size)).length);
                }
                this.handleFailures(entries, c);
            }
        } catch (bug) {
            // A fault in the producer itself: the records still get an outcome.
            for (const e of entries) for (const r of e.records) this.outcomes.fail(r, "ProducerError", `internal error: ${String(bug)}`);
            for (const e of entries) this.hooks.settled(e);
        } finally {
            this.calls--;
            this.hooks.finished(request);
        }
    }

    /** Applies a PutRecords response entry by entry; returns how many entries failed. */
    private handleResults(entries: Entry[], output: PutRecordsCommandOutput): number {
        const retry: Entry[] = [];
        let failed = 0;
        for (const result of readPutResults(entries, output)) {
            const { entry } = result;
            if (result.ok) {
                this.outcomes.written(entry, result.shardId, result.sequenceNumber);
                this.hooks.settled(entry);
                this.hooks.written(entry, result.shardId);
                continue;
            }
            failed++;
            this.counters.add("kinesisRecordsFailed");
            if (isThrottle(result.errorCode)) {
                this.counters.add("throttled");
                if (isLargeRecord(entry.size)) this.counters.add("largeRecordsThrottled");
            }
            for (const r of entry.records) {
                r.lastErrorCode = result.errorCode;
                r.lastErrorMessage = result.message;
            }
            if (result.retryable) retry.push(entry);
            else {
                for (const r of entry.records) this.outcomes.fail(r, result.errorCode, result.message);
                this.hooks.settled(entry);
            }
        }
        if (retry.length > 0) this.hooks.retry(retry);
        return failed;
    }

    private handleFailures(entries: Entry[], c: RequestError): void {
        const { code, message } = requestFailure(c);
        for (const e of entries) {
            for (const r of e.records) {
                if (c.outcomeUnknown) {
                    r.maybeWritten = true;
                    r.resendMayDuplicate = true;
                }
                r.lastErrorCode = code;
                r.lastErrorMessage = message;
                if (!c.retryable) this.outcomes.fail(r, code, message);
            }
            if (!c.retryable) this.hooks.settled(e);
        }
        if (c.retryable) this.hooks.retry(entries);
    }
}
