// The cost model in its three modes, each figure recomputed here from contracts/prices.json's inputs.
import { strict as assert } from "node:assert";
import { settingsFromConfig } from "../../infra/config";
import { estimateCost, PRICES, putPayloadUnits, putPayloadUnitsUsd, shardsFor, type Workload } from "../../infra/lib/cost";
import { declaredCostOptions, declaredWorkload } from "../../infra/lib/workload";

const MiB = 1024 * 1024;
const GB = 1e9;
const HOURS = PRICES.hoursPerMonth;
const SECONDS = HOURS * 3600;
const P = PRICES.provisioned;
const O = PRICES.onDemand;
const A = PRICES.onDemandAdvantage;

/** 1 KB records (no rounding loss on either side), one polling reader, 24 h retention, no Firehose. */
const steady = (recordsPerSecond: number, w: Partial<Workload> = {}): Workload => ({
    recordsPerSecond,
    averageRecordBytes: 1024,
    sharedConsumers: 1,
    efoConsumers: 0,
    retentionHours: 24,
    firehose: false,
    ...w,
});
/** GB a month the workload writes (= reads per reader). */
const gbPerMonth = (w: Workload) => (w.recordsPerSecond * w.averageRecordBytes * SECONDS) / GB;
/** The account's minimum over a month, in GB. */
const minimumGb = (mibps: number) => (mibps * MiB * SECONDS) / GB;
const cents = (x: number) => Math.round(x * 100) / 100;
const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) <= 0.011, `${what}: ${actual} vs ${expected}`);

describe("cost model: provisioned, on-demand standard and On-demand Advantage", () => {
    it("provisioned: the shards it holds (80 % utilisation, within the autoscaler's bounds) plus PUT payload units", () => {
        const w = steady(2_500);
        const c = estimateCost(w);
        assert.equal(c.shards, shardsFor(w, 0.8));
        const units = putPayloadUnits(w.recordsPerSecond * SECONDS, w.recordsPerSecond * SECONDS * 1024);
        assert.equal(units, w.recordsPerSecond * SECONDS); // 1 KB: one 25 KB unit each
        close(c.provisioned.monthlyUsd, c.shards * HOURS * P.perShardHour + putPayloadUnitsUsd(units), "provisioned");
        // The autoscaler never goes below its minimum nor above its maximum.
        assert.equal(estimateCost(w, { shardBounds: { min: 10, max: 64 } }).shards, 10);
        assert.equal(estimateCost(w, { shardBounds: { min: 1, max: 2 } }).shards, 2);
    });

    it("on-demand standard: stream-hours, GB written (1 KB rounding), read, extended retention", () => {
        // 500 B records are billed as 1 KB when written, read at their size.
        const w = steady(1_000, { averageRecordBytes: 500, retentionHours: 168 });
        const c = estimateCost(w);
        const written = (w.recordsPerSecond * SECONDS * 1024) / GB;
        const held = (w.recordsPerSecond * 500 * (168 - 24) * 3600) / GB;
        close(c.onDemand.monthlyUsd, HOURS * O.perStreamHour + written * O.perGbWritten + gbPerMonth(w) * O.perGbRead + held * O.extendedRetentionPerGbMonth, "on-demand");
        assert.ok(c.onDemand.lines.some((l) => l.item.startsWith("stream x")));
    });

    it("On-demand Advantage above the account's minimum: its traffic at Advantage rates, no stream-hours, no shortfall", () => {
        const w = steady(40 * 1024, { efoConsumers: 2 }); // 40 MiB/s written, read by three readers
        const c = estimateCost(w, { accountHasCommitment: true });
        const a = c.onDemandAdvantage;
        const gb = gbPerMonth(w);
        close(a.monthlyUsd, gb * A.perGbWritten + gb * A.perGbRead + 2 * gb * A.efoPerGbRead, "advantage");
        assert.equal(a.shortfallUsd, 0);
        assert.equal(a.usageUsd, a.monthlyUsd);
        assert.ok(!a.lines.some((l) => l.item.startsWith("stream x")));
        assert.equal(a.accountHasCommitment, true);
    });

    it("the commitment's floor: a stream below the minimum pays the minimum (if it is the account's only on-demand traffic); its share alone is its usage", () => {
        const w = steady(100, { retentionHours: 48 }); // 0.1 MiB/s, far below 25 MiB/s
        const a = estimateCost(w, { accountHasCommitment: true }).onDemandAdvantage;
        const gb = gbPerMonth(w);
        const held = (w.recordsPerSecond * 1024 * 24 * 3600) / GB;
        const usage = gb * A.perGbWritten + gb * A.perGbRead + held * A.extendedRetentionPerGbMonth;
        const shortfall = (minimumGb(A.commitment.minimumWriteMibps) - gb) * A.perGbWritten + (minimumGb(A.commitment.minimumReadMibps) - gb) * A.perGbRead;
        close(a.usageUsd, usage, "usage");
        close(a.shortfallUsd, shortfall, "shortfall");
        close(a.monthlyUsd, usage + shortfall, "monthly");
        // Written and read together, it pays exactly the minimum both ways (plus retention).
        close(
            a.monthlyUsd,
            minimumGb(A.commitment.minimumWriteMibps) * A.perGbWritten + minimumGb(A.commitment.minimumReadMibps) * A.perGbRead + held * A.extendedRetentionPerGbMonth,
            "floor",
        );
        assert.ok(
            a.lines.some((l) => /commitment shortfall: written below the account's 25 MiB\/s minimum \(if this stream is the account's only on-demand traffic\)/.test(l.item)),
        );
    });

    it("recommends the cheapest mode the stack can use, and flips to On-demand Advantage where it undercuts standard", () => {
        // A provisioned stream pinned at 1,000 shards by its autoscaler costs more than either on-demand
        // mode here, so the choice is between standard and Advantage. Below the minimum Advantage costs
        // its floor; standard costs stream-hours plus 0.08 + 0.04 per GB: they meet at
        // X = (floorW x 0.032 + floorR x 0.016 - hours x 0.04) / (0.08 + 0.04) GB a month.
        const pinned = { shardBounds: { min: 1_000, max: 1_000 } };
        const floor = minimumGb(A.commitment.minimumWriteMibps) * A.perGbWritten + minimumGb(A.commitment.minimumReadMibps) * A.perGbRead;
        const breakEvenGb = (floor - HOURS * O.perStreamHour) / (O.perGbWritten + O.perGbRead);
        const breakEvenRps = (breakEvenGb * GB) / (1024 * SECONDS);
        assert.ok(breakEvenGb < minimumGb(A.commitment.minimumWriteMibps), "the break-even lies below the minimum");
        const below = estimateCost(steady(breakEvenRps * 0.98), { ...pinned, accountHasCommitment: true });
        const above = estimateCost(steady(breakEvenRps * 1.02), { ...pinned, accountHasCommitment: true });
        assert.equal(below.recommended, "ON_DEMAND");
        assert.equal(above.recommended, "ON_DEMAND_ADVANTAGE");
        assert.ok(above.onDemandAdvantage.monthlyUsd < above.onDemand.monthlyUsd && above.onDemandAdvantage.monthlyUsd < above.provisioned.monthlyUsd);
        // AWS's positioning: worth it from about 10 MiB/s in aggregate.
        assert.ok(Math.abs((breakEvenRps * 1024) / MiB - 10) < 0.5, `break-even ${(breakEvenRps * 1024) / MiB} MiB/s`);
    });

    it("without the account commitment Advantage is never recommended, but shown as the cheapest when enabling it would pay", () => {
        const pinned = { shardBounds: { min: 1_000, max: 1_000 } };
        const c = estimateCost(steady(20 * 1024), pinned); // 20 MiB/s: Advantage is the cheapest
        assert.equal(c.onDemandAdvantage.accountHasCommitment, false);
        assert.equal(c.cheapest, "ON_DEMAND_ADVANTAGE");
        assert.equal(c.recommended, "ON_DEMAND");
        // The same traffic with the flag: recommended.
        assert.equal(estimateCost(steady(20 * 1024), { ...pinned, accountHasCommitment: true }).recommended, "ON_DEMAND_ADVANTAGE");
        // A steady stream of 1 KB records is cheapest provisioned, whatever the account has.
        const prod = estimateCost(steady(2_500, { efoConsumers: 2, retentionHours: 168 }), { accountHasCommitment: true });
        assert.equal(prod.recommended, "PROVISIONED");
        assert.equal(prod.cheapest, "PROVISIONED");
    });

    it("warm throughput is charged on Advantage when set, at the price file's rate", () => {
        const w = steady(30 * 1024);
        const without = estimateCost(w, { accountHasCommitment: true }).onDemandAdvantage;
        const warm = estimateCost(w, { accountHasCommitment: true, warmThroughputMibps: 200 }).onDemandAdvantage;
        const line = warm.lines.find((l) => l.item.startsWith("warm throughput 200 MiB/s"));
        assert.ok(line, "a warm-throughput line");
        assert.equal(line.usd, cents(200 * HOURS * A.warmThroughputPerMibpsHour));
        close(warm.monthlyUsd, without.monthlyUsd + 200 * HOURS * A.warmThroughputPerMibpsHour, "with warm throughput");
        assert.ok(!without.lines.some((l) => l.item.startsWith("warm throughput")));
    });

    it("a stack's settings give the estimate its autoscaler's bounds, the account's commitment and its warm throughput", () => {
        const k = (key: string) => `kinesis-streaming:${key}`;
        const settings = (config: Record<string, string>) =>
            settingsFromConfig({ "aws:region": "us-east-1", [k("workloadRecordsPerSecond")]: "100", [k("workloadAverageRecordBytes")]: "1024", ...config }, "dev", {});
        const autoscaled = settings({
            [k("streamMode")]: "PROVISIONED",
            [k("shardCount")]: "6",
            [k("autoscalingEnabled")]: "true",
            [k("autoscalingMinShards")]: "6",
            [k("autoscalingMaxShards")]: "8",
        });
        assert.deepEqual(declaredCostOptions(autoscaled), { shardBounds: { min: 6, max: 8 }, accountHasCommitment: false });
        assert.equal(estimateCost(declaredWorkload(autoscaled)!, declaredCostOptions(autoscaled)).shards, 6);
        const advantage = settings({ [k("streamMode")]: "ON_DEMAND", [k("accountHasMinimumThroughputCommitment")]: "true", [k("warmThroughputMibps")]: "50" });
        assert.deepEqual(declaredCostOptions(advantage), { accountHasCommitment: true, warmThroughputMibps: 50 });
    });

    it("Firehose ingestion is the same line in all three modes", () => {
        const c = estimateCost(steady(1_000, { firehose: true }), { accountHasCommitment: true });
        const f = PRICES.firehose;
        const usd = cents(((1_000 * SECONDS * Math.ceil(1024 / f.ingestRoundingBytes) * f.ingestRoundingBytes) / GB) * f.perGbIngested);
        for (const m of [c.provisioned, c.onDemand, c.onDemandAdvantage]) assert.equal(m.lines.find((l) => l.item.startsWith("Firehose"))?.usd, usd, m.mode);
    });
});
