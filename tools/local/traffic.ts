// The reference document's traffic: clickstream user actions, orders (with a share of fraud
// patterns: big amounts, and bursts of orders by one user within a minute), sensor readings, log
// lines and change events, sent through the real producer client (functions/shared/producer) at a
// given rate; plus a share of malformed records written raw (PutRecord, not the producer) so the
// consumer's failure path runs. Every record produced is entered in a ledger the report reconciles.
import { PutRecordCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { partitionKeyOf, type EventType, type StreamEvent } from "../../functions/shared/events";
import type { KinesisProducer, Outcome } from "../../functions/shared/producer";
import { minuteOf, utcInstant } from "../../functions/shared/results-table";
import { seededRandom } from "../lib/seeded-random";

/** Share of each event type in the traffic (the reference document's use cases). */
export const TRAFFIC_MIX: Readonly<Record<EventType, number>> = {
    user_action: 0.4,
    order: 0.15,
    sensor_reading: 0.25,
    log_line: 0.12,
    change: 0.08,
};

/** Ways a record is malformed; each fails the consumer's decoding or validation. */
export const MALFORMATIONS = ["not-json", "truncated-json", "not-utf8", "schema-invalid", "missing-envelope", "unknown-type"] as const;
export type Malformation = (typeof MALFORMATIONS)[number];

/** Recognises a malformed record's id in its bytes (ids are `malformed-<n>`). */
export const MALFORMED_ID = /malformed-\d+/;

export interface TrafficOptions {
    /** @default 1 */
    seed?: number;
    /** Share of records written malformed, 0..1. @default 0.01 */
    malformedShare?: number;
    /** The consumer's fraud thresholds: big orders are at or above the amount, bursts reach the count. */
    fraud: { amountThreshold: number; ordersPerMinute: number };
    /** Share of orders with an amount at or above the threshold. @default 0.03 */
    bigOrderShare?: number;
    /** Share of orders that come as a burst (ordersPerMinute + 1 orders of one user in one minute). @default 0.02 */
    burstShare?: number;
    /** Epoch ms for occurred_at. @default Date.now */
    now?: () => number;
}

export type Planned =
    | { kind: "event"; id: string; type: EventType; event: StreamEvent; data: string; partitionKey: string }
    | { kind: "malformed"; id: string; malformation: Malformation; data: Buffer; partitionKey: string };

const ACTIONS = ["page_view", "page_view", "page_view", "click", "click", "search", "add_to_cart", "login", "signup", "premium_feature", "purchase"] as const;
const LEVELS = ["DEBUG", "INFO", "INFO", "INFO", "WARN", "ERROR"] as const;
const SERVICES = ["checkout", "catalog", "payments", "search", "auth", "shipping", "recommendations", "gateway"];
const METRICS = [
    ["temperature", "C"],
    ["humidity", "%"],
    ["pressure", "hPa"],
    ["vibration", "mm/s"],
] as const;
const TABLES = ["customers", "inventory", "accounts"];
const USERS = 2_000;
const DEVICES = 300;

export class TrafficGenerator {
    private readonly rand: () => number;
    private readonly now: () => number;
    private readonly o: Required<Omit<TrafficOptions, "now" | "seed">>;
    private n = 0;
    private malformed = 0;
    private readonly queue: Planned[] = [];

    constructor(options: TrafficOptions) {
        this.rand = seededRandom(options.seed ?? 1);
        this.now = options.now ?? Date.now;
        this.o = { malformedShare: 0.01, bigOrderShare: 0.03, burstShare: 0.02, ...options };
        if (!(this.o.malformedShare >= 0 && this.o.malformedShare <= 1)) throw new RangeError(`malformedShare must be within 0..1 (got ${this.o.malformedShare})`);
    }

    /** The next record to send. */
    next(): Planned {
        if (this.queue.length === 0) this.plan();
        return this.queue.shift()!;
    }

    private pick<T>(items: readonly T[]): T {
        return items[Math.floor(this.rand() * items.length)]!;
    }

    private plan(): void {
        if (this.rand() < this.o.malformedShare) {
            this.queue.push(this.malformedRecord());
            return;
        }
        let r = this.rand();
        let type: EventType = "user_action";
        for (const [t, share] of Object.entries(TRAFFIC_MIX) as [EventType, number][]) {
            if (r < share) {
                type = t;
                break;
            }
            r -= share;
        }
        if (type === "order" && this.rand() < this.o.burstShare) {
            // A user placing more orders in one minute than the velocity rule allows.
            const user = `u-${Math.floor(this.rand() * USERS)}`;
            const count = this.o.fraud.ordersPerMinute + 1;
            const t = this.now();
            const minuteEnd = t - (t % 60_000) + 59_000;
            const base = Math.min(t, minuteEnd - count * 10);
            for (let i = 0; i < count; i++) this.queue.push(this.eventRecord(this.order(user, base + i * 10)));
            return;
        }
        this.queue.push(this.eventRecord(this.event(type)));
    }

    private envelope(prefix: string, at = this.now()) {
        const id = `evt-${++this.n}`;
        return { id, env: { event_id: id, occurred_at: new Date(at).toISOString(), source: prefix } };
    }

    private order(user: string, at: number): StreamEvent {
        const { env } = this.envelope("shop", at);
        const big = this.rand() < this.o.bigOrderShare;
        const amount = big ? this.o.fraud.amountThreshold * (1 + this.rand()) : Math.round((5 + this.rand() * 400) * 100) / 100;
        return {
            ...env,
            event_type: "order",
            payload: {
                order_id: `o-${this.n}`,
                user_id: user,
                amount: Math.round(amount * 100) / 100,
                currency: this.pick(["EUR", "USD", "GBP"]),
                items: 1 + Math.floor(this.rand() * 5),
            },
        };
    }

    private event(type: EventType): StreamEvent {
        switch (type) {
            case "user_action": {
                const { env } = this.envelope("web");
                const user = Math.floor(this.rand() * USERS);
                return {
                    ...env,
                    event_type: "user_action",
                    payload: {
                        user_id: `u-${user}`,
                        action_type: this.pick(ACTIONS),
                        session_id: `s-${user}-${Math.floor(this.rand() * 4)}`,
                        page: `/products/${Math.floor(this.rand() * 500)}`,
                    },
                };
            }
            case "order":
                return this.order(`u-${Math.floor(this.rand() * USERS)}`, this.now());
            case "sensor_reading": {
                const { env } = this.envelope("iot");
                const [metric, unit] = this.pick(METRICS);
                return {
                    ...env,
                    event_type: "sensor_reading",
                    payload: { device_id: `dev-${Math.floor(this.rand() * DEVICES)}`, metric, value: Math.round((10 + this.rand() * 30) * 100) / 100, unit },
                };
            }
            case "log_line": {
                const { env } = this.envelope("app");
                const level = this.pick(LEVELS);
                return {
                    ...env,
                    event_type: "log_line",
                    payload: { service: this.pick(SERVICES), level, message: `${level} request ${this.n} served in ${Math.floor(this.rand() * 900)} ms` },
                };
            }
            case "change": {
                const { env } = this.envelope("dynamodb-cdc");
                const table = this.pick(TABLES);
                const operation = this.pick(["INSERT", "MODIFY", "MODIFY", "REMOVE"] as const);
                const key = `${table.slice(0, 4)}-${Math.floor(this.rand() * 1000)}`;
                const image = { id: key, version: Math.floor(this.rand() * 50), status: this.pick(["active", "pending", "closed"]) };
                return {
                    ...env,
                    event_type: "change",
                    payload: {
                        table,
                        operation,
                        keys: { id: key },
                        ...(operation !== "REMOVE" ? { new_image: image } : {}),
                        ...(operation !== "INSERT" ? { old_image: { ...image, version: image.version - 1 } } : {}),
                    },
                };
            }
        }
    }

    private eventRecord(event: StreamEvent): Planned {
        return { kind: "event", id: event.event_id, type: event.event_type, event, data: JSON.stringify(event), partitionKey: partitionKeyOf(event) };
    }

    private malformedRecord(): Planned {
        const id = `malformed-${++this.malformed}`;
        const malformation = MALFORMATIONS[(this.malformed - 1) % MALFORMATIONS.length]!;
        const at = new Date(this.now()).toISOString();
        const order = { event_type: "order", event_id: id, occurred_at: at, source: "shop", payload: { order_id: id, user_id: "u-1", amount: 12.5, currency: "EUR" } };
        let data: Buffer;
        switch (malformation) {
            case "not-json":
                data = Buffer.from(`${id}: this line is not JSON`);
                break;
            case "truncated-json": {
                const text = JSON.stringify({ ...order, event_id: id });
                data = Buffer.from(text.slice(0, Math.floor(text.length / 2)));
                break;
            }
            case "not-utf8":
                data = Buffer.concat([Buffer.from([0xff, 0xfe, 0xfd]), Buffer.from(id), Buffer.from([0xc3, 0x28])]);
                break;
            case "schema-invalid":
                data = Buffer.from(JSON.stringify({ ...order, payload: { ...order.payload, amount: -5, currency: "eur" } }));
                break;
            case "missing-envelope":
                data = Buffer.from(JSON.stringify({ event_id: id, payload: order.payload }));
                break;
            case "unknown-type":
                data = Buffer.from(JSON.stringify({ ...order, event_type: "refund" }));
                break;
        }
        return { kind: "malformed", id, malformation, data, partitionKey: `malformed#${this.malformed}` };
    }
}

// ---------------------------------------------------------------- the ledger

export type LedgerOutcome = { ok: true; shardId: string; sequenceNumber: string; subSequenceNumber?: number } | { ok: false; reason: string };

export interface LedgerEntry {
    id: string;
    /** The event type, or "malformed". */
    kind: EventType | "malformed";
    malformation?: Malformation;
    /** Epoch ms the record was handed to the producer (or to PutRecord). */
    sentAt: number;
    /** Orders only: what the fraud rule looks at. */
    order?: { orderId: string; userId: string; amount: number; occurredAt: string };
    /** Undefined until the producer gives the record its outcome. */
    outcome?: LedgerOutcome;
}

/** Every record produced, with where it landed in the stream. */
export class Ledger {
    readonly entries = new Map<string, LedgerEntry>();
    private readonly atSequence = new Map<string, string[]>();
    /** Records written to the stream so far. */
    sentCount = 0;

    add(entry: LedgerEntry): void {
        this.entries.set(entry.id, entry);
    }

    settle(id: string, outcome: LedgerOutcome): void {
        const e = this.entries.get(id);
        if (!e) return;
        e.outcome = outcome;
        if (outcome.ok) {
            this.sentCount++;
            const key = `${outcome.shardId}:${outcome.sequenceNumber}`;
            const ids = this.atSequence.get(key);
            if (ids) ids.push(id);
            else this.atSequence.set(key, [id]);
        }
    }

    /** Ids of the records a Kinesis record carries (several for a KPL aggregate). */
    idsAt(shardId: string, sequenceNumber: string): readonly string[] {
        return this.atSequence.get(`${shardId}:${sequenceNumber}`) ?? [];
    }

    /**
     * Ids of the user records at a quarantine coordinate: the one at `subSequenceNumber` inside the
     * Kinesis record, or all it carries when null (a plain record, or an aggregate not decodable whole).
     */
    idsAtSub(shardId: string, sequenceNumber: string, subSequenceNumber: number | null): readonly string[] {
        const ids = this.idsAt(shardId, sequenceNumber);
        if (subSequenceNumber === null) return ids;
        return ids.filter((id) => {
            const o = this.entries.get(id)?.outcome;
            return o?.ok === true && (o.subSequenceNumber ?? 0) === subSequenceNumber;
        });
    }

    get size(): number {
        return this.entries.size;
    }
}

/**
 * The alerts the consumer should raise for the orders that reached the stream: one per order at or
 * above the amount threshold or ranked at least ordersPerMinute among its user's orders of the same
 * minute (ranked by occurred_at then order id, as functions/consumer/fraud-rule.ts does).
 */
export function expectedAlerts(
    entries: Iterable<LedgerEntry>,
    fraud: { amountThreshold: number; ordersPerMinute: number },
    reachedConsumer: (e: LedgerEntry) => boolean = (e) => e.outcome?.ok === true,
): number {
    const byUserMinute = new Map<string, string[]>();
    const orders: { member: string; group: string; amount: number }[] = [];
    for (const e of entries) {
        if (!e.order || !reachedConsumer(e)) continue;
        const group = `${e.order.userId}\u0000${minuteOf(e.order.occurredAt)}`;
        const member = `${utcInstant(e.order.occurredAt)}#${e.order.orderId}`;
        orders.push({ member, group, amount: e.order.amount });
        const list = byUserMinute.get(group);
        if (list) list.push(member);
        else byUserMinute.set(group, [member]);
    }
    let alerts = 0;
    for (const o of orders) {
        const rank = byUserMinute.get(o.group)!.filter((m) => m <= o.member).length;
        if (o.amount >= fraud.amountThreshold || rank >= fraud.ordersPerMinute) alerts++;
    }
    return alerts;
}

// ---------------------------------------------------------------- sending

export interface TrafficRunOptions {
    generator: TrafficGenerator;
    ledger: Ledger;
    producer: Pick<KinesisProducer, "put" | "flush" | "metrics">;
    /** Writes malformed records raw, past the producer's validation and aggregation. */
    kinesis: Pick<KinesisClient, "send">;
    streamName: string;
    /** Records per second. */
    rate: number;
    /** Stop after this many records (undefined: no limit). */
    records?: number;
    /** Stop after this long (undefined: no limit). */
    durationMs?: number;
    /** Stops sending. */
    signal?: AbortSignal;
    /** Records waiting for their outcome before sending pauses. @default 20000 */
    maxOutstanding?: number;
}

/** Sends records at the rate until the count, the duration or the signal; resolves once every record has its outcome. */
export async function runTraffic(o: TrafficRunOptions): Promise<void> {
    const started = Date.now();
    const pending = new Set<Promise<void>>();
    const maxOutstanding = o.maxOutstanding ?? 20_000;
    let sent = 0;
    const finished = () => o.signal?.aborted || (o.records !== undefined && sent >= o.records) || (o.durationMs !== undefined && Date.now() - started >= o.durationMs);
    while (!finished()) {
        const due = Math.floor(((Date.now() - started) / 1000) * o.rate);
        while (sent < due && !finished() && pending.size < maxOutstanding) {
            const p = o.generator.next();
            sent++;
            const sentAt = Date.now();
            const entry: LedgerEntry = { id: p.id, kind: p.kind === "event" ? p.type : "malformed", sentAt };
            if (p.kind === "malformed") entry.malformation = p.malformation;
            if (p.kind === "event" && p.event.event_type === "order") {
                const pl = p.event.payload;
                entry.order = { orderId: pl.order_id, userId: pl.user_id, amount: pl.amount, occurredAt: p.event.occurred_at };
            }
            o.ledger.add(entry);
            const settle = (outcome: LedgerOutcome) => o.ledger.settle(p.id, outcome);
            const done: Promise<void> =
                p.kind === "event"
                    ? o.producer.put({ data: p.data, partitionKey: p.partitionKey }).then((out: Outcome) =>
                          settle(
                              out.ok
                                  ? {
                                        ok: true,
                                        shardId: out.shardId,
                                        sequenceNumber: out.sequenceNumber,
                                        ...(out.subSequenceNumber !== undefined ? { subSequenceNumber: out.subSequenceNumber } : {}),
                                    }
                                  : { ok: false, reason: `${out.errorCode}: ${out.errorMessage}` },
                          ),
                      )
                    : o.kinesis.send(new PutRecordCommand({ StreamName: o.streamName, PartitionKey: p.partitionKey, Data: p.data })).then(
                          (out) => settle({ ok: true, shardId: out.ShardId ?? "", sequenceNumber: out.SequenceNumber ?? "" }),
                          (e: Error) => settle({ ok: false, reason: `${e.name}: ${e.message}` }),
                      );
            const tracked = done.finally(() => pending.delete(tracked));
            pending.add(tracked);
        }
        await new Promise((r) => setTimeout(r, 20));
    }
    await o.producer.flush();
    await Promise.all([...pending]);
}
