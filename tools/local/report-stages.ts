// The report's per-stage counters in words: what each figure counts, in which unit (user records,
// Kinesis records, batches, items), and the sums that tie one stage to the next (the producer's and the
// raw records are what the mapping read; what Firehose took in is what it archived plus its errors).
// A stage it does not know is printed as `name value, ...`.
import type { Report } from "./report";

type Counters = Record<string, number>;
const n = (c: Counters, k: string) => c[k] ?? 0;

/** `a + b = sum`, with `(expected N)` when the sum is not what the stage next to it counted. */
function sum(parts: [number, string][], total: number, of: string): string {
    const got = parts.reduce((t, [v]) => t + v, 0);
    return `${parts.map(([v, what]) => `${v} ${what}`).join(" + ")} = ${got}${of === "" ? "" : ` ${of}`}${got === total ? "" : ` (expected ${total})`}`;
}

function producer(c: Counters, r: Report): string[] {
    const raw = r.producedByType.malformed ?? 0;
    return [
        `${n(c, "userRecords")} user records went through the producer client (KPL aggregation) as ${n(c, "kinesisRecords")} Kinesis records in ${n(c, "putRecordsCalls")} PutRecords calls; ${n(c, "retried")} user records retried, ${n(c, "failed")} refused`,
        `with the ${raw} malformed records written raw with PutRecord: ${sum(
            [
                [n(c, "userRecords"), "through the client"],
                [raw, "raw"],
            ],
            r.produced,
            "produced",
        )}`,
    ];
}

function mapping(c: Counters, r: Report): string[] {
    const fromProducer = n(r.stages.producer ?? {}, "kinesisRecords");
    const raw = r.producedByType.malformed ?? 0;
    return [
        `the local event source mapping read ${n(c, "kinesisRecordsRead")} Kinesis records (${sum(
            [
                [fromProducer, "aggregates from the producer"],
                [raw, "raw"],
            ],
            n(c, "kinesisRecordsRead"),
            "",
        )}) and invoked the consumer ${n(c, "invocations")} times`,
        `${n(c, "functionErrors")} invocations threw, ${n(c, "partialFailures")} answered with batchItemFailures, ${n(c, "bisections")} batches were bisected, ${n(c, "retries")} retried`,
        `discarded after the retries or the record age: ${n(c, "discardedBatches")} batches of ${n(c, "discardedRecords")} Kinesis records in all, each an on-failure message (the "failed" line counts their user records)`,
    ];
}

function consumer(c: Counters, r: Report): string[] {
    const retried = n(r.stages.mapping ?? {}, "retries") + n(r.stages.mapping ?? {}, "bisections") > 0;
    const lines = [
        `the handler's own metrics (CloudWatch names), summed over its invocations${retried ? ", so a retried batch counts again" : ""}:`,
        `KinesisRecords ${n(c, "KinesisRecords")} Kinesis records received holding UserRecords ${n(c, "UserRecords")} user records`,
        `EventsWritten ${n(c, "EventsWritten")} events written to the table, QuarantinedRecords ${n(c, "QuarantinedRecords")} user records quarantined, RecordsFailed ${n(c, "RecordsFailed")} Kinesis records reported as failed`,
        `RecordsNotWritten ${n(c, "RecordsNotWritten")} Kinesis records whose table write failed, DuplicateEvents ${n(c, "DuplicateEvents")} repeated events written once, WriteRetries ${n(c, "WriteRetries")} items re-sent to DynamoDB, FraudAlerts ${n(c, "FraudAlerts")} alerts published`,
    ];
    if (!retried && n(c, "RecordsFailed") === 0)
        lines.push(
            sum(
                [
                    [n(c, "EventsWritten") + n(c, "DuplicateEvents"), "written (duplicates included)"],
                    [n(c, "QuarantinedRecords"), "quarantined"],
                ],
                n(c, "UserRecords"),
                "user records received",
            ),
        );
    return lines;
}

function firehose(c: Counters): string[] {
    const dropped = n(c, "dropped");
    const events = n(c, "userRecordsIn") - n(c, "errorRecords") - dropped;
    return [
        `${n(c, "userRecordsIn")} user records taken in (de-aggregated from the stream): ${sum(
            [[events, "under events/"], [n(c, "errorRecords"), "under the error prefix"], ...(dropped > 0 ? ([[dropped, "dropped by the transform"]] as [number, string][]) : [])],
            n(c, "userRecordsIn"),
            "",
        )}`,
        `in ${n(c, "objects")} GZIP objects (${n(c, "bytesIn")} bytes of JSON lines, ${n(c, "gzipBytes")} bytes compressed); ${n(c, "deliveryFailures")} records failed delivery`,
    ];
}

const DESCRIBE: Record<string, (c: Counters, r: Report) => string[]> = { producer, mapping, consumer, firehose };

/** The stage lines of the report, labelled and indented as its other figures. */
export function formatStages(r: Report): string[] {
    const out: string[] = [];
    for (const [stage, counters] of Object.entries(r.stages)) {
        const describe = DESCRIBE[stage];
        const lines = describe
            ? describe(counters, r)
            : [
                  Object.entries(counters)
                      .map(([k, v]) => `${k} ${v}`)
                      .join(", "),
              ];
        out.push(...lines.map((line, i) => `  ${(i === 0 ? stage : "").padEnd(11)} ${line}`));
    }
    return out;
}
