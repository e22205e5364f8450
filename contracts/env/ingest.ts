import * as z from "zod/mini";
import { type Env, parseEnv, required, trueOrFalse, wholeNumber } from "./read";

/** The ingest function's environment: set by infra/components/producers.ts, read by functions/ingest. */
export const INGEST_ENV = Object.freeze({ streamName: "STREAM_NAME", maxBodyBytes: "MAX_BODY_BYTES", aggregation: "INGEST_AGGREGATION", maxRecordSizeKib: "MAX_RECORD_SIZE_KIB" });

/**
 * Largest body the API accepts: at least 1 KiB; at most the lower of the HTTP API's 10 MB payload
 * quota and the 6 MB a synchronous Lambda invocation takes, so Lambda's.
 */
export const MAX_BODY_BYTES = { min: 1_024, max: 6_000_000, default: 1_048_576 } as const;

/** The stream's MaxRecordSizeInKiB range (1 to 10 MiB). */
export const MAX_RECORD_SIZE_KIB = { min: 1_024, max: 10_240, default: 1_024 } as const;

/** The body limit that follows the stream: one record of the stream's largest size, within MAX_BODY_BYTES. */
export function bodyLimitFor(maxRecordSizeKib: number): number {
    return Math.min(maxRecordSizeKib * 1024, MAX_BODY_BYTES.max);
}

export interface IngestSettings {
    maxBodyBytes: number;
    /** KPL-aggregate records; off when the consumer filters by event type (an aggregate never matches a JSON filter). */
    aggregation: boolean;
    /** The stream's MaxRecordSizeInKiB, so the producer need not read it (nor be allowed to). */
    maxRecordSizeKib: number;
}

export interface IngestConfig extends IngestSettings {
    streamName: string;
}

const shape = {
    [INGEST_ENV.streamName]: required(),
    [INGEST_ENV.maxBodyBytes]: z.optional(wholeNumber(MAX_BODY_BYTES.min, MAX_BODY_BYTES.max, "bytes")),
    [INGEST_ENV.aggregation]: z.optional(trueOrFalse()),
    [INGEST_ENV.maxRecordSizeKib]: z.optional(wholeNumber(MAX_RECORD_SIZE_KIB.min, MAX_RECORD_SIZE_KIB.max, "KiB")),
};

/** The variables for the settings; `S` is whatever carries the stream name (a plain string, or a deploy-time value). */
export function ingestEnvironment<S>(args: { streamName: S } & Omit<IngestSettings, "maxRecordSizeKib"> & { maxRecordSizeKib?: number }): Record<string, S | string> {
    return {
        [INGEST_ENV.streamName]: args.streamName,
        [INGEST_ENV.maxBodyBytes]: String(args.maxBodyBytes),
        [INGEST_ENV.aggregation]: String(args.aggregation),
        [INGEST_ENV.maxRecordSizeKib]: String(args.maxRecordSizeKib ?? MAX_RECORD_SIZE_KIB.default),
    };
}

export function readIngestEnv(env: Env): IngestConfig {
    const e = parseEnv("ingest", shape, env);
    return {
        streamName: e.STREAM_NAME,
        maxBodyBytes: e.MAX_BODY_BYTES ?? MAX_BODY_BYTES.default,
        aggregation: e.INGEST_AGGREGATION ?? true,
        maxRecordSizeKib: e.MAX_RECORD_SIZE_KIB ?? MAX_RECORD_SIZE_KIB.default,
    };
}
