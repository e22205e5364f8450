/**
 * The results table of the Lambda consumer: the keys and shapes of the three kinds of item it holds
 * (the table's key schema is contracts/results-table.ts). No AWS or Pulumi import here.
 *
 * | item            | pk                          | sk                              | in by-type-time |
 * |-----------------|-----------------------------|---------------------------------|-----------------|
 * | event           | partitionKeyOf(event)       | `<occurred_at UTC>#<event_id>`  | yes             |
 * | velocity counter| `velocity#user#<user_id>`   | `orders#<yyyy-mm-ddThh:mm>`     | no (sparse)     |
 * | alert marker    | `alert#order#<order_id>`    | `fraud-alert`                   | no (sparse)     |
 *
 * Event sort keys always start with a digit (an ISO year), the others with a letter, so no event
 * item can ever share a key with a counter or a marker, whatever a `change` event's table is called.
 */

export const KEY_PREFIX = {
    velocity: "velocity#",
    alert: "alert#order#",
} as const;

/** Sort key of an alert marker (one per order). */
export const ALERT_MARKER_SK = "fraud-alert";

/**
 * `occurred_at` as a fixed-width UTC instant (`2025-01-31T10:00:00.000Z`). Events may carry any
 * offset and precision; sort keys must compare as instants, so they use this form.
 * Throws on a string Date cannot read (the event schema lets none through).
 */
export function utcInstant(occurredAt: string): string {
    const ms = Date.parse(occurredAt);
    if (Number.isNaN(ms)) throw new Error(`Not a date-time: ${JSON.stringify(occurredAt)}`);
    return new Date(ms).toISOString();
}

export interface EventKeys {
    pk: string;
    sk: string;
    gsi1pk: string;
    gsi1sk: string;
}

/** The keys of an event item: deterministic from the event, so a retry overwrites the same item. */
export function eventKeys(partitionKey: string, event: { event_type: string; event_id: string; occurred_at: string }): EventKeys {
    const instant = utcInstant(event.occurred_at);
    const sk = `${instant}#${event.event_id}`;
    return { pk: partitionKey, sk, gsi1pk: `${event.event_type}#${instant.slice(0, 10)}`, gsi1sk: sk };
}

/** The calendar minute (UTC) the velocity rule counts orders in: `2025-01-31T10:05`. */
export function minuteOf(occurredAt: string): string {
    return utcInstant(occurredAt).slice(0, 16);
}

export function velocityKey(userId: string, minute: string): { pk: string; sk: string } {
    return { pk: `${KEY_PREFIX.velocity}user#${userId}`, sk: `orders#${minute}` };
}

export function alertMarkerKey(orderId: string): { pk: string; sk: string } {
    return { pk: `${KEY_PREFIX.alert}${orderId}`, sk: ALERT_MARKER_SK };
}

/** Where a stored event came from in the stream. */
export interface KinesisMetadata {
    /** From the Lambda record's eventID (`shardId-000000000000:<sequence number>`). */
    shard_id: string;
    sequence_number: string;
    /** Index of the user record inside a KPL aggregate; absent for a plain Kinesis record. */
    sub_sequence_number?: number;
    /** The user record's own partition key (inside an aggregate, not the aggregate's). */
    partition_key: string;
    /** Present only when the producer gave the user record one (KPL aggregates carry it per user record). */
    explicit_hash_key?: string;
    /**
     * Where the record is placed, as a decimal in 0..2^128-1: explicit_hash_key when present, else MD5 of
     * partition_key. Lambda does not deliver a plain record's explicit hash key: for those it is MD5.
     */
    hash_key: string;
    /** Epoch seconds (with fraction), as Lambda delivers it. */
    approximate_arrival_timestamp: number;
}

export type UserSegment = "high_value" | "active" | "standard";
export type FraudReason = "amount" | "velocity";

export interface EventItem extends EventKeys, KinesisMetadata {
    event_type: string;
    event_id: string;
    /** As the event carried it (any offset); the keys use its UTC form. */
    occurred_at: string;
    source: string;
    payload: Record<string, unknown>;
    /** ISO time of the last write; the only attribute a retried write changes. */
    processed_at: string;
    /** Epoch seconds: occurred_at + RESULTS_TTL_DAYS, so a rewrite keeps the same expiry. */
    expires_at: number;
    /** user_action only. */
    user_segment?: UserSegment;
    action_score?: number;
    /** order only. */
    fraud_suspected?: boolean;
    fraud_reasons?: FraudReason[];
    /** The order's rank among the user's orders of its minute (1 = first). */
    orders_in_minute?: number;
}

export interface VelocityCounterItem {
    pk: string;
    sk: string;
    /** `<occurred_at UTC>#<order_id>` of each order counted in the minute (a string set). */
    orders: Set<string>;
    expires_at: number;
}

export interface AlertMarkerItem {
    pk: string;
    sk: string;
    /** `publishing` while one invocation holds the claim (until lease_until), `sent` once published. */
    status: "publishing" | "sent";
    attempt_id: string;
    /** Epoch ms after which a `publishing` claim is considered abandoned (its invocation is over). */
    lease_until: number;
    order_id: string;
    user_id: string;
    event_id: string;
    reasons: FraudReason[];
    claimed_at: string;
    sent_at?: string;
    message_id?: string;
    expires_at: number;
}
