import * as z from "zod/mini";
import { type Env, parseEnv, required, trueOrFalse, wholeNumber } from "./read";

/** The ingest function's environment: set by infra/components/producers.ts, read by functions/ingest. */
export const INGEST_ENV = Object.freeze({ streamName: "STREAM_NAME", maxBodyBytes: "MAX_BODY_BYTES", aggregation: "INGEST_AGGREGATION" });

/** Largest body the API accepts: at least 1 KiB; at most the 6 MB a synchronous Lambda invocation takes. */
export const MAX_BODY_BYTES = { min: 1_024, max: 6_000_000, default: 1_048_576 } as const;

export interface IngestSettings {
    maxBodyBytes: number;
    /** KPL-aggregate records; off when the consumer filters by event type (an aggregate never matches a JSON filter). */
    aggregation: boolean;
}

export interface IngestConfig extends IngestSettings {
    streamName: string;
}

const shape = {
    [INGEST_ENV.streamName]: required(),
    [INGEST_ENV.maxBodyBytes]: z.optional(wholeNumber(MAX_BODY_BYTES.min, MAX_BODY_BYTES.max, "bytes")),
    [INGEST_ENV.aggregation]: z.optional(trueOrFalse()),
};

/** The variables for the settings; `S` is whatever carries the stream name (a plain string, or a deploy-time value). */
export function ingestEnvironment<S>(args: { streamName: S } & IngestSettings): Record<string, S | string> {
    return { [INGEST_ENV.streamName]: args.streamName, [INGEST_ENV.maxBodyBytes]: String(args.maxBodyBytes), [INGEST_ENV.aggregation]: String(args.aggregation) };
}

export function readIngestEnv(env: Env): IngestConfig {
    const e = parseEnv("ingest", shape, env);
    return { streamName: e.STREAM_NAME, maxBodyBytes: e.MAX_BODY_BYTES ?? MAX_BODY_BYTES.default, aggregation: e.INGEST_AGGREGATION ?? true };
}
