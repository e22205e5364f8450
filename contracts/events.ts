/**
 * The event types the pipeline carries (the envelope's `event_type`): functions/shared/events.ts holds
 * a schema for each, infra validates the consumer's event-type filter against them.
 */
export const EVENT_TYPES = ["user_action", "order", "sensor_reading", "log_line", "change"] as const;
export type EventType = (typeof EVENT_TYPES)[number];
