// Producer throughput against kinesalite: the KinesisProducer (buffering, PutRecords, KPL
// aggregation) against one PutRecord call per record, the reference document's approach, in the
// same run. Run alone with `npx tsx tools/bench/producer.ts`.
import { PutRecordCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { KinesisProducer } from "../../functions/shared/producer";
import { startKinesalite } from "../local/kinesalite";
import { figure, type BenchFigure, type BenchSection } from "./types";

const SIZES = [100, 1024];
const SHARDS = 4;
const KEYS = 1_000;
/** Each measurement stops after this long or this many records, whichever comes first. */
const TIME_BOX_MS = 4_000;
const PRODUCER_RECORDS = 100_000;
const PRODUCER_CHUNK = 5_000;
const BASELINE_RECORDS = 5_000;
const WARM_UP_RECORDS = 500;

function payload(size: number, i: number): Buffer {
    const data = Buffer.alloc(size, i % 251);
    data.writeUInt32BE(i, 0);
    return data;
}

/** User records per second through the producer, and PutRecords entries per user record. */
async function viaProducer(client: KinesisClient, stream: string, size: number): Promise<{ rate: number; entriesPerRecord: number; records: number }> {
    const producer = new KinesisProducer({ client, streamName: stream });
    await producer.put({ data: payload(size, 0), partitionKey: "warm-up" }); // ListShards done, sockets open
    const started = performance.now();
    let sent = 0;
    // Chunks of puts, each awaited, so a slow run stops near the time box.
    while (sent < PRODUCER_RECORDS && performance.now() - started < TIME_BOX_MS) {
        const chunk: Promise<unknown>[] = [];
        for (let i = 0; i < PRODUCER_CHUNK; i++, sent++) chunk.push(producer.put({ data: payload(size, sent), partitionKey: `key-${sent % KEYS}` }));
        await producer.flush();
        await Promise.all(chunk);
    }
    const elapsed = performance.now() - started;
    await producer.close();
    const m = producer.metrics();
    if (m.recordsSent !== sent + 1 || m.recordsFailed !== 0) throw new Error(`producer bench: ${m.recordsFailed} of ${sent} records failed`);
    return { rate: (sent / elapsed) * 1000, entriesPerRecord: m.kinesisRecordsSent / m.recordsSent, records: sent };
}

/** User records per second with one awaited PutRecord call per record. */
async function viaPutRecord(client: KinesisClient, stream: string, size: number, limit = BASELINE_RECORDS): Promise<number> {
    const started = performance.now();
    let sent = 0;
    while (sent < limit && performance.now() - started < TIME_BOX_MS) {
        await client.send(new PutRecordCommand({ StreamName: stream, Data: payload(size, sent), PartitionKey: `key-${sent % KEYS}` }));
        sent++;
    }
    return (sent / (performance.now() - started)) * 1000;
}

export async function producerBench(): Promise<BenchSection> {
    const kinesalite = await startKinesalite();
    const figures: BenchFigure[] = [];
    try {
        const client = kinesalite.client();
        for (const size of SIZES) {
            const stream = `bench-producer-${size}`;
            await kinesalite.createStream(stream, SHARDS);
            await viaPutRecord(client, stream, size, WARM_UP_RECORDS); // JIT, sockets
            const baseline = await viaPutRecord(client, stream, size);
            const producer = await viaProducer(client, stream, size);
            const label = size >= 1024 ? `${size / 1024} KB` : `${size} B`;
            figures.push(figure(`${label} records: user records/s`, "records/s", Math.round(producer.rate), "one PutRecord call per record", Math.round(baseline)));
            figures.push(
                figure(
                    `${label} records: Kinesis records per user record`,
                    "Kinesis records/user record",
                    Number(producer.entriesPerRecord.toFixed(5)),
                    "one PutRecord call per record",
                    1,
                ),
            );
        }
    } finally {
        await kinesalite.stop();
    }
    return {
        key: "producer",
        title: "Producer: KPL-style aggregation and PutRecords against one PutRecord per record",
        method:
            `In-process kinesalite 3.3.3 (in-memory) on 127.0.0.1, a ${SHARDS}-shard stream per record size, one SDK v3 client ` +
            `(HTTP/1.1 NodeHttpHandler, default retries) shared by both methods, ${KEYS} partition keys in rotation. The baseline ` +
            `awaits one PutRecord call per record (the reference document's put_record) for up to ${BASELINE_RECORDS.toLocaleString("en")} ` +
            `records or ${TIME_BOX_MS / 1000} s, after ${WARM_UP_RECORDS} warm-up calls. The producer runs with its defaults ` +
            `(aggregation up to 51,200 bytes per shard from ListShards, 100 ms buffering, 4 requests in flight), putting ` +
            `${PRODUCER_CHUNK.toLocaleString("en")} records at a time and awaiting flush() and every outcome, for up to ` +
            `${PRODUCER_RECORDS.toLocaleString("en")} records or ${TIME_BOX_MS / 1000} s; records/s counts user records with a ` +
            `successful outcome over the wall time (after one warm-up record), Kinesis records per user record is PutRecords entries written over user ` +
            `records. Kinesalite costs per Kinesis record much as Kinesis bills and throttles per record (1,000 records/s per ` +
            `shard), so the ratio shows what aggregation saves; kinesalite runs in the same process, so the producer's CPU time competes with the emulator's, and absolute numbers depend on this shared 2-core machine.`,
        figures,
    };
}

if (require.main === module) {
    producerBench().then(
        (section) => console.log(JSON.stringify(section, null, 2)),
        (err: unknown) => {
            console.error(err);
            process.exitCode = 1;
        },
    );
}
