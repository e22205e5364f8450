/** PutRecords limits (AWS docs): entries per request, bytes per request, bytes per entry. */
export const MAX_REQUEST_ENTRIES = 500;
export const MAX_REQUEST_BYTES = 5 * 1024 * 1024;
/** Data plus partition key of one record (the stream default; streams can raise it since 2025). */
export const MAX_RECORD_BYTES = 1024 * 1024;

export interface BatchItem {
    /** Bytes counted against the request limit: data + partition key. */
    readonly size: number;
    /** When the item's oldest user record was put (ms). */
    readonly since: number;
}

export interface BatchLimits {
    maxEntries: number;
    maxBytes: number;
}

/**
 * A FIFO of PutRecords entries ready to go, cut into requests of at most `maxEntries` entries and
 * `maxBytes` bytes. Every item must be at most one record's size (1 MiB), so each request carries
 * at least one item.
 */
export class RequestBatcher<T extends BatchItem> {
    private readonly items: T[] = [];
    private totalBytes = 0;
    private oldestCache: number | undefined;

    constructor(private readonly limits: BatchLimits = { maxEntries: MAX_REQUEST_ENTRIES, maxBytes: MAX_REQUEST_BYTES }) {}

    get length(): number {
        return this.items.length;
    }

    get bytes(): number {
        return this.totalBytes;
    }

    push(item: T): void {
        this.items.push(item);
        this.totalBytes += item.size;
        if (this.oldestCache !== undefined) this.oldestCache = Math.min(this.oldestCache, item.since);
    }

    /** Puts an item at the head (an entry back from its backoff goes before new ones). */
    pushFront(item: T): void {
        this.items.unshift(item);
        this.totalBytes += item.size;
        if (this.oldestCache !== undefined) this.oldestCache = Math.min(this.oldestCache, item.since);
    }

    /** True when the queue holds at least one request that no more items could join. */
    hasFullRequest(): boolean {
        return this.items.length >= this.limits.maxEntries || this.totalBytes >= this.limits.maxBytes;
    }

    /** `since` of the oldest queued item, undefined when empty. */
    oldest(): number | undefined {
        if (this.items.length === 0) return undefined;
        if (this.oldestCache === undefined) {
            let min = Infinity;
            for (const item of this.items) min = Math.min(min, item.since);
            this.oldestCache = min;
        }
        return this.oldestCache;
    }

    /** Removes and returns every queued item, in order. */
    drain(): T[] {
        const all = this.items.splice(0);
        this.totalBytes = 0;
        this.oldestCache = undefined;
        return all;
    }

    /** Removes and returns the next request: the longest prefix within both limits. */
    take(): T[] {
        let count = 0;
        let bytes = 0;
        while (count < this.items.length && count < this.limits.maxEntries) {
            const size = (this.items[count] as T).size;
            if (count > 0 && bytes + size > this.limits.maxBytes) break;
            bytes += size;
            count++;
        }
        const batch = this.items.splice(0, count);
        this.totalBytes -= bytes;
        this.oldestCache = undefined;
        return batch;
    }
}
