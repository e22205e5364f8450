/** PutRecords limits (AWS docs): entries per request, bytes per request, bytes per entry. */
export const MAX_REQUEST_ENTRIES = 500;
/** The request limit every endpoint and emulator accepts, used while the stream takes records of at most 1 MiB. */
export const MAX_REQUEST_BYTES = 5 * 1024 * 1024;
/** The PutRecords API reference's limit since large records (10 MiB per request), used once the stream takes records over 1 MiB. */
export const LARGE_REQUEST_MAX_BYTES = 10 * 1024 * 1024;
/** Data plus partition key of one record: the default every stream accepts (MaxRecordSizeInKiB 1024). */
export const MAX_RECORD_BYTES = 1024 * 1024;
/** A large record in the Kinesis guide's sense: over the 1 MiB every stream takes (data + partition key). */
export function isLargeRecord(size: number): boolean {
    return size > MAX_RECORD_BYTES;
}
/** The largest a stream can be raised to (MaxRecordSizeInKiB 10240). */
export const LARGE_RECORD_MAX_BYTES = 10 * 1024 * 1024;

/** Bytes per PutRecords request for a stream whose records go up to `maxRecordBytes`. */
export function requestBytesFor(maxRecordBytes: number): number {
    return maxRecordBytes > MAX_RECORD_BYTES ? LARGE_REQUEST_MAX_BYTES : MAX_REQUEST_BYTES;
}

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
 * `maxBytes` bytes. Every item must be at most one record's size (at most `maxBytes`), so each
 * request carries at least one item.
 */
export class RequestBatcher<T extends BatchItem> {
    private readonly items: T[] = [];
    private totalBytes = 0;
    private oldestCache: number | undefined;

    private readonly limits: BatchLimits;

    constructor(limits: BatchLimits = { maxEntries: MAX_REQUEST_ENTRIES, maxBytes: MAX_REQUEST_BYTES }) {
        this.limits = { ...limits };
    }

    /** Requests of up to `maxBytes` from now on (the stream's record limit became known). */
    setMaxBytes(maxBytes: number): void {
        this.limits.maxBytes = maxBytes;
    }

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
