import { PutRecordsCommand, type PutRecordsCommandOutput, type PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";
import { isRetryableEntryError, ProducerErrorCode, type RequestError } from "./errors";
import type { Entry, StreamTarget } from "./types";

/** What one PutRecords response says about one entry. */
export type EntryResult =
    | { readonly entry: Entry; readonly ok: true; readonly shardId: string; readonly sequenceNumber: string }
    | { readonly entry: Entry; readonly ok: false; readonly errorCode: string; readonly message: string; readonly retryable: boolean };

export function putRecordsCommand(target: StreamTarget, entries: readonly Entry[]): PutRecordsCommand {
    return new PutRecordsCommand({ ...target, Records: entries.map(toRequestEntry) });
}

function toRequestEntry(e: Entry): PutRecordsRequestEntry {
    return e.explicitHashKey === undefined ? { Data: e.data, PartitionKey: e.partitionKey } : { Data: e.data, PartitionKey: e.partitionKey, ExplicitHashKey: e.explicitHashKey };
}

/** Reads a PutRecords response entry by entry; a missing or incomplete result is an InternalFailure. */
export function readPutResults(entries: readonly Entry[], output: PutRecordsCommandOutput): EntryResult[] {
    const results = output.Records ?? [];
    return entries.map((entry, i) => {
        const result = results[i];
        const code = result === undefined ? "InternalFailure" : result.ErrorCode;
        if (code === undefined && result?.ShardId !== undefined && result.SequenceNumber !== undefined) {
            return { entry, ok: true, shardId: result.ShardId, sequenceNumber: result.SequenceNumber };
        }
        const errorCode = code ?? "InternalFailure";
        const message = result?.ErrorMessage ?? (result === undefined ? "PutRecords returned no result for this entry" : "PutRecords result without a sequence number");
        return { entry, ok: false, errorCode, message, retryable: isRetryableEntryError(errorCode) };
    });
}

/** The error code and message a failed request gives its records. A lost response is named as such: they may be in the stream. */
export function requestFailure(c: RequestError): { code: string; message: string } {
    return c.outcomeUnknown
        ? { code: ProducerErrorCode.RequestOutcomeUnknown, message: `${c.code}: ${c.message} (no answer: the request may have been written)` }
        : { code: c.code, message: c.message };
}
