// npm run quarantine against s3rver and kinesalite: list with its filters, redrive re-puts by the
// record's own partition key (and explicit hash key), a second redrive re-puts nothing, a failed
// re-put exits 1 and leaves no marker, bad arguments exit 2 with the problem on one line.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createHash } from "node:crypto";
import { ListShardsCommand } from "@aws-sdk/client-kinesis";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { quarantineKey, redriveMarkerKey, type QuarantinedRecord } from "../../contracts/quarantine";
import { UsageError } from "../../tools/lib/cli";
import { listKeys } from "../../tools/local/readback";
import { createBucket, createStream, S3RVER_CREDENTIALS, startKinesis, startS3, type KinesisEmulator, type S3Emulator } from "../../tools/local/emulators";
import { listShardIds, ShardReader, type StreamRecord } from "../../tools/local/reader";
import { quarantineMain } from "../../tools/quarantine";
import { hasStackTrace, runTool } from "../support/run-tool";

const BUCKET = "quarantine-test";
const STREAM = "quarantine-test-events";
/** The top of the hash key space: the last of 4 shards owns it, whatever the partition key hashes to. */
const TOP_HASH = (2n ** 128n - 1n).toString();

function record(over: Partial<QuarantinedRecord> & Pick<QuarantinedRecord, "sequenceNumber">): QuarantinedRecord {
    return {
        version: 1,
        reasonCode: "not-json",
        reason: "data is not JSON: Unexpected token",
        payload: Buffer.from("{not json").toString("base64"),
        shardId: "shardId-000000000000",
        subSequenceNumber: null,
        partitionKey: "user-1",
        arrivedAt: "2026-03-01T10:00:00.000Z",
        quarantinedAt: "2026-03-01T10:00:01.000Z",
        ...over,
    };
}

const RECORDS = [
    record({ sequenceNumber: "49600000000000000000000000000000000000000000000000000001" }),
    record({
        sequenceNumber: "49600000000000000000000000000000000000000000000000000002",
        subSequenceNumber: 3,
        partitionKey: "user-2",
        explicitHashKey: TOP_HASH,
        quarantinedAt: "2026-03-02T00:00:00.000Z",
    }),
    record({
        sequenceNumber: "49600000000000000000000000000000000000000000000000000003",
        reasonCode: "schema-invalid",
        reason: "order: payload.amount must be a number",
        payload: Buffer.from('{"event_type":"order"}').toString("base64"),
        quarantinedAt: "2026-03-03T00:00:00.000Z",
    }),
];

async function readAll(kinesis: KinesisEmulator, stream: string): Promise<StreamRecord[]> {
    const client = kinesis.client();
    const out: StreamRecord[] = [];
    for (const id of await listShardIds(client, stream)) {
        const reader = new ShardReader(client, stream, id);
        await reader.open({ type: "TRIM_HORIZON" });
        for (;;) {
            const page = await reader.read();
            out.push(...page);
            if (page.length === 0 || reader.ended) break;
        }
    }
    return out;
}

describe("npm run quarantine (s3rver + kinesalite)", function () {
    this.timeout(60_000);
    let s3emu: S3Emulator;
    let kinesis: KinesisEmulator;
    let s3: S3Client;
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    let endpoints: string[];

    const run = async (...argv: string[]) => {
        const out: string[] = [];
        const err: string[] = [];
        const code = await quarantineMain([...argv, ...endpoints], { out: (l) => out.push(l), err: (l) => err.push(l) }, {});
        return { code, out: out.join("\n"), err: err.join("\n") };
    };

    before(async () => {
        // s3rver checks signatures against its own credentials; kinesalite takes any.
        process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
        process.env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
        [s3emu, kinesis] = await Promise.all([startS3(), startKinesis()]);
        s3 = s3emu.client();
        endpoints = ["--s3-endpoint", s3emu.endpoint, "--kinesis-endpoint", kinesis.endpoint];
        await Promise.all([createBucket(s3, BUCKET), createStream(kinesis.client(), STREAM, 4)]);
        for (const r of RECORDS) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: quarantineKey(r), Body: JSON.stringify(r) }));
        await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "quarantine/shardId-000000000000/garbage.json", Body: "not a record" }));
        await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "events/event_type=order/dt=2026-03-01/x.gz", Body: "archive data, not quarantine" }));
    });
    after(async () => {
        process.env.AWS_ACCESS_KEY_ID = saved.id;
        process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
        await Promise.all([s3emu?.stop(), kinesis?.stop()]);
    });

    it("lists every quarantined record with its reason, coordinates and payload; flags an object that is not one", async () => {
        const r = await run("list", "--bucket", BUCKET);
        assert.equal(r.code, 0);
        for (const q of RECORDS) assert.ok(r.out.includes(quarantineKey(q)), `lists ${quarantineKey(q)}`);
        assert.match(
            r.out,
            /not-json: data is not JSON: Unexpected token\n {4}shardId-000000000000 4960\d+1 key "user-1", arrived 2026-03-01T10:00:00.000Z, quarantined 2026-03-01T10:00:01.000Z\n {4}payload "\{not json"/,
        );
        assert.match(r.out, /4960\d+2#3 key "user-2" hash 340282366920938463463374607431768211455/);
        assert.match(r.out, /3 quarantined record\(s\) in quarantine-test; 0 re-driven already$/);
        assert.match(r.err, /^skipped quarantine\/shardId-000000000000\/garbage.json: .*not JSON$/);
    });

    it("filters by reason code, reason text, time and key", async () => {
        const keys = async (...f: string[]) =>
            (JSON.parse((await run("list", "--bucket", BUCKET, "--json", ...f)).out) as { records: { key: string }[] }).records.map((x) => x.key);
        assert.deepEqual(await keys("--reason", "schema-invalid"), [quarantineKey(RECORDS[2]!)]);
        assert.deepEqual(await keys("--reason", "AMOUNT MUST"), [quarantineKey(RECORDS[2]!)]);
        assert.deepEqual(await keys("--since", "2026-03-02"), [quarantineKey(RECORDS[1]!), quarantineKey(RECORDS[2]!)]);
        assert.deepEqual(
            await keys(
                "--id",
                quarantineKey(RECORDS[0]!)
                    .replace(/^quarantine\//, "")
                    .replace(/\.json$/, ""),
                "--id",
                quarantineKey(RECORDS[2]!),
            ),
            [quarantineKey(RECORDS[0]!), quarantineKey(RECORDS[2]!)],
        );
        assert.deepEqual(await keys("--reason", "not-json", "--since", "2026-03-02T00:00:00Z"), [quarantineKey(RECORDS[1]!)]);
    });

    it("a failed re-put exits 1, names the record and leaves no marker", async () => {
        const r = await run("redrive", "--bucket", BUCKET, "--stream", "no-such-stream", "--id", quarantineKey(RECORDS[0]!));
        assert.equal(r.code, 1);
        assert.match(r.err, /FAILED quarantine\/shardId-000000000000\/4960\d+1-0\.json: PutRecord to no-such-stream failed: ResourceNotFoundException/);
        assert.deepEqual(await listKeys(s3, BUCKET, "quarantine/_redriven/"), []);
    });

    it("redrive re-puts the chosen records by their own keys, once: a second run re-puts nothing", async () => {
        const first = await run("redrive", "--bucket", BUCKET, "--stream", STREAM, "--reason", "not-json");
        assert.equal(first.code, 0, first.err);
        assert.match(first.out, /2 re-put onto quarantine-test-events, 0 skipped \(re-driven already\), 0 failed$/);
        const onStream = await readAll(kinesis, STREAM);
        assert.deepEqual(onStream.map((x) => [x.partitionKey, Buffer.from(x.data).toString()]).sort(), [
            ["user-1", "{not json"],
            ["user-2", "{not json"],
        ]);

        // Placement: user-1 by md5 of its key, user-2 by its explicit hash key (the last shard's range).
        const shards = (await kinesis.client().send(new ListShardsCommand({ StreamName: STREAM }))).Shards!;
        const owner = (hash: bigint) => shards.find((s) => BigInt(s.HashKeyRange!.StartingHashKey!) <= hash && hash <= BigInt(s.HashKeyRange!.EndingHashKey!))!.ShardId;
        const byKey = new Map(onStream.map((x) => [x.partitionKey, x.shardId]));
        assert.equal(byKey.get("user-1"), owner(BigInt(`0x${createHash("md5").update("user-1").digest("hex")}`)));
        assert.equal(byKey.get("user-2"), owner(BigInt(TOP_HASH)));

        assert.deepEqual(
            (await listKeys(s3, BUCKET, "quarantine/_redriven/")).sort(),
            [redriveMarkerKey(quarantineKey(RECORDS[0]!)), redriveMarkerKey(quarantineKey(RECORDS[1]!))].sort(),
        );
        const second = await run("redrive", "--bucket", BUCKET, "--stream", STREAM);
        assert.equal(second.code, 0);
        assert.match(
            second.out,
            /^re-put quarantine\/shardId-000000000000\/4960\d+3-0\.json -> shardId-\d+ \d+\n1 re-put onto quarantine-test-events, 2 skipped \(re-driven already\), 0 failed$/,
        );
        assert.equal((await readAll(kinesis, STREAM)).length, 3, "only the record not re-driven before was put");
        assert.match((await run("list", "--bucket", BUCKET)).out, /3 quarantined record\(s\) in quarantine-test; 3 re-driven already$/);
    });

    it("finds the bucket and the stream in the stack's outputs (a file, or the Pulumi CLI for --stack)", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "quarantine-test-"));
        try {
            const file = path.join(dir, "outputs.json");
            fs.writeFileSync(file, JSON.stringify({ archiveBucketName: BUCKET, streamName: STREAM }));
            const r = await run("redrive", "--outputs", file);
            assert.equal(r.code, 0);
            assert.match(r.out, /0 re-put onto quarantine-test-events, 3 skipped/);
            const out: string[] = [];
            const code = await quarantineMain(
                ["list", "--stack", "dev", ...endpoints],
                { out: (l) => out.push(l), err: () => undefined, stackOutputs: (s) => (s === "dev" ? JSON.stringify({ archiveBucketName: BUCKET, streamName: STREAM }) : "{}") },
                {},
            );
            assert.equal(code, 0);
            assert.match(out.join("\n"), /3 quarantined record\(s\) in quarantine-test/);
            fs.writeFileSync(file, JSON.stringify({ streamName: STREAM }));
            await assert.rejects(
                run("list", "--outputs", file),
                new UsageError(`${file} has no archiveBucketName: expected the outputs of a kinesis-streaming stack (pulumi stack output --json)`),
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    const bad: [string[], string][] = [
        [[], "give a command: list or redrive"],
        [["purge"], 'unknown command "purge": use list or redrive'],
        [["list", "--bucket", BUCKET, "--since", "yesterday"], '--since must be an ISO-8601 date or time such as 2026-01-31 or 2026-01-31T12:00:00Z, got "yesterday"'],
        [["list", "--bucket", BUCKET, "--reason", " "], "--reason must not be empty: give a reason code or text found in the reason"],
        [["list"], "no quarantine bucket: give --bucket <name>, --outputs <file> or --stack <name>"],
        [["redrive", "--bucket", BUCKET], "redrive needs the stream: give --stream <name>, --outputs <file> or --stack <name>"],
        [["list", "--outputs", "/nonexistent/outputs.json"], "cannot read --outputs /nonexistent/outputs.json: no such file"],
    ];
    for (const [argv, message] of bad) {
        it(`refuses ${argv.join(" ") || "no arguments"}`, async () => {
            await assert.rejects(quarantineMain(argv, { out: () => undefined, err: () => undefined }, {}), new UsageError(message));
        });
    }

    it("from the command line: a usage mistake exits 2 with the problem on one line and the usage, no stack trace", () => {
        const r = runTool("quarantine.ts", ["list", "--bogus"]);
        assert.equal(r.status, 2);
        const lines = r.stderr.trim().split("\n");
        assert.deepEqual([lines.length, lines[1]!.startsWith("usage: npm run quarantine -- <list|redrive>")], [2, true]);
        assert.match(lines[0]!, /Unknown option '--bogus'/);
        assert.equal(hasStackTrace(r.stderr), false);
    });
});
