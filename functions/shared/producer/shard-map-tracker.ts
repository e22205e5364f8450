import type { KinesisClient } from "@aws-sdk/client-kinesis";
import { classifyRequestError } from "./errors";
import { loadShardMap, type ShardMap } from "./shard-map";
import type { StreamTarget } from "./types";

/** Shortest time between two ListShards calls triggered by put results. */
const MIN_REFRESH_MS = 1_000;
/** Wait before trying ListShards again after a transient failure, doubled up to the cap. */
const RETRY_MS = 5_000;
const RETRY_CAP_MS = 60_000;

export interface ShardMapTrackerOptions {
    client: KinesisClient;
    target: StreamTarget;
    timeoutMs: number;
    /**
     * Called after every ListShards attempt, `loaded` when it answered. `changed` when the map in
     * force is not the one records were packed by any more (new shards, or dropped after a failure
     * while known stale): what is not yet sent must be re-packed.
     */
    onSettled: (loaded: boolean, changed: boolean) => void;
}

/**
 * The shard map in force and when to reload it. A put result on a shard the map does not know, or
 * not on the one the map predicted, is evidence that the stream was resharded since ListShards (the
 * KPL's rule): the map is then *stale* until a ListShards started after that evidence answers, and
 * the producer sends nothing packed by it meanwhile. If that ListShards fails, the map is dropped
 * (records are packed per hash key, which no reshard can misplace) until a later one succeeds.
 */
export class ShardMapTracker {
    private current: ShardMap | undefined;
    private enabled = true;
    private refreshing = false;
    /** Evidence of a reshard not yet answered by a ListShards started after it. */
    private staleSince: number | undefined;
    private lastRefreshAt = -Infinity;
    private retryMs = RETRY_MS;
    private timer: NodeJS.Timeout | undefined;
    private closed = false;

    constructor(private readonly options: ShardMapTrackerOptions) {}

    /** The open shards to pack by; undefined: pack per hash key. */
    get map(): ShardMap | undefined {
        return this.current;
    }

    /** True while the map is known stale and its replacement has not answered. */
    get stale(): boolean {
        return this.staleSince !== undefined;
    }

    /**
     * A put of an entry packed by `packedBy` for `predicted` landed on `shardId`. Only evidence about
     * the map in force counts: entries packed by an older map were already re-packed or in flight.
     */
    observe(packedBy: ShardMap | undefined, predicted: string | undefined, shardId: string): void {
        const map = this.current;
        if (map === undefined) return;
        if (map.has(shardId) && (packedBy !== map || predicted === undefined || predicted === shardId)) return;
        this.staleSince ??= performance.now();
        this.refresh();
    }

    /** One ListShards at a time, at most one per MIN_REFRESH_MS once a map is loaded. */
    refresh(): void {
        if (!this.enabled || this.refreshing || this.closed || this.timer !== undefined) return;
        const started = performance.now();
        if (this.current !== undefined && started - this.lastRefreshAt < MIN_REFRESH_MS) {
            this.schedule(this.lastRefreshAt + MIN_REFRESH_MS - started);
            return;
        }
        this.refreshing = true;
        this.lastRefreshAt = started;
        let changed = false;
        let loaded = false;
        loadShardMap(this.options.client, this.options.target, AbortSignal.timeout(this.options.timeoutMs))
            .then(
                (fresh) => {
                    loaded = true;
                    this.retryMs = RETRY_MS;
                    const next = fresh.size > 0 ? fresh : undefined;
                    if (next === undefined || this.current === undefined || !next.sameShards(this.current)) {
                        changed = this.current !== undefined; // records packed per hash key need no re-packing
                        this.current = next;
                    }
                    if (this.staleSince !== undefined && this.staleSince <= started) this.staleSince = undefined;
                },
                (err: unknown) => {
                    if (!classifyRequestError(err).retryable) {
                        // Not allowed (or not supported): pack per partition key from now on.
                        this.enabled = false;
                        this.staleSince = undefined;
                        changed = this.current !== undefined;
                        this.current = undefined;
                        return;
                    }
                    if (this.staleSince !== undefined && this.staleSince <= started) {
                        this.staleSince = undefined;
                        changed = this.current !== undefined;
                        this.current = undefined;
                    }
                    this.schedule(this.retryMs);
                    this.retryMs = Math.min(RETRY_CAP_MS, this.retryMs * 2);
                },
            )
            .finally(() => {
                this.refreshing = false;
                // Evidence that arrived while this call ran needs a ListShards of its own.
                if (this.staleSince !== undefined) this.refresh();
                this.options.onSettled(loaded, changed);
            });
    }

    close(): void {
        this.closed = true;
        if (this.timer !== undefined) clearTimeout(this.timer);
        this.timer = undefined;
        this.staleSince = undefined;
    }

    /**
     * One pending refresh at a time. The timer keeps the process alive only while the producer holds
     * records for it (stale map); a background retry does not.
     */
    private schedule(delayMs: number): void {
        if (this.timer !== undefined || this.closed) return;
        this.timer = setTimeout(
            () => {
                this.timer = undefined;
                this.refresh();
            },
            Math.max(1, Math.ceil(delayMs)),
        );
        if (this.staleSince === undefined) this.timer.unref();
    }
}
