// What a client actually sent, counted at the SDK boundary (below its retry middleware, so every
// attempt counts) whatever code drove it: the benchmarks' "Kinesis records per user record" and
// "DynamoDB requests per record" come from here for every method alike, never from a method's own
// counters or a literal.
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import { putPayloadUnits } from "../../infra/lib/cost";

export interface CallCounts {
    /** Requests sent (attempts), by command name ("PutRecordsCommand"). */
    requests: Record<string, number>;
    /** Kinesis records sent: PutRecords entries plus PutRecord calls. */
    kinesisRecords: number;
    /** PUT payload units of those records (25 KB each, rounded up per record, as billed). */
    putPayloadUnits: number;
    /** Items in BatchWriteItem requests. */
    batchWriteItems: number;
}

type Input = { Data?: Uint8Array; Records?: { Data?: Uint8Array }[]; RequestItems?: Record<string, unknown[]> };
type Counted = Pick<KinesisClient, "middlewareStack">;

export const emptyCounts = (): CallCounts => ({ requests: {}, kinesisRecords: 0, putPayloadUnits: 0, batchWriteItems: 0 });

/** Counts from now on what `client` sends into the returned object (live: read it after the run). */
export function countCalls(client: Counted, into: CallCounts = emptyCounts()): CallCounts {
    client.middlewareStack.add(
        (next, context) => async (args) => {
            const name = context.commandName ?? "unknown";
            into.requests[name] = (into.requests[name] ?? 0) + 1;
            const input = args.input as Input;
            const records = name === "PutRecordsCommand" ? (input.Records ?? []) : name === "PutRecordCommand" ? [input] : [];
            into.kinesisRecords += records.length;
            for (const r of records) into.putPayloadUnits += putPayloadUnits(1, r.Data?.length ?? 0);
            for (const items of Object.values(input.RequestItems ?? {})) into.batchWriteItems += items.length;
            return next(args);
        },
        { step: "deserialize", name: "benchCallCounter" },
    );
    return into;
}

export const totalRequests = (c: CallCounts): number => Object.values(c.requests).reduce((n, x) => n + x, 0);

/** `after` minus `before`, for a window of a run. */
export function countsSince(before: CallCounts, after: CallCounts): CallCounts {
    const requests: Record<string, number> = {};
    for (const [k, v] of Object.entries(after.requests)) requests[k] = v - (before.requests[k] ?? 0);
    return {
        requests,
        kinesisRecords: after.kinesisRecords - before.kinesisRecords,
        putPayloadUnits: after.putPayloadUnits - before.putPayloadUnits,
        batchWriteItems: after.batchWriteItems - before.batchWriteItems,
    };
}

export const snapshotCounts = (c: CallCounts): CallCounts => ({ ...c, requests: { ...c.requests } });
