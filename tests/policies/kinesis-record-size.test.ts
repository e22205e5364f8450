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
    const FIREHOSE = (kib: number) =>
        `stream orders takes records up to ${kib} KiB, but delivery stream orders-archive reads it and Firehose documents records of at most 1,000 KiB; lower maxRecordSizeInKib or archive large records another way.`;

    it("reports a raised stream that its Firehose reads; up to Lambda's limit the consumer's mapping is fine", async () => {
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
});
