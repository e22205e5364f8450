import { randomUUID } from "node:crypto";
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { alertMarkerKey, minuteOf, velocityKey, type AlertMarkerItem, type FraudReason, type KinesisMetadata } from "../shared/results-table";
import { alertMessage, fraudReasons, rankOf, velocityMember, type FraudThresholds } from "./fraud-rule";
import type { Order } from "./types";

/**
 * The fraud rule's state and side effects, kept in the results table:
 *
 * - Velocity: one item per user and minute with a string set of `<occurred_at>#<order_id>`;
 *   `UpdateItem ADD` of the order's member is idempotent (a retry adds nothing), and the order's
 *   rank comes from the returned set (see fraud-rule.ts). The set is capped (VELOCITY_SET_CAP members)
 *   so a runaway user cannot push the item past 400 KB; an order that finds the set full is ranked
 *   after it (suspect), every time.
 * - Alerts, exactly one per suspect order: a marker item per order id, claimed with a conditional
 *   put (`status = publishing`, a lease until the invocation's deadline) before publishing, then set
 *   to `sent`. A marker already `sent` means the alert went out: nothing to do. A `publishing` marker
 *   whose lease is live belongs to another invocation (or a duplicate record in the same batch):
 *   the record fails and is retried. One whose lease has lapsed was left by an invocation that died
 *   between claim and publish, and is claimed again, so that alert is not lost. If Publish fails,
 *   the marker is deleted and the record fails, so the retry publishes.
 *   A claim put that the SDK resent after a lost response finds its own attempt id and goes on.
 *   A duplicate alert remains possible in one case only: the invocation dies after SNS accepted the
 *   message and before the marker says `sent`. Messages carry a stable `alert_id` for that.
 */

export const VELOCITY_SET_CAP = 200;
/** How long past the invocation's deadline a claim still counts as held. */
export const LEASE_MARGIN_MS = 5_000;

type DocClient = Pick<DynamoDBDocumentClient, "send">;
type SnsClient = Pick<SNSClient, "send">;

/** By name, not instanceof: the error class may come from another copy of the client package. */
export function isConditionalCheckFailed(e: unknown): boolean {
    return (e as { name?: unknown } | undefined)?.name === "ConditionalCheckFailedException";
}

export interface FraudDetectorDeps {
    doc: DocClient;
    sns: SnsClient;
    tableName: string;
    topicArn: string;
    thresholds: FraudThresholds;
    /** Epoch seconds at which counters and markers of an order expire. */
    expiresAt: (order: Order) => number;
    /** @default Date.now */
    now?: () => number;
    /** Told about a problem that does not fail the record. */
    warn?: (message: string, details: Record<string, unknown>) => void;
}

export interface FraudOutcome {
    reasons: FraudReason[];
    ordersInMinute: number;
    alert: "none" | "published" | "already-sent";
}

/** The record must be retried: the alert of its order is being published by another invocation. */
export class AlertInFlightError extends Error {
    constructor(orderId: string) {
        super(`the alert for order ${orderId} is being published by another invocation`);
        this.name = "AlertInFlightError";
    }
}

/** The record must be retried: SNS refused the alert (the marker was removed). */
export class AlertPublishError extends Error {
    constructor(orderId: string, cause: unknown) {
        super(`publishing the alert for order ${orderId} failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
        this.name = "AlertPublishError";
    }
}

export class FraudDetector {
    private readonly now: () => number;

    constructor(private readonly deps: FraudDetectorDeps) {
        this.now = deps.now ?? Date.now;
    }

    /** Counts the order, applies the rule, and alerts once if it is suspect. `deadline`: epoch ms the invocation ends. */
    async assess(order: Order, meta: KinesisMetadata, deadline: number): Promise<FraudOutcome> {
        const ordersInMinute = await this.countInMinute(order);
        const reasons = fraudReasons(order.payload.amount, ordersInMinute, this.deps.thresholds);
        if (reasons.length === 0) return { reasons, ordersInMinute, alert: "none" };
        const alert = await this.alertOnce(order, reasons, ordersInMinute, meta, deadline);
        return { reasons, ordersInMinute, alert };
    }

    private async countInMinute(order: Order): Promise<number> {
        const member = velocityMember(order);
        const cap = Math.max(VELOCITY_SET_CAP, this.deps.thresholds.ordersPerMinute);
        try {
            const out = await this.deps.doc.send(
                new UpdateCommand({
                    TableName: this.deps.tableName,
                    Key: velocityKey(order.payload.user_id, minuteOf(order.occurred_at)),
                    UpdateExpression: "ADD orders :member SET expires_at = :expires",
                    ConditionExpression: "attribute_not_exists(orders) OR size(orders) < :cap OR contains(orders, :one)",
                    ExpressionAttributeValues: { ":member": new Set([member]), ":one": member, ":cap": cap, ":expires": this.deps.expiresAt(order) },
                    ReturnValues: "UPDATED_NEW",
                }),
            );
            const orders = out.Attributes?.orders as Set<string> | undefined;
            return orders ? rankOf(orders, member) : 1;
        } catch (e) {
            if (isConditionalCheckFailed(e)) return cap + 1;
            throw e;
        }
    }

    private async alertOnce(order: Order, reasons: FraudReason[], ordersInMinute: number, meta: KinesisMetadata, deadline: number): Promise<"published" | "already-sent"> {
        const { doc, tableName } = this.deps;
        const key = alertMarkerKey(order.payload.order_id);
        const attemptId = randomUUID();
        const now = this.now();
        const marker: AlertMarkerItem = {
            ...key,
            status: "publishing",
            attempt_id: attemptId,
            lease_until: Math.max(deadline, now) + LEASE_MARGIN_MS,
            order_id: order.payload.order_id,
            user_id: order.payload.user_id,
            event_id: order.event_id,
            reasons,
            claimed_at: new Date(now).toISOString(),
            expires_at: this.deps.expiresAt(order),
        };
        try {
            await doc.send(
                new PutCommand({
                    TableName: tableName,
                    Item: marker,
                    ConditionExpression: "attribute_not_exists(pk) OR (#status = :publishing AND lease_until < :now)",
                    ExpressionAttributeNames: { "#status": "status" },
                    ExpressionAttributeValues: { ":publishing": "publishing", ":now": now },
                }),
            );
        } catch (e) {
            if (!isConditionalCheckFailed(e)) throw e;
            const existing = await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
            if (existing.Item?.status === "sent") return "already-sent";
            // The SDK resent a put whose first response was lost: the claim is ours, so publish. Treating
            // it as another invocation's would fail the record until the lease lapses, and lose the alert
            // if the retries run out first.
            if (existing.Item?.attempt_id !== attemptId) {
                // Still publishing elsewhere (or removed since, after a failed publish): retry the record later.
                throw new AlertInFlightError(order.payload.order_id);
            }
        }

        const alert = alertMessage(order, reasons, ordersInMinute, this.deps.thresholds, meta);
        let messageId: string | undefined;
        try {
            const out = await this.deps.sns.send(
                new PublishCommand({ TopicArn: this.deps.topicArn, Subject: alert.subject, Message: alert.message, MessageAttributes: alert.attributes }),
            );
            messageId = out.MessageId;
        } catch (e) {
            // Give the claim back so the retry publishes; if even that fails, the lease lapses at the deadline.
            await doc
                .send(
                    new DeleteCommand({
                        TableName: tableName,
                        Key: key,
                        ConditionExpression: "attempt_id = :mine",
                        ExpressionAttributeValues: { ":mine": attemptId },
                    }),
                )
                .catch(() => undefined);
            throw new AlertPublishError(order.payload.order_id, e);
        }

        try {
            await doc.send(
                new UpdateCommand({
                    TableName: tableName,
                    Key: key,
                    UpdateExpression: "SET #status = :sent, sent_at = :at, message_id = :id",
                    ConditionExpression: "attempt_id = :mine",
                    ExpressionAttributeNames: { "#status": "status" },
                    ExpressionAttributeValues: { ":sent": "sent", ":at": new Date(this.now()).toISOString(), ":id": messageId ?? "", ":mine": attemptId },
                }),
            );
        } catch (e) {
            // The alert is out: failing the record now would only publish it again once the lease lapses.
            this.deps.warn?.("Alert published but its marker was not set to sent", { orderId: order.payload.order_id, messageId, error: (e as Error).message });
        }
        return "published";
    }
}
