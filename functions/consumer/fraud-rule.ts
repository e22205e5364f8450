import { utcInstant, type FraudReason, type KinesisMetadata } from "../shared/results-table";
import type { Order } from "./types";

/**
 * The fraud rule, pure: an order is suspect when its amount is at or above the threshold, or when
 * it is the user's Nth (or later) order within one calendar minute (UTC) of occurred_at.
 *
 * "Nth" is the order's rank among the orders of the user's minute, ordered by (occurred_at,
 * order_id), not the count at the time it was processed: a retried or replayed order gets the same
 * rank however many later orders were counted since, so it is never reclassified (and never alerted
 * twice) because of them. Only an earlier order arriving after a later one (out of order on the
 * shard, i.e. from another producer) can change the rank of orders already counted, and those are
 * not revisited. The amount is compared as is, whatever the currency.
 */

export interface FraudThresholds {
    /** FRAUD_AMOUNT_THRESHOLD */
    amount: number;
    /** FRAUD_ORDERS_PER_MINUTE */
    ordersPerMinute: number;
}

export function fraudReasons(amount: number, ordersInMinute: number, t: FraudThresholds): FraudReason[] {
    const reasons: FraudReason[] = [];
    if (amount >= t.amount) reasons.push("amount");
    if (ordersInMinute >= t.ordersPerMinute) reasons.push("velocity");
    return reasons;
}

/** The order's member of the per-user-per-minute string set: sorts by time, then order id. */
export function velocityMember(order: Order): string {
    return `${utcInstant(order.occurred_at)}#${order.payload.order_id}`;
}

/** 1-based rank of `member` among `members` (which contain it). */
export function rankOf(members: Iterable<string>, member: string): number {
    let rank = 0;
    for (const m of members) if (m <= member) rank++;
    return rank;
}

export const ALERT_TYPE = "fraud_suspected";

export interface AlertMessage {
    subject: string;
    /** JSON, documented by its fields. */
    message: string;
    attributes: Record<string, { DataType: "String"; StringValue: string }>;
}

/**
 * The SNS alert for one suspect order. `alert_id` is the same for every attempt at the same order,
 * so a subscriber can drop the rare duplicate (see fraud-detector.ts on when one can happen).
 */
export function alertMessage(order: Order, reasons: FraudReason[], ordersInMinute: number, t: FraudThresholds, meta: KinesisMetadata): AlertMessage {
    const p = order.payload;
    const body = {
        alert_type: ALERT_TYPE,
        alert_id: `fraud#${p.order_id}`,
        order_id: p.order_id,
        user_id: p.user_id,
        amount: p.amount,
        currency: p.currency,
        event_id: order.event_id,
        occurred_at: order.occurred_at,
        reasons,
        orders_in_minute: ordersInMinute,
        thresholds: { amount: t.amount, orders_per_minute: t.ordersPerMinute },
        kinesis: meta,
    };
    // SNS subjects: at most 100 printable ASCII characters, no line breaks.
    const subject = `Fraud suspected: order ${p.order_id}`.replace(/[^\x20-\x7e]/g, "?").slice(0, 100);
    return { subject, message: JSON.stringify(body), attributes: { alert_type: { DataType: "String", StringValue: ALERT_TYPE } } };
}
