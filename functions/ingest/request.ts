import type { APIGatewayProxyEventV2 } from "aws-lambda";

/** The largest batch one request may carry (one PutRecords call's worth). */
export const MAX_BATCH = 500;

/** A request the API refuses as a whole, with the HTTP status that says why. */
export class HttpError extends Error {
    constructor(
        readonly statusCode: 400 | 413 | 415,
        message: string,
    ) {
        super(message);
    }
}

export interface IngestRequest {
    /** The events as sent, not yet validated. */
    events: unknown[];
    /** `?partial=true`: write the valid events of a batch and report the invalid ones. */
    partial: boolean;
}

/**
 * Reads `POST /events`: JSON only, at most `maxBodyBytes`, one event object or an array of
 * 1..500 events. Anything else is an HttpError naming what is wrong and what is allowed.
 */
export function parseRequest(event: APIGatewayProxyEventV2, maxBodyBytes: number): IngestRequest {
    const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const contentType = (headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    if (contentType !== "application/json") {
        throw new HttpError(415, `Content-Type must be application/json, got ${JSON.stringify(contentType || "none")}`);
    }
    const body = Buffer.from(event.body ?? "", event.isBase64Encoded ? "base64" : "utf8");
    if (body.length > maxBodyBytes) throw new HttpError(413, `Body is ${body.length} bytes; at most ${maxBodyBytes} bytes are accepted`);
    if (body.length === 0) throw new HttpError(400, "Body is empty; send one event object or an array of events");

    let parsed: unknown;
    try {
        parsed = JSON.parse(body.toString("utf8"));
    } catch (e) {
        throw new HttpError(400, `Body is not valid JSON: ${(e as Error).message}`);
    }
    const events = Array.isArray(parsed) ? parsed : [parsed];
    if (events.length === 0) throw new HttpError(400, "The batch is empty; send 1 to 500 events");
    if (events.length > MAX_BATCH) throw new HttpError(400, `The batch has ${events.length} events; at most ${MAX_BATCH} are accepted per request`);
    const partialParam = event.queryStringParameters?.partial;
    if (partialParam !== undefined && partialParam !== "true" && partialParam !== "false") {
        throw new HttpError(400, `partial must be true or false, got ${JSON.stringify(partialParam)}`);
    }
    return { events, partial: partialParam === "true" };
}
