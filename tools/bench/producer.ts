// Producer throughput and cost against kinesalite in a child process: the KinesisProducer with
// aggregation on and off against a plain PutRecords loop at the same concurrency (what an SDK user
// would write), and that loop against one PutRecord per call, so aggregation's gain and batching's
// gain come out separately. Run alone with `npm run bench -- --only producer`.
import { KinesisClient, PutRecordCommand, PutRecordsCommand, type PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { KinesisProducer, PRODUCER_DEFAULTS } from "../../functions/shared/producer";
import { createStream, LOCAL_CREDENTIALS, LOCAL_REGION } from "../local/emulators";
import { type CallCounts, countCalls, countsSince, snapshotCounts } from "./call-counter";
import { startEmulatorProcess } from "./emulator-process";
import { figure, type BenchFigure, type BenchSection } from "./types";

const SIZES = [100, 1024];
const SHARDS = 4;
const KEYS = 1_000;
/** Requests in flight for every method: the producer's default. */
const IN_FLIGHT = PRODUCER_DEFAULTS.maxInFlight;
/** PutRecords' limit: what the plain loop and the producer put in one request. */
const ENTRIES_PER_REQUEST = 500;
/** Each measurement stops after this long or MAX_RECORDS user records, whichever comes first. */
const TIME_BOX_MS = 1_200;
const MAX_RECORDS = 100_000;
/** Records the producer is given before the caller waits for outcomes (as tools/local/traffic.ts feeds it). */
const MAX_OUTSTANDING = 20_000;
const WARM_UP_MS = 200;

function payload(size: number, i: number): Buffer {
    const data = Buffer.alloc(size, i % 251);
    data.writeUInt32BE(i, 0);
    return data;
}
const keyOf = (i: number) => `key-${i % KEYS}`;

/** What one method did in its time box: user records written, wall and CPU time of this process, and what its client sent. */
interface Measured {
    records: number;
    ms: number;
    cpuMicros: number;
    sent: CallCounts;
}

/** A method set up on a client and stream: each run puts records for `timeBoxMs` or until `maxRecords`, and resolves to the user records written. */
export interface Runner {
    run(timeBoxMs: number, maxRecords?: number): Promise<number>;
    close(): Promise<void>;
}
export type Method = (client: KinesisClient, stream: string, size: number) => Runner;

/** IN_FLIGHT workers at once, each taking the next `perCall` record indexes and awaiting `take` on them. */
function plainRunner(take: (first: number, count: number) => Promise<void>, perCall: number): Runner {
    let total = 0;
    return {
        async run(timeBoxMs, maxRecords = MAX_RECORDS) {
            const started = performance.now();
            const from = total;
            const worker = async () => {
                while (total - from < maxRecords && performance.now() - started < timeBoxMs) {
                    const first = total;
                    total = Math.min(from + maxRecords, total + perCall);
                    await take(first, total - first);
                }
            };
            await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
            return total - from;
        },
        close: async () => undefined,
    };
}

/** A plain PutRecords loop: IN_FLIGHT workers, each sending the next ENTRIES_PER_REQUEST records and resending the entries that failed. */
const plainPutRecords: Method = (client, stream, size) =>
    plainRunner(async (first, count) => {
        let entries: PutRecordsRequestEntry[] = Array.from({ length: count }, (_, j) => ({ Data: payload(size, first + j), PartitionKey: keyOf(first + j) }));
        while (entries.length > 0) {
            const out = await client.send(new PutRecordsCommand({ StreamName: stream, Records: entries }));
            entries = entries.filter((_, j) => out.Records?.[j]?.ErrorCode !== undefined);
        }
    }, ENTRIES_PER_REQUEST);

/** One PutRecord call per record, IN_FLIGHT calls at a time: batching's baseline at the same concurrency. */
const onePutRecordPerCall: Method = (client, stream, size) =>
    plainRunner(async (i) => {
        await client.send(new PutRecordCommand({ StreamName: stream, Data: payload(size, i), PartitionKey: keyOf(i) }));
    }, 1);

/**
 * The KinesisProducer with its defaults (aggregation on or off), fed as a user would with backpressure:
 * records put while fewer than MAX_OUTSTANDING await their outcome, then a flush and every outcome awaited.
 */
function viaProducer(aggregation: boolean): Method {
    return (client, stream, size) => {
        const producer = new KinesisProducer({ client, streamName: stream, aggregation: { enabled: aggregation } });
        let total = 0;
        return {
            async run(timeBoxMs, maxRecords = MAX_RECORDS) {
                const started = performance.now();
                const from = total;
                let outstanding = 0;
                let resume: (() => void) | undefined;
                const settled = () => {
                    outstanding--;
                    if (resume !== undefined && outstanding <= MAX_OUTSTANDING / 2) resume();
                };
                const all: Promise<void>[] = [];
                while (total - from < maxRecords && performance.now() - started < timeBoxMs) {
                    if (outstanding >= MAX_OUTSTANDING) {
                        await new Promise<void>((r) => {
                            resume = r;
                        });
                        resume = undefined;
                        continue;
                    }
                    outstanding++;
                    all.push(producer.put({ data: payload(size, total), partitionKey: keyOf(total) }).then(settled));
                    total++;
                    // Let responses in now and then, as a caller's event loop would.
                    if (total % 1_000 === 0) await new Promise((r) => setImmediate(r));
                }
                await producer.flush();
                await Promise.all(all);
                return total - from;
            },
            async close() {
                await producer.close();
                const m = producer.metrics();
                if (m.recordsSent !== total || m.recordsFailed !== 0) throw new Error(`producer bench: ${m.recordsFailed} of ${total} records failed`);
            },
        };
    };
}

export const METHODS = {
    producer: viaProducer(true),
    producerNoAggregation: viaProducer(false),
    plain: plainPutRecords,
    putRecord: onePutRecordPerCall,
} as const;
type MethodKey = keyof typeof METHODS;

/** Runs a method on its own client and stream: a short warm-up (JIT, sockets, the producer's shard map), then the time box, measured. */
async function measure(endpoint: string, method: Method, stream: string, size: number): Promise<Measured> {
    const client = new KinesisClient({ region: LOCAL_REGION, endpoint, credentials: LOCAL_CREDENTIALS, requestHandler: new NodeHttpHandler() });
    try {
        const counts = countCalls(client);
        await createStream(client, stream, SHARDS);
        const runner = method(client, stream, size);
        await runner.run(WARM_UP_MS);
        const before = snapshotCounts(counts);
        const cpu = process.cpuUsage();
        const started = performance.now();
        const records = await runner.run(TIME_BOX_MS);
        const ms = performance.now() - started;
        const used = process.cpuUsage(cpu);
        await runner.close();
        return { records, ms, cpuMicros: used.user + used.system, sent: countsSince(before, counts) };
    } finally {
        client.destroy();
    }
}

const perSecond = (m: Measured) => Math.round((m.records / m.ms) * 1000);
const perRecord = (n: number, m: Measured) => Number((n / m.records).toFixed(5));

export async function producerBench(): Promise<BenchSection> {
    const kinesalite = await startEmulatorProcess("kinesalite");
    const figures: BenchFigure[] = [];
    try {
        for (const size of SIZES) {
            const m = {} as Record<MethodKey, Measured>;
            for (const key of Object.keys(METHODS) as MethodKey[]) m[key] = await measure(kinesalite.endpoint, METHODS[key], `bench-${key}-${size}`, size);
            const label = size >= 1024 ? `${size / 1024} KB records` : `${size} B records`;
            const plain = `plain PutRecords loop (${ENTRIES_PER_REQUEST} per request, ${IN_FLIGHT} in flight)`;
            figures.push(
                figure(`${label}: user records/s, producer`, "records/s", perSecond(m.producer), plain, perSecond(m.plain)),
                figure(`${label}: user records/s, producer without aggregation`, "records/s", perSecond(m.producerNoAggregation), plain, perSecond(m.plain)),
                figure(`${label}: aggregation's gain, user records/s`, "records/s", perSecond(m.producer), "the producer without aggregation", perSecond(m.producerNoAggregation)),
                figure(`${label}: batching's gain, user records/s`, "records/s", perSecond(m.plain), `one PutRecord per call, ${IN_FLIGHT} in flight`, perSecond(m.putRecord)),
            );
            for (const [key, name] of [
                ["producer", "producer"],
                ["producerNoAggregation", "producer without aggregation"],
                ["putRecord", "one PutRecord per call"],
            ] as const) {
                figures.push(
                    figure(
                        `${label}: Kinesis records per user record, ${name}`,
                        "Kinesis records/user record",
                        perRecord(m[key].sent.kinesisRecords, m[key]),
                        plain,
                        perRecord(m.plain.sent.kinesisRecords, m.plain),
                    ),
                );
            }
            figures.push(
                figure(
                    `${label}: PUT payload units per user record, producer`,
                    "units/user record",
                    perRecord(m.producer.sent.putPayloadUnits, m.producer),
                    plain,
                    perRecord(m.plain.sent.putPayloadUnits, m.plain),
                ),
                figure(`${label}: CPU per user record, producer`, "µs/user record", perRecord(m.producer.cpuMicros, m.producer), plain, perRecord(m.plain.cpuMicros, m.plain)),
                figure(
                    `${label}: CPU per user record, producer without aggregation`,
                    "µs/user record",
                    perRecord(m.producerNoAggregation.cpuMicros, m.producerNoAggregation),
                    plain,
                    perRecord(m.plain.cpuMicros, m.plain),
                ),
            );
        }
    } finally {
        await kinesalite.stop();
    }
    return {
        key: "producer",
        title: "Producer: aggregation and batching, each against its fair peer at the same concurrency",
        method:
            `kinesalite 3.3.3 (in-memory) in a child process on 127.0.0.1, so this process's CPU time is the client's alone and the emulator ` +
            `runs on the other core. For 100-byte and 1 KB records, ${KEYS.toLocaleString("en")} partition keys in rotation, each method on a ` +
            `${SHARDS}-shard stream and an SDK v3 client (HTTP/1.1 NodeHttpHandler) of its own, all with ${IN_FLIGHT} requests in flight: ` +
            `the KinesisProducer with its defaults (KPL aggregation up to 51,200 bytes per shard from ListShards, 100 ms buffering, PutRecords ` +
            `of up to ${ENTRIES_PER_REQUEST} entries), fed with backpressure (records put while fewer than ${MAX_OUTSTANDING.toLocaleString("en")} ` +
            `await their outcome; at the end a flush and every outcome awaited); the same producer with aggregation off; a plain PutRecords loop (${IN_FLIGHT} workers each sending the next ` +
            `${ENTRIES_PER_REQUEST} records and resending failed entries), the loop an SDK user writes and the fair baseline: the same batching ` +
            `and concurrency, no aggregation; and one PutRecord per call, ${IN_FLIGHT} in flight, the baseline of batching alone. Each method ` +
            `runs ${WARM_UP_MS} ms of warm-up, then ${TIME_BOX_MS / 1000} s or ${MAX_RECORDS.toLocaleString("en")} records; records/s is user ` +
            `records written over the wall time. Kinesis records and PUT payload units (25 KB, rounded up per record) per user record are ` +
            `counted from what each client sent, at the SDK boundary below its retries. CPU per user record is process.cpuUsage() (user + ` +
            `system) of this process over the time box, what a producer Lambda pays for. Aggregation's gain: the producer against itself ` +
            `without aggregation; batching's gain: the plain loop against one PutRecord per call. kinesalite charges per Kinesis record much as ` +
            `Kinesis bills (PUT payload units) and throttles (1,000 records/s per shard), so aggregation's gain on AWS is bounded by the ` +
            `shards' record limit rather than by the emulator.`,
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
