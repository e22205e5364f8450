import type { KinesisStreamRecord } from "aws-lambda";
import type { QuarantineReasonCode } from "../../contracts/quarantine";
import { adaptUserRecord, type FeedKind } from "../shared/adapters";
import { AggregateChecksumError, decodeBase64, deaggregate, isAggregated, RecordDecodeError, type UserRecordData } from "../shared/deaggregate";
import { validateEvent, type StreamEvent } from "../shared/events";
import { partitionKeyHash } from "../shared/producer/hash-key";
import type { KinesisMetadata } from "../shared/results-table";

/** One valid event read from a Kinesis record, with where it came from. */
export interface DecodedEvent {
    event: StreamEvent;
    meta: KinesisMetadata;
    feed: FeedKind;
}

/** A user record that can never be processed (retrying cannot help): it goes to the quarantine. */
export interface PoisonRecord {
    reasonCode: QuarantineReasonCode;
    /** One line: what is wrong. */
    reason: string;
    /** The user record's bytes; the whole Kinesis record's when it could not be opened. */
    payload: Buffer;
    /** Index inside the aggregate; null for a plain record or an aggregate that could not be opened. */
    subSequenceNumber: number | null;
    partitionKey: string;
    explicitHashKey?: string;
}

/** The valid events of one user record (none for a CloudWatch Logs control message). */
export interface DecodedUserRecord {
    user: UserRecordData;
    events: DecodedEvent[];
}

export interface DecodedRecord {
    shardId: string;
    sequenceNumber: string;
    /** User records in the Kinesis record (1 unless KPL-aggregated, or when it could not be opened). */
    userRecords: number;
    /** The readable user records, in order. */
    users: DecodedUserRecord[];
    /** The others, each with why. */
    poison: PoisonRecord[];
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

/** The adapters' failures to read bytes as JSON (gzip, UTF-8, JSON syntax), as opposed to a JSON value of the wrong shape. */
const NOT_JSON = /^(gzip data cannot be inflated|.* is not UTF-8 text$|.* is not JSON: )/;

/** Where a user record sits in the key space: its explicit hash key when it has one, else MD5 of its partition key. */
export function placementOf(user: Pick<UserRecordData, "partitionKey" | "explicitHashKey">): Pick<KinesisMetadata, "partition_key" | "explicit_hash_key" | "hash_key"> {
    return {
        partition_key: user.partitionKey,
        ...(user.explicitHashKey !== undefined ? { explicit_hash_key: user.explicitHashKey } : {}),
        hash_key: user.explicitHashKey ?? partitionKeyHash(user.partitionKey).toString(),
    };
}

/** A user record as poison: `reason` is prefixed with where it sits in its aggregate. */
export function poisonOf(user: UserRecordData, reasonCode: QuarantineReasonCode, reason: string): PoisonRecord {
    return {
        reasonCode,
        reason: `${user.subSequenceNumber === undefined ? "" : `user record ${user.subSequenceNumber}: `}${reason}`,
        payload: user.data,
        subSequenceNumber: user.subSequenceNumber ?? null,
        partitionKey: user.partitionKey,
        ...(user.explicitHashKey !== undefined ? { explicitHashKey: user.explicitHashKey } : {}),
    };
}

/** The user records of the Kinesis record, or the whole record as one poison record when it cannot be opened. */
function openRecord(k: KinesisStreamRecord["kinesis"]): UserRecordData[] | PoisonRecord {
    const whole = (reasonCode: QuarantineReasonCode, reason: string, payload: Buffer): PoisonRecord => ({
        reasonCode,
        reason,
        payload,
        subSequenceNumber: null,
        partitionKey: k.partitionKey,
    });
    let bytes: Buffer;
    try {
        bytes = decodeBase64(k.data);
    } catch (e) {
        // Lambda always delivers base64: keep the text as it came.
        return whole("not-decodable", (e as Error).message, Buffer.from(k.data, "utf8"));
    }
    if (!isAggregated(bytes)) return [{ data: bytes, subSequenceNumber: undefined, partitionKey: k.partitionKey }];
    try {
        return deaggregate(bytes);
    } catch (e) {
        if (!(e instanceof RecordDecodeError)) throw e;
        return whole(e instanceof AggregateChecksumError ? "aggregate-checksum" : "not-decodable", e.message, bytes);
    }
}

/**
 * Decodes one Kinesis record: base64, KPL deaggregation (MD5 checked), the feed adapters, then the
 * event schema, user record by user record. A user record that fails any step is poison (all its
 * events with it: they are one unit for the producer); its neighbours in the aggregate are not
 * affected. A Kinesis record that cannot be opened (bad base64, bad checksum, broken aggregate) is
 * one poison record. Nothing here has side effects.
 */
export function decodeRecord(record: KinesisStreamRecord): DecodedRecord {
    const k = record.kinesis;
    const shardId = shardIdOf(record.eventID);
    const opened = openRecord(k);
    if (!Array.isArray(opened)) return { shardId, sequenceNumber: k.sequenceNumber, userRecords: 1, users: [], poison: [opened] };

    const users: DecodedUserRecord[] = [];
    const poison: PoisonRecord[] = [];
    for (const user of opened) {
        const bad = (reasonCode: QuarantineReasonCode, reason: string) => poison.push(poisonOf(user, reasonCode, reason));
        let adapted: ReturnType<typeof adaptUserRecord>;
        try {
            adapted = adaptUserRecord(user.data);
        } catch (e) {
            if (!(e instanceof RecordDecodeError)) throw e;
            bad(NOT_JSON.test(e.message) ? "not-json" : "schema-invalid", e.message);
            continue;
        }
        const meta: KinesisMetadata = {
            shard_id: shardId,
            sequence_number: k.sequenceNumber,
            ...(user.subSequenceNumber === undefined ? {} : { sub_sequence_number: user.subSequenceNumber }),
            ...placementOf(user),
            approximate_arrival_timestamp: k.approximateArrivalTimestamp,
        };
        const events: DecodedEvent[] = [];
        const invalid = adapted.events.flatMap((candidate, i) => {
            const parsed = parseEvent(candidate);
            if ("event" in parsed) {
                events.push({ event: parsed.event, meta, feed: adapted.kind });
                return [];
            }
            return [`${adapted.events.length > 1 ? `event ${i}: ` : ""}not a valid event: ${parsed.reason}`];
        });
        if (invalid.length > 0) bad("schema-invalid", invalid[0]!);
        else users.push({ user, events });
    }
    return { shardId, sequenceNumber: k.sequenceNumber, userRecords: opened.length, users, poison };
}
