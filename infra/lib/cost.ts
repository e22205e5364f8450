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
/** PROVISIONED and ON_DEMAND are the stream modes; ON_DEMAND_ADVANTAGE is ON_DEMAND in an account with the commitment. */
export type CapacityMode = "PROVISIONED" | "ON_DEMAND" | "ON_DEMAND_ADVANTAGE";
export interface ModeCost {
    mode: CapacityMode;
    monthlyUsd: number;
    lines: CostLine[];
}
/**
 * On-demand Advantage: the account-wide minimum throughput billing commitment bills every on-demand
 * stream of the account at lower rates, and the account pays at least its minimum (25 MiB/s written and
 * read). `monthlyUsd` assumes this stream is the account's only on-demand traffic, so it carries the
 * whole shortfall; `usageUsd` is its share when the account's other on-demand streams already reach the
 * minimum (its own traffic at Advantage rates).
 */
export interface AdvantageCost extends ModeCost {
    mode: "ON_DEMAND_ADVANTAGE";
    usageUsd: number;
    shortfallUsd: number;
    /** The stack declares the account has the commitment (accountHasMinimumThroughputCommitment); only then may it be recommended. */
    accountHasCommitment: boolean;
}
export interface CostEstimate {
    workload: Workload;
    /** Shards a provisioned stream holds for this workload: at the target utilisation, within the autoscaler's bounds. */
    shards: number;
    provisioned: ModeCost;
    onDemand: ModeCost;
    onDemandAdvantage: AdvantageCost;
    /** The cheapest mode the stack can use: On-demand Advantage only when the account has the commitment. */
    recommended: CapacityMode;
    /** The cheapest of the three whatever the account has: ON_DEMAND_ADVANTAGE while `recommended` is not says enabling the commitment pays. */
    cheapest: CapacityMode;
    pricesAsOf: string;
    advantagePricesAsOf: string;
}

/** How the stack runs the stream, beyond what it carries. */
export interface CostOptions {
    /** Per-shard utilisation a provisioned stream is sized at. @default 0.8 */
    utilisation?: number;
    /** The autoscaler's shard bounds, when it runs: the count it holds stays within them. */
    shardBounds?: { min: number; max: number };
    /** @default false */
    accountHasCommitment?: boolean;
    /** Warm throughput set on the stream (On-demand Advantage only). */
    warmThroughputMibps?: number;
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

/**
 * Bytes an on-demand stream bills for `records` records of `bytes` in total: each record rounded up to
 * `roundingBytes` (1 KB). As with PUT payload units, every record is taken at the average size.
 */
export function billedWriteBytes(records: number, bytes: number, roundingBytes: number): number {
    if (records <= 0) return 0;
    return records * Math.max(1, Math.ceil(bytes / records / roundingBytes - 1e-9)) * roundingBytes;
}

const ADV = prices.onDemandAdvantage;

/**
 * The On-demand Advantage commitment's shortfall over `hours` in which the account's on-demand streams
 * wrote `writtenGb` (billed, after rounding) and read `readGb`: what the account pays for the part of its
 * minimum it did not use, at the same per-GB rates.
 */
export function advantageShortfallUsd(writtenGb: number, readGb: number, hours: number): { write: number; read: number } {
    const minimumGb = (mibps: number) => (mibps * MiB * hours * 3600) / GB;
    return {
        write: Math.max(0, minimumGb(ADV.commitment.minimumWriteMibps) - writtenGb) * ADV.perGbWritten,
        read: Math.max(0, minimumGb(ADV.commitment.minimumReadMibps) - readGb) * ADV.perGbRead,
    };
}

/** The cheapest of `costs` (the first on a tie: list them in the order to prefer). */
export function cheapest<T extends { mode: CapacityMode; usd: number }>(costs: readonly [T, ...T[]]): T {
    return costs.reduce((best, c) => (c.usd < best.usd ? c : best));
}

const round = (usd: number) => Math.round(usd * 100) / 100;
const sum = (lines: CostLine[]) => round(lines.reduce((n, l) => n + l.usd, 0));
const roundLines = (ls: CostLine[]) => ls.map((l) => ({ ...l, usd: round(l.usd) }));

/**
 * Monthly cost of the workload in the three modes: provisioned (the shards it holds), on-demand
 * standard and On-demand Advantage; the cheapest the stack can use, and the cheapest of all.
 */
export function estimateCost(w: Workload, options: CostOptions = {}): CostEstimate {
    const p = prices.provisioned;
    const o = prices.onDemand;
    const hours = prices.hoursPerMonth;
    const bytesPerMonth = w.recordsPerSecond * w.averageRecordBytes * SECONDS_PER_MONTH;
    const recordsPerMonth = w.recordsPerSecond * SECONDS_PER_MONTH;
    // Data held in each retention band, as GB kept the whole month.
    const heldGb = (fromHours: number, toHours: number) => (w.recordsPerSecond * w.averageRecordBytes * Math.max(0, toHours - fromHours) * 3600) / GB;
    const extendedGb = heldGb(24, Math.min(w.retentionHours, 168));
    const longTermGb = heldGb(168, w.retentionHours);
    const bounds = options.shardBounds;
    const sized = shardsFor(w, options.utilisation ?? 0.8);
    const shards = bounds ? Math.min(bounds.max, Math.max(bounds.min, sized)) : sized;

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

    // Both on-demand modes bill the same traffic, at their own rates.
    const onDemandLines = (rates: typeof o | typeof ADV): CostLine[] => {
        const ls: CostLine[] = [];
        if (rates.perStreamHour > 0) ls.push({ item: `stream x ${hours} h`, usd: hours * rates.perStreamHour });
        ls.push({ item: "data written (1 KB rounding per record)", usd: (billedWriteBytes(recordsPerMonth, bytesPerMonth, rates.writeRoundingBytes) / GB) * rates.perGbWritten });
        if (w.sharedConsumers > 0) ls.push({ item: `data read by ${w.sharedConsumers} shared consumer(s)`, usd: ((w.sharedConsumers * bytesPerMonth) / GB) * rates.perGbRead });
        if (w.efoConsumers > 0) ls.push({ item: "EFO data read", usd: ((w.efoConsumers * bytesPerMonth) / GB) * rates.efoPerGbRead });
        if (extendedGb > 0) ls.push({ item: "extended retention (to 7 days)", usd: extendedGb * rates.extendedRetentionPerGbMonth });
        if (longTermGb > 0) ls.push({ item: "long-term retention (beyond 7 days)", usd: longTermGb * rates.longTermRetentionPerGbMonth });
        return ls;
    };
    const onDemand = onDemandLines(o);
    const advantage = onDemandLines(ADV);
    const warm = options.warmThroughputMibps ?? 0;
    if (warm > 0) {
        const unpriced = ADV.warmThroughputPerMibpsHour === 0 ? " (no price published: $0, unconfirmed)" : "";
        advantage.push({ item: `warm throughput ${warm} MiB/s x ${hours} h${unpriced}`, usd: warm * hours * ADV.warmThroughputPerMibpsHour });
    }
    const writtenGb = billedWriteBytes(recordsPerMonth, bytesPerMonth, ADV.writeRoundingBytes) / GB;
    const readGb = ((w.sharedConsumers + w.efoConsumers) * bytesPerMonth) / GB;
    const shortfall = advantageShortfallUsd(writtenGb, readGb, hours);
    const shortfallLines: CostLine[] = [];
    const floorNote = "if this stream is the account's only on-demand traffic";
    if (shortfall.write > 0)
        shortfallLines.push({ item: `commitment shortfall: written below the account's ${ADV.commitment.minimumWriteMibps} MiB/s minimum (${floorNote})`, usd: shortfall.write });
    if (shortfall.read > 0)
        shortfallLines.push({ item: `commitment shortfall: read below the account's ${ADV.commitment.minimumReadMibps} MiB/s minimum (${floorNote})`, usd: shortfall.read });

    if (w.firehose) {
        const f = prices.firehose;
        const line = {
            item: "Firehose ingestion (5 KB rounding per record)",
            usd: (billedWriteBytes(recordsPerMonth, bytesPerMonth, f.ingestRoundingBytes) / GB) * f.perGbIngested,
        };
        for (const ls of [provisioned, onDemand, advantage]) ls.push({ ...line });
    }
    const prov: ModeCost = { mode: "PROVISIONED", monthlyUsd: sum(provisioned), lines: roundLines(provisioned) };
    const od: ModeCost = { mode: "ON_DEMAND", monthlyUsd: sum(onDemand), lines: roundLines(onDemand) };
    const hasCommitment = options.accountHasCommitment ?? false;
    const adv: AdvantageCost = {
        mode: "ON_DEMAND_ADVANTAGE",
        monthlyUsd: sum([...advantage, ...shortfallLines]),
        lines: roundLines([...advantage, ...shortfallLines]),
        usageUsd: sum(advantage),
        shortfallUsd: sum(shortfallLines),
        accountHasCommitment: hasCommitment,
    };
    const cost = (m: ModeCost) => ({ mode: m.mode, usd: m.monthlyUsd });
    return {
        workload: w,
        shards,
        provisioned: prov,
        onDemand: od,
        onDemandAdvantage: adv,
        recommended: cheapest(hasCommitment ? [cost(prov), cost(od), cost(adv)] : [cost(prov), cost(od)]).mode,
        cheapest: cheapest([cost(prov), cost(od), cost(adv)]).mode,
        pricesAsOf: prices.asOf,
        advantagePricesAsOf: ADV.asOf,
    };
}
