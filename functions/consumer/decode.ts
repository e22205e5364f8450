import type { KinesisStreamRecord } from "aws-lambda";
import { adaptUserRecord, type FeedKind } from "../shared/adapters";
import { RecordDecodeError, userRecordsOf } from "../shared/deaggregate";
import { validateEvent, type StreamEvent } from "../shared/events";
import type { KinesisMetadata } from "../shared/results-table";

/** One valid event read from a Kinesis record, with where it came from. */
export interface DecodedEvent {
    event: StreamEvent;
    meta: KinesisMetadata;
    feed: FeedKind;
}

export interface DecodedRecord {
    shardId: string;
    sequenceNumber: string;
    /** User records in the Kinesis record (1 unless KPL-aggregated). */
    userRecords: number;
    /** Zero for a CloudWatch Logs control message. */
    events: DecodedEvent[];
}

/** `shardId-000000000006:4959...` → `shardId-000000000006` (Lambda's eventID is `<shard id>:<sequence number>`). */
export function shardIdOf(eventID: string): string {
    const colon = eventID.indexOf(":");
    return colon < 0 ? eventID : eventID.slice(0, colon);
}

const MAX_REASON = 500;

/** The event as the schema parses it (unknown fields dropped), or why it is not one. */
function parseEvent(input: unknown): { event: StreamEvent } | { reason: string } {
    const v = validateEvent(input, 0);
    if (v.ok) return { event: v.event };
    const text = v.errors.map((e) => `${e.field}: ${e.reason}`).join("; ");
    return { reason: text.length > MAX_REASON ? `${text.slice(0, MAX_REASON)}…` : text };
}

/**
 * Decodes one Kinesis record into valid events: base64, KPL deaggregation (MD5 checked), the feed
 * adapters, then the event schema. All or nothing: any user record or event that cannot be read
 * fails the whole Kinesis record (the unit Lambda retries), before any side effect, with a
 * RecordDecodeError whose message is the reason to log.
 */
export function decodeRecord(record: KinesisStreamRecord): DecodedRecord {
    const k = record.kinesis;
    const shardId = shardIdOf(record.eventID);
    const users = userRecordsOf(k);
    const events: DecodedEvent[] = [];
    for (const user of users) {
        const where = user.subSequenceNumber === undefined ? "" : `user record ${user.subSequenceNumber}: `;
        let adapted;
        try {
            adapted = adaptUserRecord(user.data);
        } catch (e) {
            if (e instanceof RecordDecodeError) throw new RecordDecodeError(`${where}${e.message}`, user.subSequenceNumber);
            throw e;
        }
        const meta: KinesisMetadata = {
            shard_id: shardId,
            sequence_number: k.sequenceNumber,
            ...(user.subSequenceNumber === undefined ? {} : { sub_sequence_number: user.subSequenceNumber }),
            approximate_arrival_timestamp: k.approximateArrivalTimestamp,
        };
        adapted.events.forEach((candidate, i) => {
            const parsed = parseEvent(candidate);
            if ("reason" in parsed) {
                const which = adapted.events.length > 1 ? `event ${i}: ` : "";
                throw new RecordDecodeError(`${where}${which}not a valid event: ${parsed.reason}`, user.subSequenceNumber);
            }
            events.push({ event: parsed.event, meta, feed: adapted.kind });
        });
    }
    return { shardId, sequenceNumber: k.sequenceNumber, userRecords: users.length, events };
}
