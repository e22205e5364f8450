import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { KinesisStreamRecord } from "aws-lambda";
import { quarantineKey, type QuarantinedRecord } from "../../contracts/quarantine";
import type { PoisonRecord } from "./decode";

/**
 * Writes poison user records to the quarantine: one object per user record at
 * `quarantine/<shard>/<sequence>-<subsequence>.json` (contracts/quarantine.ts), with its payload,
 * reason and coordinates. The key is fixed by the record's coordinates, so a batch retried after a
 * transient failure overwrites the same object instead of adding one.
 */

export interface QuarantineOptions {
    s3: Pick<S3Client, "send">;
    bucket: string;
    /** SSE-KMS under this key when set; otherwise the bucket's default encryption. */
    kmsKeyArn?: string;
    now: () => number;
}

/** The quarantine write failed: the Kinesis record must be reported so nothing is lost. */
export class QuarantineWriteError extends Error {
    constructor(key: string, cause: unknown) {
        super(`quarantining ${key} failed: ${(cause as Error)?.name ?? "Error"}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
        this.name = "QuarantineWriteError";
    }
}

export function quarantinedRecord(record: KinesisStreamRecord, shardId: string, poison: PoisonRecord, quarantinedAt: number): QuarantinedRecord {
    const k = record.kinesis;
    return {
        version: 1,
        reasonCode: poison.reasonCode,
        reason: poison.reason,
        payload: poison.payload.toString("base64"),
        ...(record.eventSourceARN ? { streamArn: record.eventSourceARN } : {}),
        shardId,
        sequenceNumber: k.sequenceNumber,
        subSequenceNumber: poison.subSequenceNumber,
        partitionKey: poison.partitionKey,
        ...(poison.explicitHashKey !== undefined ? { explicitHashKey: poison.explicitHashKey } : {}),
        arrivedAt: new Date(k.approximateArrivalTimestamp * 1000).toISOString(),
        quarantinedAt: new Date(quarantinedAt).toISOString(),
    };
}

/** Puts one object; resolves with its key, rejects with QuarantineWriteError. */
export async function quarantine(o: QuarantineOptions, record: KinesisStreamRecord, shardId: string, poison: PoisonRecord): Promise<string> {
    const body = quarantinedRecord(record, shardId, poison, o.now());
    const key = quarantineKey(body);
    try {
        await o.s3.send(
            new PutObjectCommand({
                Bucket: o.bucket,
                Key: key,
                Body: JSON.stringify(body),
                ContentType: "application/json",
                ...(o.kmsKeyArn !== undefined ? { ServerSideEncryption: "aws:kms" as const, SSEKMSKeyId: o.kmsKeyArn } : {}),
            }),
        );
    } catch (e) {
        throw new QuarantineWriteError(key, e);
    }
    return key;
}
