import prices from "../../contracts/prices.json";

export const PRICES = prices;
const MiB = 1024 * 1024;
const GB = 1e9;
const SECONDS_PER_MONTH = prices.hoursPerMonth * 3600;

/** What a stream carries, as a team declares it (Kinesis records, after any aggregation). */
export interface Workload {
    recordsPerSecond: number;
    averageRecordBytes: number;
    /** Consumers polling with GetRecords (consumer Lambda without EFO, Firehose, KCL without EFO). */
    sharedConsumers: number;
    /** Enhanced fan-out consumers (each with its own 2 MiB/s per shard). */
    efoConsumers: number;
    retentionHours: number;
    /** Firehose archives the stream. */
    firehose: boolean;
}

export interface CostLine {
    item: string;
    usd: number;
}
export interface ModeCost {
    mode: "PROVISIONED" | "ON_DEMAND";
    monthlyUsd: number;
    lines: CostLine[];
}
export interface CostEstimate {
    workload: Workload;
    /** Shards a provisioned stream needs for this workload at the target utilisation. */
    shards: number;
    provisioned: ModeCost;
    onDemand: ModeCost;
    recommended: "PROVISIONED" | "ON_DEMAND";
    pricesAsOf: string;
}

/**
 * Shards that carry the workload: each takes 1 MiB/s and 1,000 records/s in and serves 2 MiB/s to
 * its shared consumers together (EFO consumers get their own 2 MiB/s each and need no shards).
 * `utilisation` < 1 leaves headroom for peaks and uneven keys.
 */
export function shardsFor(w: Pick<Workload, "recordsPerSecond" | "averageRecordBytes" | "sharedConsumers">, utilisation = 1): number {
    const bytesIn = w.recordsPerSecond * w.averageRecordBytes;
    const need = Math.max(bytesIn / MiB, w.recordsPerSecond / 1000, (bytesIn * w.sharedConsumers) / (2 * MiB));
    return Math.max(1, Math.ceil(need / utilisation - 1e-9));
}

/**
 * PUT payload units for `records` records of `bytes` in total: 25 KB units rounded up per record.
 * Per-minute metrics give only the average size, so every record is taken at it: exact when records
 * of a minute take the same number of units (all under 25 KB, the usual case), an undercount otherwise.
 */
export function putPayloadUnits(records: number, bytes: number): number {
    if (records <= 0) return 0;
    return records * Math.max(1, Math.ceil(bytes / records / prices.provisioned.putPayloadUnitBytes - 1e-9));
}

/** USD for PUT payload units. */
export const putPayloadUnitsUsd = (units: number): number => (units / 1e6) * prices.provisioned.perMillionPutPayloadUnits;

const round = (usd: number) => Math.round(usd * 100) / 100;
const sum = (lines: CostLine[]) => round(lines.reduce((n, l) => n + l.usd, 0));

/** Monthly cost of the workload in both capacity modes, and the cheaper one. */
export function estimateCost(w: Workload, utilisation = 0.8): CostEstimate {
    const p = prices.provisioned;
    const o = prices.onDemand;
    const hours = prices.hoursPerMonth;
    const bytesPerMonth = w.recordsPerSecond * w.averageRecordBytes * SECONDS_PER_MONTH;
    const recordsPerMonth = w.recordsPerSecond * SECONDS_PER_MONTH;
    const longTermGb = w.retentionHours > 168 ? (w.recordsPerSecond * w.averageRecordBytes * (w.retentionHours - 168) * 3600) / GB : 0;
    const shards = shardsFor(w, utilisation);

    const provisioned: CostLine[] = [
        { item: `${shards} shard(s) x ${hours} h`, usd: shards * hours * p.perShardHour },
        { item: "PUT payload units (25 KB each, rounded up per record)", usd: putPayloadUnitsUsd(putPayloadUnits(recordsPerMonth, recordsPerMonth * w.averageRecordBytes)) },
    ];
    if (w.retentionHours > 24) provisioned.push({ item: "extended retention (to 7 days)", usd: shards * hours * p.extendedRetentionPerShardHour });
    if (longTermGb > 0) provisioned.push({ item: "long-term retention (beyond 7 days)", usd: longTermGb * p.longTermRetentionPerGbMonth });
    if (w.efoConsumers > 0) {
        provisioned.push({ item: `${w.efoConsumers} EFO consumer(s) x shard-hours`, usd: w.efoConsumers * shards * hours * p.efoPerConsumerShardHour });
        provisioned.push({ item: "EFO data read", usd: ((w.efoConsumers * bytesPerMonth) / GB) * p.efoPerGbRead });
    }

    const writtenGb = (recordsPerMonth * Math.ceil(w.averageRecordBytes / o.writeRoundingBytes) * o.writeRoundingBytes) / GB;
    const onDemand: CostLine[] = [
        { item: `stream x ${hours} h`, usd: hours * o.perStreamHour },
        { item: "data written (1 KB rounding per record)", usd: writtenGb * o.perGbWritten },
    ];
    if (w.sharedConsumers > 0) onDemand.push({ item: `data read by ${w.sharedConsumers} shared consumer(s)`, usd: ((w.sharedConsumers * bytesPerMonth) / GB) * o.perGbRead });
    if (w.efoConsumers > 0) onDemand.push({ item: "EFO data read", usd: ((w.efoConsumers * bytesPerMonth) / GB) * o.efoPerGbRead });
    if (longTermGb > 0) onDemand.push({ item: "long-term retention (beyond 7 days)", usd: longTermGb * o.longTermRetentionPerGbMonth });

    if (w.firehose) {
        const f = prices.firehose;
        const line = {
            item: "Firehose ingestion (5 KB rounding per record)",
            usd: ((recordsPerMonth * Math.ceil(w.averageRecordBytes / f.ingestRoundingBytes) * f.ingestRoundingBytes) / GB) * f.perGbIngested,
        };
        provisioned.push(line);
        onDemand.push({ ...line });
    }
    const roundLines = (ls: CostLine[]) => ls.map((l) => ({ ...l, usd: round(l.usd) }));
    const prov: ModeCost = { mode: "PROVISIONED", monthlyUsd: sum(provisioned), lines: roundLines(provisioned) };
    const od: ModeCost = { mode: "ON_DEMAND", monthlyUsd: sum(onDemand), lines: roundLines(onDemand) };
    return { workload: w, shards, provisioned: prov, onDemand: od, recommended: prov.monthlyUsd <= od.monthlyUsd ? "PROVISIONED" : "ON_DEMAND", pricesAsOf: prices.asOf };
}
