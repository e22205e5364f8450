// The ingest function's settings from its environment, validated: a bad value fails the cold start
// with one line naming the variable, instead of becoming NaN (which would refuse every request).

/** Environment variables the infra component sets (infra/components/producers.ts). */
export const INGEST_ENV = Object.freeze({ maxBodyBytes: "MAX_BODY_BYTES", aggregation: "INGEST_AGGREGATION" });

/** Largest body the API accepts: at least 1 KiB; at most the 6 MB a synchronous Lambda invocation takes. */
export const MAX_BODY_BYTES = { min: 1_024, max: 6_000_000, default: 1_048_576 } as const;

export interface IngestSettings {
    maxBodyBytes: number;
    /** KPL-aggregate records; off when the consumer filters by event type (an aggregate never matches a JSON filter). */
    aggregation: boolean;
}

export function loadIngestSettings(env: Readonly<Record<string, string | undefined>>): IngestSettings {
    const rawBytes = env[INGEST_ENV.maxBodyBytes]?.trim();
    const maxBodyBytes = rawBytes === undefined || rawBytes === "" ? MAX_BODY_BYTES.default : Number(rawBytes);
    if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < MAX_BODY_BYTES.min || maxBodyBytes > MAX_BODY_BYTES.max) {
        throw new Error(`${INGEST_ENV.maxBodyBytes}=${rawBytes}: must be a whole number of bytes from ${MAX_BODY_BYTES.min} to ${MAX_BODY_BYTES.max}`);
    }
    const rawAggregation = env[INGEST_ENV.aggregation]?.trim() || "true";
    if (rawAggregation !== "true" && rawAggregation !== "false") throw new Error(`${INGEST_ENV.aggregation}=${rawAggregation}: must be true or false`);
    return { maxBodyBytes, aggregation: rawAggregation === "true" };
}
