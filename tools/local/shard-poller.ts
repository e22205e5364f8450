// One shard of the local event source mapping: its reader (GetRecords at Lambda's polling rate),
// the filter criteria, and ParallelizationFactor lanes that a partition key always maps to the same one of.
import type { MappingCore } from "./esm-types";
import { Lane } from "./lane";
import { ShardReader, type StreamRecord } from "./reader";
import { Signal } from "./signal";

/** Records read ahead per shard before the poller waits for its batches to be processed. */
const READ_AHEAD_RECORDS = 10_000;

/** FNV-1a: which of the shard's concurrent batches a partition key belongs to. */
function laneOf(partitionKey: string, lanes: number): number {
    if (lanes === 1) return 0;
    let h = 0x811c9dc5;
    for (let i = 0; i < partitionKey.length; i++) h = Math.imul(h ^ partitionKey.charCodeAt(i), 0x01000193);
    return (h >>> 0) % lanes;
}

/** Whether a record passes filter criteria `{ data: { event_type: [...] } }`. */
export function matchesEventTypes(data: Uint8Array, eventTypes: readonly string[]): boolean {
    if (eventTypes.length === 0) return true;
    try {
        const parsed: unknown = JSON.parse(Buffer.from(data).toString("utf8"));
        const t = (parsed as { event_type?: unknown } | null)?.event_type;
        return typeof parsed === "object" && parsed !== null && typeof t === "string" && eventTypes.includes(t);
    } catch {
        return false;
    }
}

/** One shard: its reader, and ParallelizationFactor lanes of batches. */
export class ShardPoller {
    readonly reader: ShardReader;
    private readonly lanes: Lane[];
    private draining = false;
    private stopped = false;
    /** Every record of the shard was read (drain reached the end). */
    readAll = false;
    private readonly wake = new Signal();

    constructor(
        readonly esm: MappingCore,
        readonly shardId: string,
    ) {
        const o = esm.options;
        this.reader = new ShardReader(o.client, o.streamName, shardId);
        this.lanes = Array.from({ length: o.settings.parallelizationFactor }, () => new Lane(this));
    }

    get isStopped(): boolean {
        return this.stopped;
    }

    drain(): void {
        this.draining = true;
        this.wake.notify();
        for (const l of this.lanes) l.wake.notify();
    }

    stop(): void {
        this.stopped = true;
        this.wake.notify();
        for (const l of this.lanes) l.wake.notify();
    }

    /** @internal A lane made room. */
    notifyRoom(): void {
        this.wake.notify();
    }

    oldestPendingArrivalMs(): number | undefined {
        const t = this.lanes.map((l) => l.oldestArrivalMs()).filter((x): x is number => x !== undefined);
        return t.length > 0 ? Math.min(...t) : undefined;
    }

    async run(): Promise<void> {
        const lanes = this.lanes.map((l) => l.run());
        const o = this.esm.options;
        while (!this.stopped) {
            const held = this.lanes.reduce((n, l) => n + l.size, 0);
            if (held >= READ_AHEAD_RECORDS) {
                await this.wake.wait(o.pollIntervalMs);
                continue;
            }
            const drainingBeforeRead = this.draining;
            let records: StreamRecord[];
            try {
                records = await this.reader.read();
            } catch {
                // A failed GetRecords (throttling, a network error) is retried at the next poll.
                if (this.stopped) break;
                await this.wake.wait(o.pollIntervalMs);
                continue;
            }
            if (records.length > 0) {
                this.esm.counters.recordsRead += records.length;
                const types = o.settings.filterEventTypes;
                const kept = types.length === 0 ? records : records.filter((r) => matchesEventTypes(r.data, types));
                if (kept.length < records.length) {
                    const dropped = records.filter((r) => !kept.includes(r));
                    this.esm.counters.filteredRecords += dropped.length;
                    o.listener?.onFiltered?.(dropped);
                    this.esm.counters.recordsDone += dropped.length;
                    o.listener?.onDone?.(dropped);
                }
                for (const r of kept) this.lanes[laneOf(r.partitionKey, this.lanes.length)]!.push(this.esm.hold(r));
                // Keep reading at once while records keep coming (within 5 GetRecords calls per second).
                await this.wake.wait(Math.min(o.pollIntervalMs, 200));
                continue;
            }
            if ((drainingBeforeRead && records.length === 0) || this.reader.ended) {
                this.readAll = true;
                break;
            }
            await this.wake.wait(o.pollIntervalMs);
        }
        this.readAll = true;
        for (const l of this.lanes) l.wake.notify();
        await Promise.all(lanes);
    }
}
