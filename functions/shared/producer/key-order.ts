import type { PendingRecord } from "./types";

/**
 * Ordered mode's per-key state. "One request in flight per shard" is not enough: PutRecords does not
 * order the entries of one call, and when the entry of record 1 fails and that of record 2 (same key,
 * same request) succeeds, the resend of 1 lands after 2. So a key has at most one entry in flight,
 * from sealing to outcome: an entry is one Kinesis record (an aggregate keeps its records in put
 * order) and succeeds or fails as a whole, so no later record of the key can be written first.
 * Later records wait (FIFO per key) and go on when that entry has its outcome; a record that fails
 * for good lets the next ones go. A key's open aggregate is tracked too, so a key is never in two
 * aggregates at once.
 */
export class KeyOrder {
    /** Keys with an entry sealed and not yet answered. */
    private readonly busy = new Set<string>();
    private readonly waiting = new Map<string, PendingRecord[]>();
    /** The open aggregate (group key) holding a key's records. */
    private readonly openGroup = new Map<string, string>();

    isBusy(key: string): boolean {
        return this.busy.has(key);
    }

    /** Queues a record behind its key's earlier ones. */
    wait(r: PendingRecord): void {
        const queue = this.waiting.get(r.partitionKey);
        if (queue === undefined) this.waiting.set(r.partitionKey, [r]);
        else queue.push(r);
    }

    groupOf(key: string): string | undefined {
        return this.openGroup.get(key);
    }

    joined(key: string, groupKey: string): void {
        this.openGroup.set(key, groupKey);
    }

    /** The open aggregates were dissolved (a re-pack): no key is in one any more. */
    forgetGroups(): void {
        this.openGroup.clear();
    }

    /** An entry holding these records was sealed: their keys are busy until it has its outcome. */
    sealed(records: readonly PendingRecord[]): void {
        for (const r of records) {
            this.openGroup.delete(r.partitionKey);
            this.busy.add(r.partitionKey);
        }
    }

    /**
     * The key's entry has its outcome: its waiting records go to `admit`, oldest first, until the key
     * is busy again. `admit` returns false when the record must stay at the head of the queue.
     */
    release(key: string, admit: (r: PendingRecord) => boolean): void {
        this.busy.delete(key);
        const queue = this.waiting.get(key);
        if (queue === undefined) return;
        while (queue.length > 0 && !this.busy.has(key)) {
            const r = queue.shift() as PendingRecord;
            if (!admit(r)) {
                queue.unshift(r);
                break;
            }
        }
        if (queue.length === 0) this.waiting.delete(key);
    }

    /** Removes and returns the key's waiting records (they fail with an earlier one). */
    dropWaiting(key: string): PendingRecord[] {
        const queue = this.waiting.get(key);
        if (queue === undefined) return [];
        this.waiting.delete(key);
        return queue.splice(0);
    }

    /**
     * Records to route again, the earliest unsent of their keys (a key is in one open or sealed entry
     * at most): they go back to the head of their key's queue, the key no longer busy. Returns the keys.
     */
    requeueFirst(records: readonly PendingRecord[]): string[] {
        const byKey = new Map<string, PendingRecord[]>();
        for (const r of records) {
            const list = byKey.get(r.partitionKey);
            if (list === undefined) byKey.set(r.partitionKey, [r]);
            else list.push(r);
        }
        for (const [key, list] of byKey) {
            this.busy.delete(key);
            this.waiting.set(key, [...list, ...(this.waiting.get(key) ?? [])]);
        }
        return [...byKey.keys()];
    }
}
