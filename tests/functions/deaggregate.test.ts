// Deaggregation keeps "no explicit hash key" absent (proto2 optional), on aggregates encoded by hand.
import * as assert from "node:assert/strict";
import { deaggregateSync } from "aws-kinesis-agg";
import { AggregateChecksumError, RecordDecodeError, userRecordsOf } from "../../functions/shared/deaggregate";
import { encodeAggregate, encodeAggregateBody, sealAggregateBody, type KplUserRecord } from "../support/kpl";

const EHK_A = "85070591730234615865843651857942052864"; // 2^126
const EHK_B = "170141183460469231731687303715884105728"; // 2^127

const mixed: KplUserRecord[] = [
    { partitionKey: "user#1", explicitHashKey: EHK_A, data: Buffer.from("r0") },
    { partitionKey: "user#2", data: Buffer.from("r1") },
    { partitionKey: "user#1", explicitHashKey: EHK_B, data: Buffer.from("r2") },
    { partitionKey: "user#3", data: Buffer.from("r3") },
    { partitionKey: "user#2", explicitHashKey: EHK_A, data: Buffer.from("r4") },
];
const read = (data: Buffer) => userRecordsOf({ data: data.toString("base64"), partitionKey: "outer" });

describe("deaggregate: explicit hash keys", () => {
    it("keeps each user record's own explicit hash key, and none where the producer gave none", () => {
        assert.deepEqual(
            read(encodeAggregate(mixed)),
            mixed.map((r, i) => ({ data: r.data, subSequenceNumber: i, partitionKey: r.partitionKey, ...(r.explicitHashKey ? { explicitHashKey: r.explicitHashKey } : {}) })),
        );
    });

    it("(why: aws-kinesis-agg's deaggregateSync gives a record without one the aggregate's first explicit hash key)", () => {
        let users: { explicitPartitionKey?: string }[] = [];
        deaggregateSync(
            { data: encodeAggregate(mixed).toString("base64"), partitionKey: "outer", sequenceNumber: "1", kinesisSchemaVersion: "1.0", approximateArrivalTimestamp: 0 } as never,
            true,
            (err, out) => {
                assert.ifError(err);
                users = (out ?? []) as typeof users;
            },
        );
        assert.deepEqual(
            users.map((u) => u.explicitPartitionKey),
            [EHK_A, EHK_A, EHK_B, EHK_A, EHK_A],
        );
    });

    it("reads a plain record as itself, with the Kinesis record's partition key and no explicit hash key", () => {
        assert.deepEqual(read(Buffer.from("{}")), [{ data: Buffer.from("{}"), subSequenceNumber: undefined, partitionKey: "outer" }]);
    });

    it("names a bad checksum, a broken body, an index past its table and an empty aggregate", () => {
        const badSum = encodeAggregate(mixed);
        badSum[badSum.length - 1]! ^= 0x01;
        const badIndex = sealAggregateBody(
            Buffer.concat([encodeAggregateBody([{ partitionKey: "k", data: Buffer.from("x") }]), Buffer.from([0x1a, 0x05, 0x08, 0x07, 0x1a, 0x01, 0x79])]),
        );
        const cases: [string, Buffer, RegExp][] = [
            ["checksum", badSum, /^KPL aggregate has a bad MD5 checksum$/],
            ["truncated body", sealAggregateBody(encodeAggregateBody(mixed).subarray(0, -3)), /^KPL aggregate cannot be decoded: /],
            ["index", badIndex, /^KPL aggregate cannot be decoded: user record 1 has partition_key_index 7, past its table of 1$/],
            ["empty", sealAggregateBody(Buffer.alloc(0)), /^KPL aggregate holds no user records$/],
            ["magic only", Buffer.from([0xf3, 0x89, 0x9a, 0xc2, 0x00]), /^KPL aggregate cannot be decoded: shorter than its magic number and checksum$/],
        ];
        for (const [name, data, reason] of cases) {
            assert.throws(
                () => read(data),
                (e: Error) => e instanceof RecordDecodeError && reason.test(e.message),
                name,
            );
        }
        assert.throws(() => read(badSum), AggregateChecksumError);
    });
});
