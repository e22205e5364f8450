// The planning autoscaler: its forecast on known shapes, and properties (fast-check) that no decision
// ever breaks UpdateShardCount's limits or the [min, max] bounds, whatever the history.
import { strict as assert } from "node:assert";
import fc from "fast-check";
import type { MinuteMetrics } from "../../functions/autoscaler/decision";
import { countBursts, FORECAST, forecastDemand, MIN_HISTORY_MINUTES } from "../../functions/autoscaler/forecast";
import { callsInWindow, type ScalingCall } from "../../functions/autoscaler/history";
import { targetProblem, UPDATE_SHARD_COUNT } from "../../functions/autoscaler/limits";
import { decidePlanning, PLANNING } from "../../functions/autoscaler/planning";
import { resolveSettings } from "../../contracts/autoscaler-settings";
import { runPolicy, type Trace } from "../../tools/autoscaler/model";
import { planningPolicy } from "../../tools/autoscaler/policies";

const DAY = 1_440;
const WEEK = 7 * DAY;
const T0 = Date.UTC(2025, 10, 3);
const daily = (m: number, peak = 10) => 1 + (peak - 1) * ((1 - Math.cos((2 * Math.PI * ((m % DAY) - 240)) / DAY)) / 2);
const minute = (start: number, shards: number): MinuteMetrics => ({
    start,
    incomingBytes: shards * 60_000 * 100,
    incomingRecords: shards * 60_000,
    throttledRecords: 0,
    readBytes: 0,
    iteratorAgeMs: 0,
});

describe("planning autoscaler: forecast", () => {
    it("a clean daily cycle: the next day's blocks follow it, level 1, error factor 1", () => {
        const n = 9 * DAY;
        const f = forecastDemand(Array.from({ length: n }, (_, m) => daily(m)));
        assert.ok(f.usable);
        assert.equal(f.basis, "weekly");
        assert.ok(Math.abs(f.level - 1) < 1e-9 && Math.abs(f.errorFactor - 1) < 0.01);
        // Block b covers minutes n + 15b ..: its forecast is the busiest minute within 5 min of it.
        for (const b of [0, 16, 48, 95]) {
            let max = 0;
            for (let m = n + 15 * b - 5; m < n + 15 * b + 20; m++) max = Math.max(max, daily(m));
            assert.ok(Math.abs((f.blocks[b] as number) - max) < 1e-6, `block ${b}`);
        }
    });

    it("grows with the stream: today at 1.5x the weeks before gives 1.5x blocks", () => {
        const n = 9 * DAY;
        const f = forecastDemand(Array.from({ length: n }, (_, m) => daily(m) * (m >= n - 4 * 60 ? 1.5 : 1)));
        assert.ok(f.usable);
        assert.ok(Math.abs(f.level - 1.5) < 0.01, `level ${f.level}`);
    });

    it("a stream 2.2 days old: a daily forecast from its first day, the cycle's peak where it was", () => {
        const n = MIN_HISTORY_MINUTES;
        assert.ok(n < 2.3 * DAY, `${n} minutes`);
        const f = forecastDemand(Array.from({ length: n }, (_, m) => daily(m)));
        assert.ok(f.usable);
        assert.equal(f.basis, "daily");
        const peak = Math.max(...f.blocks);
        assert.ok(Math.abs(peak - 10) < 0.01, `peak ${peak}`);
        // The peak is at 16:00: the block containing minute 960 of the coming day.
        assert.equal(f.blocks.indexOf(peak), Math.floor(((((960 - (n % DAY)) % DAY) + DAY) % DAY) / 15));
        // The Lambda reads 14 days whatever the stream's age: the minutes before its first traffic are no history.
        const young = forecastDemand([...new Array(14 * DAY - n).fill(0), ...Array.from({ length: n }, (_, m) => daily(m))]);
        assert.ok(young.usable && young.basis === "daily");
        assert.deepEqual(young.blocks, f.blocks);
    });

    it("one odd evening in the reference shrinks the next hours, not tomorrow's peak: beyond 4 h the last day's level is the floor", () => {
        // 9 days of the cycle; a week before now, the 3 hours up to that minute ran at 1.6x (a campaign).
        const n = 9 * DAY + 20 * 60;
        const f = forecastDemand(Array.from({ length: n }, (_, m) => daily(m) * (m >= n - WEEK - 180 && m < n - WEEK ? 1.6 : 1)));
        assert.ok(f.usable);
        assert.ok(f.level < 0.7, `level ${f.level}`);
        assert.ok(Math.abs(f.dayLevel - 1) < 0.01, `day level ${f.dayLevel}`);
        const hold = FORECAST.levelHoldMinutes / FORECAST.blockMinutes;
        const later = Math.max(...f.blocks.subarray(hold));
        assert.ok(later >= 10 * 0.99, `tomorrow's peak ${later}`);
        // Half an hour on (past the 5 minutes of slack into the odd evening): the low level applies.
        assert.ok((f.blocks[2] as number) < daily(n + 30) * 0.7, `block 2: ${f.blocks[2]}`);
    });

    it("unusable: too little history, bursts, or a shape the past does not predict", () => {
        const short = forecastDemand(new Array(MIN_HISTORY_MINUTES - 1).fill(3));
        assert.ok(!short.usable && /h of history, the forecast needs/.test(short.reason));
        const bursty = Array.from({ length: 9 * DAY }, (_, m) => (m % 700 < 20 ? 15 : 3));
        assert.ok(countBursts(bursty, 2 * DAY, 9 * DAY) > 1);
        const b = forecastDemand(bursty);
        assert.ok(!b.usable && /bursts in the last 7 days/.test(b.reason));
    });
});

/** Histories: a daily cycle with random level, noise and a random shift, of random length. */
const historyArb = fc
    .record({
        days: fc.integer({ min: 0, max: 9 }),
        peak: fc.integer({ min: 1, max: 60 }),
        noise: fc.double({ min: 0, max: 0.5, noNaN: true }),
        seed: fc.integer(),
        flat: fc.boolean(),
    })
    .map(({ days, peak, noise, seed, flat }) => {
        let x = seed | 1;
        const rand = () => (x = Math.imul(x ^ (x >>> 13), 0x5bd1e995) >>> 0) / 2 ** 32;
        return Array.from({ length: days * DAY + 90 }, (_, m) => (flat ? peak : daily(m, peak)) * (1 + noise * (rand() - 0.5)));
    });

describe("planning autoscaler: properties (fast-check)", () => {
    it("every call is one AWS accepts, under 10 in the rolling 24 h, on an ACTIVE provisioned stream, never leaving [min, max] from inside", () => {
        fc.assert(
            fc.property(
                historyArb,
                fc.integer({ min: 1, max: 80 }),
                fc.integer({ min: 1, max: 8 }),
                fc.integer({ min: 0, max: 80 }),
                fc.array(fc.integer({ min: 0, max: 30 * 60 }), { maxLength: 12 }),
                fc.integer({ min: 0, max: 14 }),
                (demand, open, min, span, callAgesMin, offset) => {
                    const settings = resolveSettings({ minShards: min, maxShards: min + span });
                    const now = T0 + (demand.length + offset) * 60_000 + 30_000;
                    const history: ScalingCall[] = callAgesMin.map((a) => ({ at: now - a * 60_000, direction: "out" }));
                    const start = now - 30_000 - demand.length * 60_000;
                    const minutes = demand.slice(-60).map((d, i, a) => minute(start + (demand.length - a.length + i) * 60_000, d));
                    const d = decidePlanning({ now, stream: { status: "ACTIVE", mode: "PROVISIONED", openShards: open }, minutes, history, settings, longDemand: demand });
                    assert.ok(d.reason.length > 0);
                    if (d.action === "none") return;
                    assert.equal(targetProblem(open, d.target), undefined);
                    assert.ok(callsInWindow(history, now).length < UPDATE_SHARD_COUNT.callsPer24h, "a call with 10 already made");
                    if (open >= settings.minShards && open <= settings.maxShards)
                        assert.ok(d.target >= settings.minShards && d.target <= settings.maxShards, `${open} → ${d.target} outside [${settings.minShards}, ${settings.maxShards}]`);
                    else
                        assert.ok(
                            Math.abs(d.target - Math.min(settings.maxShards, Math.max(settings.minShards, open))) <
                                Math.abs(open - Math.min(settings.maxShards, Math.max(settings.minShards, open))),
                        );
                    const updating = decidePlanning({ now, stream: { status: "UPDATING", mode: "PROVISIONED", openShards: open }, minutes, history, settings, longDemand: demand });
                    assert.equal(updating.action, "none");
                },
            ),
            { numRuns: 120 },
        );
    });

    it("applied minute by minute on a replayed stream: no call AWS refuses, never more than 10 in any 24 h, always within [min, max]", () => {
        fc.assert(
            fc.property(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 1, max: 4 }), fc.double({ min: 0, max: 0.6, noNaN: true }), (peak, min, noise) => {
                // 8 days of history, then 2 days replayed with a surprise on the second.
                const total = 10 * DAY;
                const minutesOf = (m: number) => {
                    const shards = daily(m, peak) * (1 + noise * Math.sin(m * 12.9898)) * (m > 9 * DAY + 600 && m < 9 * DAY + 700 ? 2.5 : 1);
                    return { start: T0 + m * 60_000, records: shards * 60_000, bytes: shards * 60_000 * 100, readBytes: 0, iteratorAgeMs: 0 };
                };
                const all = Array.from({ length: total }, (_, m) => minutesOf(m));
                const trace: Trace = { name: "p", minutes: all.slice(8 * DAY) };
                const settings = resolveSettings({ minShards: min, maxShards: min + 2 * peak });
                const run = runPolicy(trace, planningPolicy(settings), { startShards: min, history: all.slice(0, 8 * DAY) });
                assert.deepEqual(run.refused, []);
                assert.ok(run.maxCallsIn24h <= UPDATE_SHARD_COUNT.callsPer24h);
                assert.ok(run.shards.every((c) => c >= settings.minShards && c <= settings.maxShards));
            }),
            { numRuns: 4 },
        );
    });

    it("runs fuller when its forecast missed by little: the utilisation follows the last day's worst miss, within its bounds", () => {
        const planAt = (noise: number) => {
            const n = 9 * DAY + 8 * 60;
            // Noise per quarter hour: the busiest minute of a block differs from day to day.
            const demand = Array.from({ length: n }, (_, m) => daily(m) * (1 + noise * Math.sin(Math.floor(m / 15) * 12.9898)));
            const now = T0 + n * 60_000;
            const minutes = demand.slice(-60).map((d, i) => minute(now - (60 - i) * 60_000, d));
            return decidePlanning({
                now,
                stream: { status: "ACTIVE", mode: "PROVISIONED", openShards: 4 },
                minutes,
                history: [],
                settings: resolveSettings({ maxShards: 40 }),
                longDemand: demand,
            });
        };
        const clean = planAt(0);
        assert.match(clean.reason, new RegExp(`worst miss 1\\.00x: run at ${PLANNING.maxUtilisationPercent}%`));
        const noisy = planAt(0.15);
        const util = Number(/: run at (\d+)%/.exec(noisy.reason)?.[1]);
        assert.ok(util >= PLANNING.minUtilisationPercent && util < PLANNING.maxUtilisationPercent, noisy.reason);
    });

    it("the plan keeps calls in reserve for the guard", () => {
        assert.ok(PLANNING.reserveCalls >= 1 && PLANNING.maxReserveCalls < UPDATE_SHARD_COUNT.callsPer24h);
    });
});
