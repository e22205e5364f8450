import { partitionKeyHash } from "./hash-key";
import type { Outcome } from "./types";

/**
 * The records put between two flush() calls: how many are still unanswered, and the flush that
 * waits for them (and every earlier cohort). One per flush, so a record costs no map entry.
 */
export class Cohort {
    unanswered = 0;
    private done: Promise<void> | undefined;
    private resolveDone: (() => void) | undefined;

    /** Settles once the cohort and every earlier one are answered (see OutcomeBook.settleCohorts). */
    get answered(): Promise<void> {
        this.done ??= new Promise<void>((resolve) => {
            this.resolveDone = resolve;
        });
        return this.done;
    }

    settle(): void {
        this.resolveDone?.();
    }
}

/**
 * A user record inside the producer, from `put()` to its outcome. A class, so every record has one
 * shape; the partition key's MD5 is computed only when something routes by it (a shard map or an
 * aggregate), which a producer without aggregation never does.
 */
export class PendingRecord {
    attempts = 0;
    lastErrorCode: string | undefined = undefined;
    lastErrorMessage: string | undefined = undefined;
    /** Some request that carried it got no answer: it may be in the stream. */
    maybeWritten = false;
    /** Carried by a request whose response was lost and not sent since: its next send may duplicate it. */
    resendMayDuplicate = false;
    done = false;
    private hash: bigint | undefined;

    constructor(
        readonly data: Buffer,
        readonly partitionKey: string,
        readonly explicitHashKey: string | undefined,
        /** The explicit hash key parsed, when there is one. */
        explicitHash: bigint | undefined,
        /** data + UTF-8 partition key bytes: what Kinesis counts against its per-record limit. */
        readonly size: number,
        readonly enqueuedAt: number,
        readonly deadline: number,
        readonly cohort: Cohort,
        readonly resolve: (outcome: Outcome) => void,
    ) {
        this.hash = explicitHash;
    }

    /** The hash key Kinesis routes it by: its explicit hash key, else MD5 of its partition key. */
    get hashKey(): bigint {
        this.hash ??= partitionKeyHash(this.partitionKey);
        return this.hash;
    }
}
