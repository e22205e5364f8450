import { partitionKeyOf } from "../shared/events";
import { eventKeys, type EventItem, type FraudReason, type UserSegment } from "../shared/results-table";
import type { DecodedEvent } from "./decode";

/** What the consumer adds to an event, by type. */
export type Enrichment =
    | { user_segment: UserSegment; action_score: number }
    | { fraud_suspected: boolean; fraud_reasons: FraudReason[]; orders_in_minute: number }
    | Record<string, never>;

const DAY_SECONDS = 86_400;

/** Expiry from occurred_at (not from the write time), so a rewritten item keeps its expiry. */
export function expiresAtOf(occurredAt: string, ttlDays: number): number {
    return Math.floor(Date.parse(occurredAt) / 1000) + ttlDays * DAY_SECONDS;
}

/**
 * The results-table item of one event: keys from the event alone (a retry overwrites the same
 * item), the event as validated, its Kinesis metadata, the enrichment, processed_at and expires_at.
 */
export function buildEventItem(d: DecodedEvent, enrichment: Enrichment, processedAt: string, ttlDays: number): EventItem {
    const e = d.event;
    const { pk, sk, gsi1pk, gsi1sk } = eventKeys(partitionKeyOf(e), e);
    // Keys and enrichment are not spread into the literal: V8 built that form about 9x slower (26
    // against 3 µs per item on the bench's events), the largest share of the handler's own CPU.
    const item: EventItem = {
        pk,
        sk,
        gsi1pk,
        gsi1sk,
        event_type: e.event_type,
        event_id: e.event_id,
        occurred_at: e.occurred_at,
        source: e.source,
        payload: e.payload,
        ...d.meta,
        processed_at: processedAt,
        expires_at: expiresAtOf(e.occurred_at, ttlDays),
    };
    return Object.assign(item, enrichment);
}

/** DynamoDB's item size limit. */
export const MAX_ITEM_BYTES = 400 * 1024;

/**
 * An upper estimate of a value's stored size, per DynamoDB's sizing rules: strings and binary by
 * length, numbers up to 21 bytes, maps and lists 3 bytes plus 1 per element, names by UTF-8 length.
 */
export function attributeSize(value: unknown): number {
    if (value === null || value === undefined || typeof value === "boolean") return 1;
    if (typeof value === "string") return Buffer.byteLength(value, "utf8");
    if (typeof value === "number" || typeof value === "bigint") return 21;
    if (value instanceof Uint8Array) return value.length;
    if (value instanceof Set) {
        let n = 0;
        for (const v of value) n += attributeSize(v);
        return n;
    }
    if (Array.isArray(value)) return value.reduce((n: number, v) => n + 1 + attributeSize(v), 3);
    if (typeof value === "object") {
        // NumberValue and other wrappers of a number's digits
        if ("value" in value && typeof (value as { value: unknown }).value === "string" && Object.keys(value).length === 1) return 21;
        return Object.entries(value).reduce((n, [k, v]) => n + Buffer.byteLength(k, "utf8") + 1 + attributeSize(v), 3);
    }
    return 0;
}

export function itemSize(item: object): number {
    return Object.entries(item).reduce((n, [k, v]) => (v === undefined ? n : n + Buffer.byteLength(k, "utf8") + attributeSize(v)), 0);
}

/** One put of the batch: an item and the Kinesis records (sequence numbers) it came from. */
export interface PendingWrite {
    item: EventItem;
    owners: string[];
}

/**
 * The batch's puts with duplicate keys merged (BatchWriteItem refuses two puts of one key in a
 * call; producers' retries put the same event on the stream twice), taken record by record as the
 * records finish. The first copy added is kept; every record that carried the event owns the
 * write, so a failed write fails them all.
 */
export class MergedWrites {
    /** In the order their keys were first added. */
    readonly writes: PendingWrite[] = [];
    private readonly byKey = new Map<string, PendingWrite>();

    /** Adds a record's items; returns those whose key is new, to be written (in `writes` order). */
    add(owner: string, items: readonly EventItem[]): EventItem[] {
        const added: EventItem[] = [];
        for (const item of items) {
            const key = `${item.pk}\u0000${item.sk}`;
            const seen = this.byKey.get(key);
            if (seen) {
                if (!seen.owners.includes(owner)) seen.owners.push(owner);
                continue;
            }
            const write = { item, owners: [owner] };
            this.byKey.set(key, write);
            this.writes.push(write);
            added.push(item);
        }
        return added;
    }
}
