// kinesis-stream-record-size-readers: a stream's maximum record size against what its readers take.
import { assertNoViolations, assertViolations, compliantPipeline, set, violation, violationsOf } from "../support/policy-harness";

const RULE = "kinesis-stream-record-size-readers";

describe("policy kinesis-stream-record-size-readers", () => {
    it("passes the default 1 MiB stream and one raised within every reader's limit", async () => {
        const p = compliantPipeline();
        assertNoViolations(await violationsOf(p.b.resources));
        set(p.stream, { maxRecordSizeInKib: 1024 });
        assertNoViolations(await violationsOf(p.b.resources));
    });

    const LAMBDA =
        "stream orders takes records up to 8192 KiB, but event source mapping orders-consumer can hand its function at most 4393 KiB (base64 in a 6 MB payload); lower maxRecordSizeInKib.";
    const FIREHOSE = (kib: number, why = "dynamic partitioning (does not support large records)") =>
        `stream orders takes records up to ${kib} KiB, but delivery stream orders-archive reads it with ${why} (Kinesis guide, "Handle large records"); lower maxRecordSizeInKib or archive large records another way.`;
    const s3With = (p: ReturnType<typeof compliantPipeline>, extra: Record<string, unknown>) =>
        set(p.archive.firehose, { extendedS3Configuration: { ...(p.archive.firehose.inputs.extendedS3Configuration as object), ...extra } });

    it("reports a raised stream that its dynamically partitioned Firehose reads; up to Lambda's limit the consumer's mapping is fine", async () => {
        const p = compliantPipeline();
        set(p.stream, { maxRecordSizeInKib: 2048 });
        assertViolations(
            (await violationsOf(p.b.resources)).filter((v) => v.policyName === RULE),
            [violation(RULE, p.stream.urn, FIREHOSE(2048))],
        );
    });

    it("reports a stream whose records its Lambda reader cannot be handed (base64 within the 6 MB payload)", async () => {
        const p = compliantPipeline();
        set(p.stream, { maxRecordSizeInKib: 8192 });
        assertViolations(
            (await violationsOf(p.b.resources)).filter((v) => v.policyName === RULE),
            [violation(RULE, p.stream.urn, FIREHOSE(8192)), violation(RULE, p.stream.urn, LAMBDA)],
        );
    });

    it("passes a Firehose delivering a raised stream to S3 without dynamic partitioning or a Lambda processor (the guide: supported as is)", async () => {
        const p = compliantPipeline();
        set(p.stream, { maxRecordSizeInKib: 4096 });
        s3With(p, { dynamicPartitioningConfiguration: { enabled: false }, processingConfiguration: { enabled: true, processors: [{ type: "AppendDelimiterToRecord" }] } });
        assertNoViolations((await violationsOf(p.b.resources)).filter((v) => v.policyName === RULE));
    });

    it("names every reason a Firehose cannot take the large records: a Lambda processor, a destination other than S3", async () => {
        const p = compliantPipeline();
        set(p.stream, { maxRecordSizeInKib: 2048 });
        s3With(p, { processingConfiguration: { enabled: true, processors: [{ type: "Lambda", parameters: [] }] } });
        assertViolations(
            (await violationsOf(p.b.resources)).filter((v) => v.policyName === RULE),
            [
                violation(
                    RULE,
                    p.stream.urn,
                    FIREHOSE(2048, "dynamic partitioning (does not support large records) and a Lambda processor (not recommended with large records: intermittent failures)"),
                ),
            ],
        );
        set(p.archive.firehose, { destination: "http_endpoint", extendedS3Configuration: undefined });
        assertViolations(
            (await violationsOf(p.b.resources)).filter((v) => v.policyName === RULE),
            [violation(RULE, p.stream.urn, FIREHOSE(2048, "its http_endpoint destination (large records are delivered to Amazon S3 only)"))],
        );
    });
});
