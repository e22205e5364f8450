// Large records at the SDK boundary: kinesalite knows no MaxRecordSizeInKiB, so DescribeStreamSummary
// and the PutRecords requests are stubbed with aws-sdk-client-mock.
import { strict as assert } from "node:assert";
import { DescribeStreamSummaryCommand, KinesisClient, PutRecordsCommand, type PutRecordsCommandInput } from "@aws-sdk/client-kinesis";
import { mockClient } from "aws-sdk-client-mock";
import { KinesisProducer, LARGE_REQUEST_MAX_BYTES, MAX_REQUEST_BYTES, ProducerErrorCode } from "../../functions/shared/producer";

const MiB = 1024 * 1024;
const summary = (kib?: number) => ({ StreamDescriptionSummary: { MaxRecordSizeInKiB: kib } as never });

function stubbed(describe: (kinesis: ReturnType<typeof mockClient>) => void) {
    const kinesis = mockClient(KinesisClient);
    describe(kinesis);
    kinesis.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => ({
        FailedRecordCount: 0,
        Records: (input.Records ?? []).map((_, i) => ({ ShardId: "shardId-000000000000", SequenceNumber: String(i) })),
    }));
    return kinesis;
}

/** Each PutRecords request as [partition key, data bytes] per entry. */
const requests = (kinesis: ReturnType<typeof mockClient>) =>
    kinesis.commandCalls(PutRecordsCommand).map((c) => (c.args[0].input as PutRecordsCommandInput).Records!.map((r) => [r.PartitionKey, r.Data!.length] as const));

const producer = (client: KinesisClient, extra: Partial<ConstructorParameters<typeof KinesisProducer>[0]> = {}) =>
    new KinesisProducer({ client, streamName: "s", aggregation: { enabled: true, useShardMap: false }, maxBufferedTimeMs: 10, ...extra });

describe("producer: large records (aws-sdk-client-mock)", () => {
    let kinesis: ReturnType<typeof mockClient> | undefined;
    afterEach(() => kinesis?.restore());

    it("reads the stream's limit with DescribeStreamSummary for a record over 1 MiB and sends it alone, not aggregated", async () => {
        kinesis = stubbed((k) => k.on(DescribeStreamSummaryCommand).resolves(summary(5120)));
        const p = producer(new KinesisClient({ region: "us-east-1" }));
        const small = p.put({ data: "x", partitionKey: "a" });
        const big = p.put({ data: Buffer.alloc(3 * MiB), partitionKey: "b" });
        await p.close();
        assert.deepEqual([(await small).ok, (await big).ok], [true, true]);
        assert.equal(kinesis.commandCalls(DescribeStreamSummaryCommand).length, 1);
        const sent = requests(kinesis).flat();
        // The 3 MiB record as its own Kinesis record, with its own partition key (not inside a KPL aggregate).
        assert.ok(sent.some(([key, bytes]) => key === "b" && bytes === 3 * MiB));
    });

    it("refuses records over the stream's limit (1 MiB when the answer has none) and sends the others", async () => {
        kinesis = stubbed((k) => k.on(DescribeStreamSummaryCommand).resolves(summary(undefined)));
        const p = producer(new KinesisClient({ region: "us-east-1" }), { aggregation: { enabled: false }, ordered: false });
        const big = p.put({ data: Buffer.alloc(MiB + 1), partitionKey: "k" });
        const after = p.put({ data: "later", partitionKey: "k" });
        await p.close();
        const o = await big;
        assert.equal(o.ok, false);
        assert.ok(
            !o.ok && o.errorCode === ProducerErrorCode.RecordTooLarge && o.errorMessage.includes("over the stream's 1048576-byte (1024 KiB) record limit"),
            JSON.stringify(o),
        );
        assert.equal((await after).ok, true);
    });

    it("a record over 1 MiB fails with the reason when DescribeStreamSummary is refused; smaller ones go on", async () => {
        kinesis = stubbed((k) =>
            k.on(DescribeStreamSummaryCommand).rejects(Object.assign(new Error("not authorized to perform kinesis:DescribeStreamSummary"), { name: "AccessDeniedException" })),
        );
        const p = producer(new KinesisClient({ region: "us-east-1" }));
        const big = p.put({ data: Buffer.alloc(2 * MiB), partitionKey: "k" });
        const small = p.put({ data: "x", partitionKey: "k" });
        await p.close();
        const o = await big;
        assert.ok(!o.ok && o.errorCode === ProducerErrorCode.RecordTooLarge && o.errorMessage.includes("DescribeStreamSummary failed"), JSON.stringify(o));
        assert.equal((await small).ok, true);
    });

    it("with maxRecordSizeKib given, reads nothing and fills requests up to the 10 MiB PutRecords limit", async () => {
        kinesis = stubbed(() => {});
        const p = producer(new KinesisClient({ region: "us-east-1" }), { maxRecordSizeKib: 4096, aggregation: { enabled: false } });
        const outcomes = await Promise.all([1, 2, 3, 4].map((i) => p.put({ data: Buffer.alloc(3 * MiB), partitionKey: `k${i}` })));
        await p.close();
        assert.ok(outcomes.every((o) => o.ok));
        assert.equal(kinesis.commandCalls(DescribeStreamSummaryCommand).length, 0);
        const sizes = requests(kinesis).map((r) => r.reduce((n, [key, bytes]) => n + bytes + key!.length, 0));
        assert.deepEqual(
            requests(kinesis).map((r) => r.length),
            [3, 1],
        );
        assert.ok(sizes[0]! > MAX_REQUEST_BYTES && sizes.every((n) => n <= LARGE_REQUEST_MAX_BYTES), String(sizes));
    });

    it("a record over the given limit fails at put()", async () => {
        kinesis = stubbed(() => {});
        const o = await producer(new KinesisClient({ region: "us-east-1" }), { maxRecordSizeKib: 2048 }).put({ data: Buffer.alloc(2 * MiB), partitionKey: "k" });
        assert.ok(!o.ok && o.attempts === 0 && o.errorMessage.includes("2097152-byte (2048 KiB)"), JSON.stringify(o));
        assert.throws(() => producer(new KinesisClient({ region: "us-east-1" }), { maxRecordSizeKib: 512 }), {
            message: "maxRecordSizeKib must be an integer from 1024 to 10240 (got 512)",
        });
    });
});
