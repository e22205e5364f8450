// The functions `npm run invoke` runs and the shape each one's event must have: checked before the
// handlers and the emulators are loaded, so a wrong event file is refused at once.
import type { KinesisStreamEvent } from "aws-lambda";
import { parseTrigger } from "../../functions/autoscaler/events";
import { parseFirehoseEvent } from "../../functions/firehose-transform/firehose";

export const FUNCTION_NAMES = ["consumer", "ingest", "replicator", "autoscaler", "firehose-transform"] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** An event file that cannot be the function's event: the message says why. */
export class EventShapeError extends Error {}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x);

/** A Kinesis event as Lambda delivers it (what the consumer and the replicator read), or why not. */
export function checkKinesisEvent(event: unknown): KinesisStreamEvent {
    if (!isObj(event) || !Array.isArray(event.Records)) throw new EventShapeError("not a Kinesis event: expected an object with a Records list");
    event.Records.forEach((r: unknown, i) => {
        const k = isObj(r) ? r.kinesis : undefined;
        if (!isObj(k)) throw new EventShapeError(`not a Kinesis event: Records[${i}].kinesis is missing`);
        for (const field of ["data", "sequenceNumber", "partitionKey"]) {
            if (typeof k[field] !== "string") throw new EventShapeError(`not a Kinesis event: Records[${i}].kinesis.${field} must be a string`);
        }
        if (typeof (r as Obj).eventID !== "string") throw new EventShapeError(`not a Kinesis event: Records[${i}].eventID must be a string (<shard id>:<sequence number>)`);
    });
    return event as unknown as KinesisStreamEvent;
}

/** An API Gateway HTTP API (payload 2.0) request, or why not. */
export function checkHttpEvent(event: unknown): Obj {
    if (!isObj(event)) throw new EventShapeError("not an API Gateway request: expected an object (payload format 2.0)");
    // Every HTTP API request in payload format 2.0 carries these; a Kinesis or other event does not.
    if (event.version !== "2.0" || !isObj(event.requestContext)) {
        throw new EventShapeError(
            `not an API Gateway request: expected version "2.0" and a requestContext (HTTP API payload format 2.0)${Array.isArray(event.Records) ? "; this looks like a Kinesis event, which the consumer or the replicator takes" : ""}`,
        );
    }
    if (event.body !== undefined && typeof event.body !== "string") throw new EventShapeError("not an API Gateway request: body must be a string (the JSON text of the events)");
    if (event.headers !== undefined && !isObj(event.headers)) throw new EventShapeError("not an API Gateway request: headers must be an object");
    return event;
}

/** Checks the event has the function's shape before anything starts. */
export function checkEvent(fn: FunctionName, event: unknown): void {
    if (fn === "consumer" || fn === "replicator") checkKinesisEvent(event);
    else if (fn === "ingest") checkHttpEvent(event);
    else if (fn === "firehose-transform") {
        try {
            parseFirehoseEvent(event);
        } catch (e) {
            throw new EventShapeError((e as Error).message);
        }
    } else {
        try {
            parseTrigger(event);
        } catch (e) {
            throw new EventShapeError(`not an autoscaler event: ${(e as Error).message}`);
        }
    }
}
