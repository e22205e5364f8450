import { EVENT_TYPES as CONTRACT_EVENT_TYPES, type EventType as ContractEventType } from "../../contracts/events";
import * as z from "zod/mini";
import "./zod-locale";

/**
 * The events the pipeline carries: one envelope (`event_type`, `event_id`, `occurred_at`, `source`,
 * `payload`) and a payload schema per use case of the design document. Shared by the ingest API
 * (validation) and the consumer (parsing), so both sides agree on one definition.
 */

const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));
const id = text(1, 128);
const envelope = {
    event_id: id,
    occurred_at: z.iso.datetime({ offset: true }),
    source: text(1, 128),
};

export const ACTION_TYPES = ["page_view", "click", "search", "add_to_cart", "login", "signup", "premium_feature", "purchase"] as const;

export const UserActionEvent = z.object({
    ...envelope,
    event_type: z.literal("user_action"),
    payload: z.object({
        user_id: id,
        action_type: z.enum(ACTION_TYPES),
        session_id: z.optional(id),
        page: z.optional(z.string().check(z.maxLength(2048))),
    }),
});

export const OrderEvent = z.object({
    ...envelope,
    event_type: z.literal("order"),
    payload: z.object({
        order_id: id,
        user_id: id,
        amount: z.number().check(z.nonnegative()),
        currency: z.string().check(z.regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as USD")),
        items: z.optional(z.number().check(z.int(), z.positive())),
    }),
});

export const SensorReadingEvent = z.object({
    ...envelope,
    event_type: z.literal("sensor_reading"),
    payload: z.object({
        device_id: id,
        metric: text(1, 64),
        value: z.number(),
        unit: z.optional(z.string().check(z.maxLength(16))),
    }),
});

export const LogLineEvent = z.object({
    ...envelope,
    event_type: z.literal("log_line"),
    payload: z.object({
        service: text(1, 128),
        level: z.enum(["DEBUG", "INFO", "WARN", "ERROR", "FATAL"]),
        message: z.string().check(z.maxLength(256 * 1024)),
    }),
});

export const ChangeEvent = z.object({
    ...envelope,
    event_type: z.literal("change"),
    payload: z.object({
        table: text(1, 255),
        operation: z.enum(["INSERT", "MODIFY", "REMOVE"]),
        keys: z.record(z.string(), z.union([z.string(), z.number()])).check(z.refine((k) => Object.keys(k).length > 0, "must name at least one key attribute")),
        new_image: z.optional(z.record(z.string(), z.unknown())),
        old_image: z.optional(z.record(z.string(), z.unknown())),
    }),
});

export const StreamEvent = z.discriminatedUnion("event_type", [UserActionEvent, OrderEvent, SensorReadingEvent, LogLineEvent, ChangeEvent]);
export type StreamEvent = z.infer<typeof StreamEvent>;
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? A : never) : never;
/** The schemas' event types, exactly contracts/events.ts's: should either drift, this is never and EVENT_TYPES fails to compile. */
export type EventType = Exactly<StreamEvent["event_type"], ContractEventType>;
export const EVENT_TYPES: readonly EventType[] = CONTRACT_EVENT_TYPES;

/** A validation problem of one event, addressed the way an API client can act on it. */
export interface EventError {
    index: number;
    field: string;
    reason: string;
}

export type Validated = { ok: true; event: StreamEvent } | { ok: false; errors: EventError[] };

/** Validates one event; errors name the field by its path (`payload.amount`) and say why. */
export function validateEvent(input: unknown, index: number): Validated {
    const parsed = StreamEvent.safeParse(input);
    if (parsed.success) return { ok: true, event: parsed.data };
    return {
        ok: false,
        errors: parsed.error.issues.map((issue) => ({
            index,
            field: issue.path.length > 0 ? issue.path.join(".") : "(event)",
            reason: issue.message,
        })),
    };
}

/**
 * The partition key that keeps what must stay ordered on one shard: a user's actions and orders
 * (the fraud rule counts a user's orders), a device's readings, a service's log lines, a row's changes.
 */
export function partitionKeyOf(event: StreamEvent): string {
    switch (event.event_type) {
        case "user_action":
        case "order":
            return `user#${event.payload.user_id}`;
        case "sensor_reading":
            return `device#${event.payload.device_id}`;
        case "log_line":
            return `service#${event.payload.service}`;
        case "change":
            return `${event.payload.table}#${Object.entries(event.payload.keys)
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([, v]) => v)
                .join("#")}`.slice(0, 256);
    }
}
