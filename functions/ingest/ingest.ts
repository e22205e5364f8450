import { type EventError, partitionKeyOf, type StreamEvent, validateEvent } from "../shared/events";
import type { Outcome, ProducerRecord } from "../shared/producer";

/** Writes records to the stream and returns one outcome per record, in order. */
export type Writer = (records: ProducerRecord[]) => Promise<Outcome[]>;

export type EventResult =
    | { index: number; eventId: string; shardId: string; sequenceNumber: string; subSequenceNumber?: number }
    | { index: number; eventId?: string; errors: Omit<EventError, "index">[] };

export interface IngestResponse {
    statusCode: 200 | 207 | 400 | 503;
    body: { accepted: number; rejected: number; results: EventResult[] };
}

/**
 * Validates every event, then writes the valid ones (all of them, or none when some are invalid
 * and `partial` is off) and reports one result per event: its sequence number or why not.
 * 200: all written; 207: some written, some not; 400: invalid events, nothing written;
 * 503: valid events the stream did not take (retry later).
 */
export async function ingestEvents(events: unknown[], partial: boolean, write: Writer): Promise<IngestResponse> {
    const results: EventResult[] = new Array(events.length);
    const valid: { index: number; event: StreamEvent }[] = [];
    for (const [index, input] of events.entries()) {
        const v = validateEvent(input, index);
        if (v.ok) valid.push({ index, event: v.event });
        else results[index] = { index, eventId: eventIdOf(input), errors: v.errors.map(({ field, reason }) => ({ field, reason })) };
    }
    const invalid = events.length - valid.length;
    if (invalid > 0 && !partial) {
        const notWritten = { field: "(batch)", reason: "not written: the batch has invalid events (send ?partial=true to write the valid ones)" };
        for (const { index, event } of valid) results[index] = { index, eventId: event.event_id, errors: [notWritten] };
        return { statusCode: 400, body: { accepted: 0, rejected: events.length, results } };
    }

    const outcomes = await write(valid.map(({ event }) => ({ data: JSON.stringify(event), partitionKey: partitionKeyOf(event) })));
    let written = 0;
    valid.forEach(({ index, event }, i) => {
        const o = outcomes[i]!;
        if (o.ok) {
            written++;
            results[index] = {
                index,
                eventId: event.event_id,
                shardId: o.shardId,
                sequenceNumber: o.sequenceNumber,
                ...(o.subSequenceNumber !== undefined ? { subSequenceNumber: o.subSequenceNumber } : {}),
            };
        } else {
            results[index] = { index, eventId: event.event_id, errors: [{ field: "(stream)", reason: `${o.errorCode}: ${o.errorMessage}` }] };
        }
    });
    const statusCode = written === events.length ? 200 : written === 0 && invalid === 0 ? 503 : 207;
    return { statusCode, body: { accepted: written, rejected: events.length - written, results } };
}

function eventIdOf(input: unknown): string | undefined {
    const id = (input as { event_id?: unknown } | null)?.event_id;
    return typeof id === "string" ? id : undefined;
}
