// The hand-written KPL message reader decodes what protobufjs (aws-kinesis-agg's reader) decodes, and
// names what is wrong with anything else.
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { deaggregate, RecordDecodeError } from "../../functions/shared/deaggregate";
import { decodeAggregatedRecord } from "../../functions/shared/kpl-message";

interface PbRecord {
    partition_key_index: number;
    explicit_hash_key_index?: number;
    data: Uint8Array;
    tags?: { key: string; value?: string }[];
}
interface PbMessage {
    partition_key_table: string[];
    explicit_hash_key_table: string[];
    records: PbRecord[];
}
const kpl = require("aws-kinesis-agg/lib/common") as {
    AggregatedRecord: { encode(m: PbMessage): { finish(): Uint8Array }; decode(b: Uint8Array): PbMessage & { records: (PbRecord & object)[] } };
};

const message = fc.record({
    partition_key_table: fc.array(fc.string({ unit: "grapheme", maxLength: 20 }), { maxLength: 5 }),
    explicit_hash_key_table: fc.array(fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }).map(String), { maxLength: 5 }),
    records: fc.array(
        fc.record(
            {
                partition_key_index: fc.nat(300),
                explicit_hash_key_index: fc.nat(300),
                data: fc.uint8Array({ maxLength: 64 }),
                tags: fc.array(fc.record({ key: fc.string({ maxLength: 5 }), value: fc.string({ maxLength: 5 }) }, { requiredKeys: ["key"] }), { maxLength: 2 }),
            },
            { requiredKeys: ["partition_key_index", "data"] },
        ),
        { maxLength: 8 },
    ),
});

describe("KPL message reader", () => {
    it("decodes every message as protobufjs does (tags skipped, an absent explicit hash key index left absent)", () => {
        fc.assert(
            fc.property(message, (m) => {
                const body = Buffer.from(kpl.AggregatedRecord.encode(m).finish());
                const ours = decodeAggregatedRecord(body);
                const theirs = kpl.AggregatedRecord.decode(body);
                assert.deepEqual(ours.partitionKeyTable, theirs.partition_key_table);
                assert.deepEqual(ours.explicitHashKeyTable, theirs.explicit_hash_key_table);
                assert.deepEqual(
                    ours.records.map((r) => [r.partitionKeyIndex, r.explicitHashKeyIndex, Buffer.from(r.data).toString("hex")]),
                    theirs.records.map((r) => [
                        Number(r.partition_key_index.toString()),
                        Object.hasOwn(r, "explicit_hash_key_index") ? Number(String(r.explicit_hash_key_index)) : undefined,
                        Buffer.from(r.data).toString("hex"),
                    ]),
                );
            }),
            { numRuns: 300 },
        );
    });

    it("names a truncated field, a missing required field and a wrong wire type", () => {
        const cases: [string, number[], RegExp][] = [
            ["truncated varint", [0x1a, 0x02, 0x08, 0x80], /^varint runs past the end at byte 2$/],
            ["length past the end", [0x0a, 0x05, 0x61], /^field of 5 bytes runs past the end at byte 2$/],
            ["no partition_key_index", [0x1a, 0x02, 0x1a, 0x00], /^missing required 'partition_key_index'$/],
            ["no data", [0x1a, 0x02, 0x08, 0x00], /^missing required 'data'$/],
            ["records as a varint", [0x18, 0x01], /^field 3 has wire type 0, expected 2$/],
            ["group wire type", [0x23], /^wire type 3 is not supported/],
        ];
        for (const [name, bytes, reason] of cases)
            assert.throws(
                () => decodeAggregatedRecord(Buffer.from(bytes)),
                (e: Error) => reason.test(e.message),
                name,
            );
    });

    it("any body with a valid checksum gives user records or one RecordDecodeError, never another exception", () => {
        const seal = (body: Uint8Array) => Buffer.concat([Buffer.from([0xf3, 0x89, 0x9a, 0xc2]), body, createHash("md5").update(body).digest()]);
        fc.assert(
            fc.property(fc.uint8Array({ maxLength: 80 }), (body) => {
                try {
                    deaggregate(seal(body));
                } catch (e) {
                    assert.ok(e instanceof RecordDecodeError, String(e));
                }
            }),
            { numRuns: 500 },
        );
    });
});
