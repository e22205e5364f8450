import { adaptUserRecord, eventJson, matchesTopicFilter, type FeedKind } from "../shared/adapters";
import { RecordDecodeError } from "../shared/record-decode-error";
import { validateEvent, type StreamEvent } from "../shared/events";

/**
 * What the archive does with one user record, decided by the consumer's feed adapters
 * (functions/shared/adapters.ts) and the event schema:
 *
 * - an envelope event: kept byte for byte, partitioned by its `event_type` and the date of its
 *   `occurred_at` (the first ten characters, as the JQ query before this transform read it);
 * - a DynamoDB change record: the `change` event it maps to, as JSON;
 * - a CloudWatch Logs DATA_MESSAGE: its `log_line` events, one JSON line each, in the one output
 *   record Firehose allows per input (the delimiter Firehose appends ends the last line),
 *   partitioned by the earliest event's date; a CONTROL_MESSAGE (and a DATA_MESSAGE without log
 *   events) is dropped;
 * - a JSON message from the IoT rule (its partition key, the MQTT topic, matches the rule's topic
 *   filter) that is not an event: kept as is under the `raw_iot` partition, dated by its arrival;
 * - anything else (not decodable, not JSON, a broken Logs or CDC record, JSON that is not a valid
 *   event): ProcessingFailed, so Firehose writes it, raw, under the error prefix.
 */

/** The partition of IoT messages that are not events. */
export const RAW_IOT_PARTITION = "raw_iot";

export interface UserRecord {
    data: Buffer;
    /** Epoch ms the record reached the stream. */
    arrivalMs: number;
    /** The Kinesis partition key (the MQTT topic for IoT messages), when Firehose gives it. */
    partitionKey?: string;
}

export interface TransformOptions {
    /** The IoT rule's topic filter; unset: no IoT feed. */
    iotTopicFilter?: string;
}

export interface PartitionKeys {
    event_type: string;
    event_date: string;
}

export type Feed = FeedKind | "iot";

export type Transformed =
    | { result: "Ok"; data: Buffer; partitionKeys: PartitionKeys; feed: Feed; events: number }
    | { result: "Dropped"; feed: Feed; reason: string }
    | { result: "ProcessingFailed"; reason: string };

const MAX_REASON = 500;
const clip = (text: string) => (text.length > MAX_REASON ? `${text.slice(0, MAX_REASON)}…` : text);

function validateAll(events: unknown[]): { events: StreamEvent[] } | { reason: string } {
    const valid: StreamEvent[] = [];
    for (const [i, candidate] of events.entries()) {
        const v = validateEvent(candidate, i);
        if (!v.ok) {
            const which = events.length > 1 ? `event ${i}: ` : "";
            return { reason: clip(`${which}not a valid event: ${v.errors.map((e) => `${e.field}: ${e.reason}`).join("; ")}`) };
        }
        valid.push(v.event);
    }
    return { events: valid };
}

const dateOf = (event: StreamEvent) => event.occurred_at.slice(0, 10);

/** Transforms one user record (see above); never throws for bad data. */
export function transformUserRecord(record: UserRecord, options: TransformOptions = {}): Transformed {
    let adapted: ReturnType<typeof adaptUserRecord>;
    try {
        adapted = adaptUserRecord(record.data);
    } catch (e) {
        if (e instanceof RecordDecodeError) return { result: "ProcessingFailed", reason: e.message };
        throw e;
    }
    if (adapted.events.length === 0) return { result: "Dropped", feed: adapted.kind, reason: "CloudWatch Logs control message or no log events" };

    const checked = validateAll(adapted.events);
    if ("reason" in checked) {
        const fromIot = options.iotTopicFilter !== undefined && record.partitionKey !== undefined && matchesTopicFilter(record.partitionKey, options.iotTopicFilter);
        if (adapted.kind === "envelope" && fromIot) {
            return {
                result: "Ok",
                data: record.data,
                partitionKeys: { event_type: RAW_IOT_PARTITION, event_date: new Date(record.arrivalMs).toISOString().slice(0, 10) },
                feed: "iot",
                events: 0,
            };
        }
        return { result: "ProcessingFailed", reason: checked.reason };
    }
    const events = checked.events;
    // An envelope is archived as it was written; adapted feeds as the events they became.
    const data = adapted.kind === "envelope" ? record.data : Buffer.from(events.map(eventJson).join("\n"));
    const first = events.reduce((a, b) => (dateOf(b) < dateOf(a) ? b : a));
    return { result: "Ok", data, partitionKeys: { event_type: first.event_type, event_date: dateOf(first) }, feed: adapted.kind, events: events.length };
}
