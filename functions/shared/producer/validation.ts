import { randomUUID } from "node:crypto";
import { ProducerErrorCode } from "./errors";
import { parseExplicitHashKey } from "./hash-key";
import { MAX_RECORD_BYTES } from "./request-batcher";
import type { PartitionKeyStrategy, ProducerRecord } from "./types";

export const MAX_PARTITION_KEY_LENGTH = 256;

export interface NormalizedRecord {
    data: Buffer;
    partitionKey: string;
    explicitHashKey: string | undefined;
    /** explicitHashKey parsed; the partition key's MD5 is left to whatever routes by it. */
    explicitHash: bigint | undefined;
    /** data + UTF-8 partition key bytes. */
    size: number;
}

export type Normalized = { ok: true; record: NormalizedRecord } | { ok: false; errorCode: string; errorMessage: string };

function invalid(errorCode: string, errorMessage: string): Normalized {
    return { ok: false, errorCode, errorMessage };
}

function show(value: unknown): string {
    const text = typeof value === "string" ? JSON.stringify(value) : String(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function keyFromField(data: Buffer, field: string): string | undefined {
    let parsed: unknown;
    try {
        parsed = JSON.parse(data.toString("utf8"));
    } catch {
        return undefined;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
    const value = (parsed as Record<string, unknown>)[field];
    if (typeof value === "string") return value;
    if (typeof value === "number" && Number.isFinite(value)) return String(value);
    return undefined;
}

/**
 * Checks a user record against the Kinesis limits and gives it its partition key.
 * The rule (see the README of the producer in index.ts): `put()` never throws for a bad record;
 * it gets an immediate failed outcome whose message names the field and the limit. `maxRecordBytes`:
 * the stream's record limit, or the largest any stream takes while it is not known yet.
 */
export function normalizeRecord(input: ProducerRecord, strategy: PartitionKeyStrategy, maxRecordBytes = MAX_RECORD_BYTES): Normalized {
    if (typeof input !== "object" || input === null) return invalid(ProducerErrorCode.InvalidData, "record must be an object with a data field");
    const raw: unknown = input.data;
    let data: Buffer;
    if (typeof raw === "string") data = Buffer.from(raw, "utf8");
    else if (raw instanceof Uint8Array)
        data = Buffer.from(raw); // a copy: the caller may reuse its buffer
    else return invalid(ProducerErrorCode.InvalidData, `data must be a string or a Uint8Array (got ${raw === null ? "null" : typeof raw})`);

    let partitionKey: unknown = input.partitionKey;
    if (partitionKey === undefined) {
        if (strategy === "random") partitionKey = randomUUID();
        else if (typeof strategy === "object") {
            partitionKey = keyFromField(data, strategy.field);
            if (partitionKey === undefined) {
                return invalid(ProducerErrorCode.InvalidPartitionKey, `partitionKey: data is not a JSON object with a string or number field ${JSON.stringify(strategy.field)}`);
            }
        } else return invalid(ProducerErrorCode.InvalidPartitionKey, 'partitionKey is required (the producer\'s partition key strategy is "given")');
    }
    if (typeof partitionKey !== "string" || partitionKey.length === 0 || partitionKey.length > MAX_PARTITION_KEY_LENGTH) {
        const got = typeof partitionKey === "string" ? `${partitionKey.length} characters` : typeof partitionKey;
        return invalid(ProducerErrorCode.InvalidPartitionKey, `partitionKey must be 1 to ${MAX_PARTITION_KEY_LENGTH} characters (got ${got})`);
    }

    const ehkInput: unknown = input.explicitHashKey;
    let explicitHash: bigint | undefined;
    if (ehkInput !== undefined) {
        explicitHash = typeof ehkInput === "string" ? parseExplicitHashKey(ehkInput) : undefined;
        if (explicitHash === undefined) {
            return invalid(ProducerErrorCode.InvalidExplicitHashKey, `explicitHashKey must be a decimal integer in 0..2^128-1 without leading zeros (got ${show(ehkInput)})`);
        }
    }

    const size = data.length + Buffer.byteLength(partitionKey, "utf8");
    if (size > maxRecordBytes) {
        return invalid(
            ProducerErrorCode.RecordTooLarge,
            `data + partitionKey is ${size} bytes, over the stream's ${maxRecordBytes}-byte (${maxRecordBytes / 1024} KiB) record limit`,
        );
    }
    return {
        ok: true,
        record: {
            data,
            partitionKey,
            explicitHashKey: ehkInput as string | undefined,
            explicitHash,
            size,
        },
    };
}
