import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
// util-dynamodb's NumberValue is the class lib-dynamodb re-exports, without lib-dynamodb's DynamoDB
// client: a function that only adapts records (the Firehose transform) does not bundle the client.
import { NumberValueImpl as NumberValue, unmarshall } from "@aws-sdk/util-dynamodb";
import { RecordDecodeError } from "./record-decode-error";
import * as z from "zod/mini";
import "./zod-locale";

/**
 * Adapters from what our feeds put on the stream to the pipeline's event envelope. A user record
 * is one of:
 *
 * 1. An envelope event (ingest API, our producer client, devices): UTF-8 JSON, passed through
 *    as is; the event schema decides whether it is valid.
 * 2. A DynamoDB change record (the table's Kinesis streaming destination, "CDC" feed): UTF-8 JSON
 *    with `eventSource: "aws:dynamodb"`. Becomes one `change` event:
 *      event_id    ← eventID (unique per change),
 *      occurred_at ← dynamodb.ApproximateCreationDateTime (epoch ms; µs or s recognised by size),
 *      source      ← "dynamodb-cdc",
 *      payload     ← { table: tableName, operation: eventName,
 *                      keys: dynamodb.Keys, new_image: dynamodb.NewImage, old_image: dynamodb.OldImage }
 *    with the DynamoDB JSON unmarshalled. Numbers stay numbers when a JS number holds them exactly,
 *    otherwise NumberValue (exact digits; written back to DynamoDB as N); key numbers that do not fit
 *    become their digit string. Binary values stay base64 strings, sets become Sets.
 * 3. A CloudWatch Logs subscription record: gzip (1F 8B) of JSON with `messageType`.
 *    CONTROL_MESSAGE (CloudWatch checking the destination is reachable) becomes no event at all;
 *    DATA_MESSAGE becomes one `log_line` event per entry of `logEvents`:
 *      event_id    ← logEvents[].id (unique per log event),
 *      occurred_at ← logEvents[].timestamp (epoch ms),
 *      source      ← "cloudwatch-logs",
 *      payload     ← { service: logGroup (shortened to 128 chars with a hash when longer),
 *                      level: read from the message (see levelOf), message }.
 * Anything that is neither gzip nor UTF-8 JSON is a RecordDecodeError naming why.
 *
 * IoT device messages carry no marker in their data: the IoT rule puts them with the MQTT topic as
 * the partition key, so a reader that sees the partition key tells them apart with
 * `matchesTopicFilter` (the Firehose transform does; see functions/firehose-transform).
 */

export type FeedKind = "envelope" | "dynamodb-cdc" | "cloudwatch-logs";

export interface Adapted {
    kind: FeedKind;
    /** Candidate events, still to be validated against the event schema. */
    events: unknown[];
}

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
/** A subscription record is at most 1 MB compressed; refuse to inflate a bomb past this. */
const MAX_INFLATED_BYTES = 32 * 1024 * 1024;
const utf8 = new TextDecoder("utf-8", { fatal: true });

export function adaptUserRecord(data: Buffer): Adapted {
    if (data.length >= 2 && data.subarray(0, 2).equals(GZIP_MAGIC)) {
        let inflated: Buffer;
        try {
            inflated = gunzipSync(data, { maxOutputLength: MAX_INFLATED_BYTES });
        } catch (e) {
            throw new RecordDecodeError(`gzip data cannot be inflated: ${(e as Error).message}`);
        }
        return { kind: "cloudwatch-logs", events: adaptLogs(parseJson(inflated, "gzip-inflated data")) };
    }
    const value = parseJson(data, "data");
    if (isObject(value) && value.eventSource === "aws:dynamodb") return { kind: "dynamodb-cdc", events: [adaptChange(value)] };
    return { kind: "envelope", events: [value] };
}

function parseJson(data: Buffer, what: string): unknown {
    let text: string;
    try {
        text = utf8.decode(data);
    } catch {
        throw new RecordDecodeError(`${what} is not UTF-8 text`);
    }
    try {
        return JSON.parse(text);
    } catch (e) {
        throw new RecordDecodeError(`${what} is not JSON: ${(e as Error).message}`);
    }
}

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(error: z.core.$ZodError): string {
    return error.issues.map((i) => `${i.path.length > 0 ? i.path.join(".") : "(record)"}: ${i.message}`).join("; ");
}

// ---------------------------------------------------------------- DynamoDB change records (CDC)

const AttributeMap = z.record(z.string(), z.record(z.string(), z.unknown()));
const nonEmpty = () => z.string().check(z.minLength(1));
const CdcRecord = z.object({
    eventID: nonEmpty(),
    eventName: z.enum(["INSERT", "MODIFY", "REMOVE"]),
    tableName: nonEmpty(),
    dynamodb: z.object({
        ApproximateCreationDateTime: z.number().check(z.positive()),
        Keys: AttributeMap,
        NewImage: z.optional(AttributeMap),
        OldImage: z.optional(AttributeMap),
    }),
});

/** Epoch milliseconds to an ISO instant. */
export function instantFromMs(ms: number): string {
    const date = new Date(Math.floor(ms));
    if (Number.isNaN(date.getTime())) throw new RecordDecodeError(`timestamp ${ms} is out of range`);
    return date.toISOString();
}

/**
 * ApproximateCreationDateTime to an ISO instant: epoch milliseconds with MILLISECOND precision,
 * microseconds with MICROSECOND precision (the table's setting); seconds are accepted too. Told
 * apart by size: below 1e11 is seconds, below 1e14 milliseconds (until year 5138).
 */
export function instantFromCreationTime(value: number): string {
    return instantFromMs(value < 1e11 ? value * 1000 : value < 1e14 ? value : value / 1000);
}

/** Exact numbers: a JS number when it round-trips, else NumberValue keeping every digit. */
function exactNumber(digits: string): number | NumberValue {
    const n = Number(digits);
    return Number.isFinite(n) && String(n) === digits ? n : NumberValue.from(digits);
}

function unmarshallMap(map: z.infer<typeof AttributeMap>, what: string): Record<string, unknown> {
    try {
        // The record's JSON has the AttributeValue shape; unmarshall checks each value's type tag.
        return unmarshall(map as unknown as Record<string, AttributeValue>, { wrapNumbers: exactNumber });
    } catch (e) {
        throw new RecordDecodeError(`dynamodb.${what} is not DynamoDB JSON: ${(e as Error).message}`);
    }
}

export function adaptChange(value: Record<string, unknown>): unknown {
    const parsed = CdcRecord.safeParse(value);
    if (!parsed.success) throw new RecordDecodeError(`DynamoDB change record is malformed: ${describe(parsed.error)}`);
    const r = parsed.data;
    const keys: Record<string, string | number> = {};
    for (const [name, v] of Object.entries(unmarshallMap(r.dynamodb.Keys, "Keys"))) {
        // Key attributes are S, N or B: B arrives as a base64 string, an inexact N as NumberValue.
        keys[name] = typeof v === "number" || typeof v === "string" ? v : String(v);
    }
    return {
        event_type: "change",
        event_id: r.eventID,
        occurred_at: instantFromCreationTime(r.dynamodb.ApproximateCreationDateTime),
        source: "dynamodb-cdc",
        payload: {
            table: r.tableName,
            operation: r.eventName,
            keys,
            ...(r.dynamodb.NewImage ? { new_image: unmarshallMap(r.dynamodb.NewImage, "NewImage") } : {}),
            ...(r.dynamodb.OldImage ? { old_image: unmarshallMap(r.dynamodb.OldImage, "OldImage") } : {}),
        },
    };
}

// ---------------------------------------------------------------- CloudWatch Logs subscriptions

const LogsMessage = z.discriminatedUnion("messageType", [
    z.object({ messageType: z.literal("CONTROL_MESSAGE") }),
    z.object({
        messageType: z.literal("DATA_MESSAGE"),
        logGroup: nonEmpty(),
        logStream: z.string(),
        logEvents: z.array(z.object({ id: nonEmpty(), timestamp: z.number(), message: z.string() })),
    }),
]);

type Level = "DEBUG" | "INFO" | "WARN" | "ERROR" | "FATAL";
const LEVEL_WORDS: Record<string, Level> = {
    TRACE: "DEBUG",
    DEBUG: "DEBUG",
    INFO: "INFO",
    NOTICE: "INFO",
    WARN: "WARN",
    WARNING: "WARN",
    ERROR: "ERROR",
    CRITICAL: "FATAL",
    FATAL: "FATAL",
};
const LEVEL_IN_TEXT = /\b(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|CRITICAL|FATAL)\b/;

/**
 * The level of a log line: the `level` (or `severity`, `levelname`) field of a JSON line (Powertools,
 * Lambda's JSON log format, most structured loggers), else the first upper-case level word in the
 * first 200 characters (Lambda's text format: `<time>\t<request id>\tERROR\t...`), else INFO.
 */
export function levelOf(message: string): Level {
    const trimmed = message.trimStart();
    if (trimmed.startsWith("{")) {
        try {
            const parsed: unknown = JSON.parse(trimmed);
            if (isObject(parsed)) {
                for (const field of ["level", "severity", "levelname"]) {
                    const v = parsed[field];
                    if (typeof v === "string" && LEVEL_WORDS[v.toUpperCase()]) return LEVEL_WORDS[v.toUpperCase()]!;
                }
            }
        } catch {
            // not JSON after all: read it as text
        }
    }
    const word = LEVEL_IN_TEXT.exec(message.slice(0, 200))?.[1];
    return word ? LEVEL_WORDS[word]! : "INFO";
}

/** The log group as a service name of at most 128 characters (log group names go up to 512). */
export function serviceOf(logGroup: string): string {
    if (logGroup.length <= 128) return logGroup;
    const hash = createHash("sha256").update(logGroup).digest("hex").slice(0, 12);
    return `${logGroup.slice(0, 115)}~${hash}`;
}

export function adaptLogs(value: unknown): unknown[] {
    const parsed = LogsMessage.safeParse(value);
    if (!parsed.success) throw new RecordDecodeError(`CloudWatch Logs record is malformed: ${describe(parsed.error)}`);
    const m = parsed.data;
    if (m.messageType === "CONTROL_MESSAGE") return [];
    const service = serviceOf(m.logGroup);
    return m.logEvents.map((e) => ({
        event_type: "log_line",
        event_id: e.id,
        occurred_at: instantFromMs(e.timestamp),
        source: "cloudwatch-logs",
        payload: { service, level: levelOf(e.message), message: e.message },
    }));
}

// ---------------------------------------------------------------- IoT topics

/**
 * Whether an MQTT topic matches a topic filter (`+` one level, `#` this level and every one below,
 * as the last level only), the way IoT Core matches a rule's `FROM` clause.
 */
export function matchesTopicFilter(topic: string, filter: string): boolean {
    const t = topic.split("/");
    const f = filter.split("/");
    for (let i = 0; i < f.length; i++) {
        if (f[i] === "#") return i === f.length - 1;
        if (i >= t.length) return false;
        if (f[i] !== "+" && f[i] !== t[i]) return false;
    }
    return t.length === f.length;
}

// ---------------------------------------------------------------- events as JSON text

/**
 * An adapted event as one line of JSON. Change images can hold what JSON.stringify would lose: a
 * DynamoDB set becomes an array, and a NumberValue (a number a JS number cannot hold exactly)
 * becomes the string of its digits, every digit kept.
 */
export function eventJson(event: unknown): string {
    return JSON.stringify(event, (_key, value: unknown) => {
        if (value instanceof Set) return [...(value as Set<unknown>)];
        if (value instanceof NumberValue) return value.toString();
        return value;
    });
}
