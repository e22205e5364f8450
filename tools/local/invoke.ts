// One Lambda invocation of a Kinesis batch, as the service runs it: the event record, the context,
// the function timeout, and how the response is read under ReportBatchItemFailures.
import type { Context, KinesisStreamRecord } from "aws-lambda";
import type { InvocationOutcome, ResolvedEsmOptions } from "./esm-types";
import type { StreamRecord } from "./reader";

/** The Lambda event form of a stream record. */
export function eventRecord(record: StreamRecord, data: string, o: ResolvedEsmOptions): KinesisStreamRecord {
    return {
        kinesis: {
            kinesisSchemaVersion: "1.0",
            partitionKey: record.partitionKey,
            sequenceNumber: record.sequenceNumber,
            data,
            approximateArrivalTimestamp: record.arrivalMs / 1000,
        },
        eventSource: "aws:kinesis",
        eventVersion: "1.0",
        eventID: `${record.shardId}:${record.sequenceNumber}`,
        eventName: "aws:kinesis:record",
        invokeIdentityArn: `arn:aws:iam::${o.functionArn.split(":")[4] ?? "123456789012"}:role/${o.functionName}`,
        awsRegion: o.region,
        eventSourceARN: o.streamArn,
    };
}

/** How Lambda reads a function's response under ReportBatchItemFailures. */
export function readResponse(response: unknown, batch: readonly StreamRecord[]): InvocationOutcome {
    if (response === null || response === undefined || typeof response !== "object") return { kind: "success" };
    const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
    if (failures === null || failures === undefined) return { kind: "success" };
    if (!Array.isArray(failures)) return { kind: "error", error: "batchItemFailures is not a list", functionError: false };
    if (failures.length === 0) return { kind: "success" };
    const inBatch = new Set(batch.map((r) => r.sequenceNumber));
    const failed: string[] = [];
    for (const f of failures) {
        const id = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier;
        if (typeof id !== "string" || id === "") return { kind: "error", error: "a batchItemFailures entry has an empty or missing itemIdentifier", functionError: false };
        if (!inBatch.has(id)) return { kind: "error", error: `itemIdentifier ${id} is not a sequence number of the batch`, functionError: false };
        failed.push(id);
    }
    return { kind: "partial", failed };
}

/** Runs the handler once on the batch with the function's timeout; a throw or a timeout is a function error. */
export async function invokeHandler(
    o: ResolvedEsmOptions,
    shardId: string,
    requestId: string,
    events: KinesisStreamRecord[],
    records: readonly StreamRecord[],
): Promise<InvocationOutcome> {
    const timeoutMs = o.settings.functionTimeoutSeconds * 1000;
    const started = Date.now();
    const context: Context = {
        callbackWaitsForEmptyEventLoop: true,
        functionName: o.functionName,
        functionVersion: "$LATEST",
        invokedFunctionArn: o.functionArn,
        memoryLimitInMB: String(o.memoryMb ?? 512),
        awsRequestId: requestId,
        logGroupName: `/aws/lambda/${o.functionName}`,
        logStreamName: `local/[$LATEST]${shardId}`,
        getRemainingTimeInMillis: () => Math.max(0, started + timeoutMs - Date.now()),
        done: () => undefined,
        fail: () => undefined,
        succeed: () => undefined,
    };
    let timer: NodeJS.Timeout | undefined;
    try {
        const timeout = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`Task timed out after ${o.settings.functionTimeoutSeconds.toFixed(2)} seconds`)), timeoutMs);
        });
        const response = await Promise.race([o.handler({ Records: events }, context), timeout]);
        return o.settings.reportBatchItemFailures ? readResponse(response, records) : { kind: "success" };
    } catch (e) {
        const err = e as Error;
        return { kind: "error", error: `${err?.name ?? "Error"}: ${err?.message ?? String(e)}`, functionError: true };
    } finally {
        clearTimeout(timer);
    }
}
