// The replay model against small traces computed by hand, and its invariants as properties.
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { maxCallsInWindow } from "../../functions/autoscaler/limits";
import { type DemandMinute, onDemandAdvantageCost, onDemandCost, oracleShards, type PolicyRun, runOracle, runPolicy, serveMinute, type Trace } from "../../tools/autoscaler/model";
import { autoscalerPolicy, referencePolicy, staticPolicy, stepPolicy } from "../../tools/autoscaler/policies";
import { replayAll, summarise } from "../../tools/autoscaler/replay";
import { AUTOSCALER_DEFAULTS, type AutoscalerSettings, resolveSettings } from "../../contracts/autoscaler-settings";
import { syntheticWeek } from "../../tools/bench/traces";
import { PRICES } from "../../infra/lib/cost";

const T0 = Date.UTC(2025, 10, 3, 0, 0, 0);
const MiB = 1024 * 1024;

/** A trace from shard-equivalents per minute: records-bound (1,000 records/s = 1 shard), 500-byte records. */
function trace(demand: number[], extra: (i: number) => Partial<DemandMinute> = () => ({})): Trace {
    return {
        name: "hand-made",
        minutes: demand.map((d, i) => ({ start: T0 + i * 60_000, records: d * 60_000, bytes: d * 60_000 * 500, readBytes: 0, iteratorAgeMs: 0, ...extra(i) })),
    };
}
const repeat = (n: number, v: number) => new Array<number>(n).fill(v);
const calls = (run: PolicyRun) => run.calls.map((c) => `${c.minute}: ${c.from}→${c.to}`);
const ours = (s: Partial<AutoscalerSettings> = {}) => autoscalerPolicy(resolveSettings(s));

describe("replay model: hand-computed traces", () => {
    it("serves a minute: throttles exactly what exceeds shards x (60 MiB, 60,000 records)", () => {
        const d: DemandMinute = { start: T0, records: 150_000, bytes: 150_000 * 100, readBytes: 0, iteratorAgeMs: 0 };
        const s = serveMinute(d, 2);
        assert.equal(s.throttled, true);
        assert.equal(s.metrics.incomingRecords, 120_000);
        assert.equal(s.throttledRecords, 30_000);
        assert.equal(s.metrics.throttledRecords, 30_000);
        assert.equal(s.throttledBytes, 3_000_000);
        const bytesBound = serveMinute({ start: T0, records: 1_000, bytes: 90 * MiB, readBytes: 0, iteratorAgeMs: 0 }, 1);
        assert.equal(bytesBound.metrics.incomingBytes, 60 * MiB);
        assert.ok(Math.abs(bytesBound.throttledRecords - 1_000 / 3) < 1e-9);
        // Reads beyond 2 MiB/s per shard throttle the minute but refuse no write.
        const reads = serveMinute({ start: T0, records: 60_000, bytes: 60_000, readBytes: 3 * 120 * MiB, iteratorAgeMs: 0 }, 2);
        assert.equal(reads.throttled, true);
        assert.equal(reads.throttledRecords, 0);
        assert.equal(reads.metrics.readBytes, 240 * MiB);
        assert.equal(oracleShards({ start: T0, records: 120_000, bytes: 0, readBytes: 0, iteratorAgeMs: 0 }), 2);
        assert.equal(oracleShards({ start: T0, records: 120_001, bytes: 0, readBytes: 0, iteratorAgeMs: 0 }), 3);
        assert.equal(oracleShards({ start: T0, records: 0, bytes: 0, readBytes: 0, iteratorAgeMs: 0 }), 1);
    });

    it("a step up: the old count serves until the resharding completes, 2 minutes after the call", () => {
        // 1.0 shard for 10 min, then 2.8. Start 2. Decision at minute 12 sees minute 10 (1 min metric lag):
        // 140 % -> wants ceil(2.8 / 0.5) = 6, one call allows 4. The call at 12 takes effect at 14.
        // Minute 17 (after the 5 min cool-down) sees 2.8 / 4 = 70 % < 75 %: no second call.
        const t = trace([...repeat(10, 1), ...repeat(20, 2.8)]);
        const run = runPolicy(t, ours(), { startShards: 2 });
        assert.deepEqual(calls(run), ["12: 2→4"]);
        assert.deepEqual(Array.from(run.shards.slice(9, 16)), [2, 2, 2, 2, 2, 4, 4]);
        assert.equal(run.throttledMinutes, 4); // minutes 10-13
        assert.equal(run.throttledRecords, 4 * (168_000 - 120_000));
        assert.equal(run.shardHours, (2 * 14 + 4 * 16) / 60);
        assert.equal(runOracle(t).shardHours, (10 * 1 + 20 * 3) / 60);
        // The step policy: +1 at 12 (sees 100 % > 80 %), again at 22 after its 10 min cool-down (93 %).
        const step = runPolicy(t, stepPolicy(1, 100), { startShards: 2 });
        assert.deepEqual(calls(step), ["12: 2→3", "22: 3→4"]);
        assert.equal(step.throttledMinutes, 4);
        // No resharding delay: the count changes in the minute of the call.
        const instant = runPolicy(t, ours(), { startShards: 2, reshardingDelayMinutes: 0 });
        assert.equal(instant.throttledMinutes, 2);
    });

    it("a spike shorter than a resharding: the call lands after it, nothing helps", () => {
        // One minute at 5.0 (minute 20). The decision at 22 sees it and doubles 2 -> 4 (effective 24).
        const t = trace([...repeat(20, 1), 5, ...repeat(19, 1)]);
        const run = runPolicy(t, ours(), { startShards: 2 });
        assert.deepEqual(calls(run), ["22: 2→4"]);
        assert.equal(run.throttledMinutes, 1);
        assert.equal(run.throttledRecords, 5 * 60_000 - 2 * 60_000);
        assert.equal(run.shardHours, (2 * 24 + 4 * 16) / 60);
        // The reference (every 5 min, hour average) does not even notice; the static peak never throttles.
        assert.deepEqual(calls(runPolicy(t, referencePolicy(), { startShards: 2 })), []);
        const st = runPolicy(t, staticPolicy(), { startShards: 5 });
        assert.equal(st.throttledMinutes, 0);
        assert.equal(st.shardHours, (5 * 40) / 60);
    });

    it("a slow ramp: two scale-outs ahead of the demand, nothing throttled", () => {
        // +0.6 every 30 min: 1.0, 1.6, 2.2, 2.8, 3.4, 4.0. Minute 32 sees 1.6 / 2 = 80 %: 2 -> ceil(3.2) = 4.
        // Minute 122 sees 3.4 / 4 = 85 %: 4 -> ceil(6.8) = 7.
        const t = trace([1, 1.6, 2.2, 2.8, 3.4, 4].flatMap((d) => repeat(30, d)));
        const run = runPolicy(t, ours(), { startShards: 2 });
        assert.deepEqual(calls(run), ["32: 2→4", "122: 4→7"]);
        assert.equal(run.throttledMinutes, 0);
        assert.equal(run.shardHours, (2 * 34 + 4 * 90 + 7 * 56) / 60);
        assert.equal(runOracle(t).shardHours, (30 * (1 + 2 + 3 + 3 + 4 + 4)) / 60);
    });

    it("a quiet night: scale-in after 60 quiet minutes, halving per call, 30 min apart; never with consumers behind", () => {
        // 2.0 for an hour, then 0.3. Minute 121 is the first to see 60 quiet minutes (60-119): 4 -> 2
        // (at most half). Minute 151 (30 min cool-down): 0.3 / 2 = 15 % -> 1.
        const t = trace([...repeat(60, 2), ...repeat(240, 0.3)]);
        const run = runPolicy(t, ours(), { startShards: 4 });
        assert.deepEqual(calls(run), ["121: 4→2", "151: 2→1"]);
        assert.equal(run.shardHours, (4 * 123 + 2 * 30 + 1 * 147) / 60);
        assert.equal(run.throttledMinutes, 0);
        // With the consumer two minutes behind all night: no scale-in at all.
        const lagging = trace([...repeat(60, 2), ...repeat(240, 0.3)], () => ({ iteratorAgeMs: 120_000 }));
        assert.deepEqual(calls(runPolicy(lagging, ours(), { startShards: 4 })), []);
        // The step policy steps down every 10 min once three 5-minute averages are below 40 % of 4 (1.6):
        // a block with k busy minutes averages (2k + 0.3 (5 - k)) / 5, below 1.6 for k <= 3. Minute 73
        // sees minutes 57-71: blocks 57-61 (3 busy), 62-66, 67-71.
        assert.deepEqual(calls(runPolicy(t, stepPolicy(1, 100), { startShards: 4 })), ["73: 4→3", "83: 3→2", "93: 2→1"]);
        // The reference never scales in.
        assert.deepEqual(calls(runPolicy(t, referencePolicy(), { startShards: 4 })), []);
    });

    it("the reference policy: +50 % every 5 minutes while the hour's average is above 80 %; AWS refuses it while UPDATING", () => {
        // 3.6 shards' worth on 4 shards (90 %). Minute 5 sees minutes 0-3 at 90 %: 4 -> 6, taking 6 min.
        // Minute 10: still UPDATING, the old 4 shards still at 90 %: it calls again and AWS refuses.
        // Minute 15: 3.6 on 6 shards is 60 %: nothing.
        const t = trace(repeat(40, 3.6));
        const run = runPolicy(t, referencePolicy(), { startShards: 4, reshardingDelayMinutes: 6 });
        assert.deepEqual(calls(run), ["5: 4→6"]);
        assert.deepEqual(run.refused, [{ minute: 10, from: 4, to: 6, error: "ResourceInUseException: the stream is UPDATING" }]);
    });

    it("on-demand: stream-hours plus GB written with each record rounded up to 1 KB", () => {
        const t = trace(repeat(60, 1)); // 60,000 records/min of 500 B -> 1 KB each
        const od = onDemandCost(t);
        assert.equal(od.streamHours, 1);
        assert.equal(od.gbWritten, (60 * 60_000 * 1024) / 1e9);
        assert.ok(Math.abs(od.costUsd - (0.04 + ((60 * 60_000 * 1024) / 1e9) * 0.08)) < 1e-9);
    });

    it("on-demand reads and On-demand Advantage: the same traffic at Advantage rates, each hour at least the account's minimum", () => {
        // Hour 1: 1,000 records/s of 500 B (billed 1 KB each), read once: below the minimum both ways.
        // Then 30 minutes of 30,000 records/s, not read: above the write minimum, the read minimum unused.
        const t = trace([...repeat(60, 1), ...repeat(30, 30)], (i) => ({ readBytes: i < 60 ? 60_000 * 500 : 0 }));
        const a = PRICES.onDemandAdvantage;
        const o = PRICES.onDemand;
        const w1 = (60 * 60_000 * 1024) / 1e9;
        const w2 = (30 * 30 * 60_000 * 1024) / 1e9;
        const r1 = (60 * 60_000 * 500) / 1e9;
        const minimum = (mibps: number, hours: number) => (mibps * MiB * hours * 3600) / 1e9;
        assert.ok(w2 > minimum(a.commitment.minimumWriteMibps, 0.5), "the second half-hour writes above the minimum");
        const shortfall =
            (minimum(a.commitment.minimumWriteMibps, 1) - w1) * a.perGbWritten +
            (minimum(a.commitment.minimumReadMibps, 1) - r1) * a.perGbRead +
            minimum(a.commitment.minimumReadMibps, 0.5) * a.perGbRead;
        const usage = (w1 + w2) * a.perGbWritten + r1 * a.perGbRead;
        const adv = onDemandAdvantageCost(t);
        const close = (x: number, y: number) => assert.ok(Math.abs(x - y) < 1e-9, `${x} vs ${y}`);
        close(adv.usageUsd, usage);
        close(adv.shortfallUsd, shortfall);
        close(adv.costUsd, usage + shortfall);
        // No stream-hours in Advantage; standard charges them and the same GB at its own rates.
        const od = onDemandCost(t);
        close(od.gbRead, r1);
        close(od.costUsd, 1.5 * o.perStreamHour + (w1 + w2) * o.perGbWritten + r1 * o.perGbRead);
        // A replay names the cheapest of the three for the trace.
        const r = replayAll(t, { settings: resolveSettings(), startShards: 1 });
        const costs = { PROVISIONED: r.policies.autoscaler.costUsd, ON_DEMAND: r.policies.onDemand.costUsd, ON_DEMAND_ADVANTAGE: r.policies.onDemandAdvantage.costUsd };
        assert.equal(r.recommendation.costUsd, Math.min(...Object.values(costs)));
        assert.equal(costs[r.recommendation.mode], r.recommendation.costUsd);
    });

    it("replayAll summarises exactly the documented JSON fields", () => {
        const r = replayAll(trace([...repeat(10, 1), ...repeat(20, 2.8)]), { settings: resolveSettings(), startShards: 2 });
        const s = summarise(r);
        assert.deepEqual(Object.keys(s), ["oracle", "limit", "policies", "recommendation"]);
        assert.deepEqual(Object.keys(s.oracle), ["shardHours", "costUsd"]);
        assert.deepEqual(Object.keys(s.limit), ["shardHours", "costUsd"]);
        assert.deepEqual(Object.keys(s.policies), ["autoscaler", "reactive", "step", "reference", "staticPeak", "onDemand", "onDemandAdvantage"]);
        for (const k of ["autoscaler", "reactive", "step", "reference", "staticPeak"] as const)
            assert.deepEqual(Object.keys(s.policies[k]), ["shardHours", "throttledMinutes", "scalingCalls", "maxCallsIn24h", "costUsd"]);
        assert.deepEqual(Object.keys(s.policies.onDemand), ["costUsd"]);
        assert.deepEqual(Object.keys(s.policies.onDemandAdvantage), ["costUsd", "usageUsd", "shortfallUsd"]);
        assert.deepEqual(Object.keys(s.recommendation), ["mode", "costUsd"]);
        assert.equal(s.policies.autoscaler.shardHours, Math.round(((2 * 14 + 4 * 16) / 60) * 1000) / 1000);
        assert.equal(s.policies.staticPeak.throttledMinutes, 0);
        assert.equal(s.policies.staticPeak.shardHours, 1.5); // 3 shards x 30 min
    });

    it("the built-in synthetic week is deterministic per seed", () => {
        const a = syntheticWeek({ seed: 3, days: 2 });
        const b = syntheticWeek({ seed: 3, days: 2 });
        assert.equal(a.minutes.length, 2 * 1_440);
        assert.deepEqual(a.minutes.slice(0, 100), b.minutes.slice(0, 100));
        assert.deepEqual(a.events, b.events);
        assert.notDeepEqual(syntheticWeek({ seed: 4, days: 2 }).minutes.slice(0, 100), a.minutes.slice(0, 100));
    });
});

// ---- properties -------------------------------------------------------------------------------

/** Random traces: a random walk in shard-equivalents with occasional 5x spikes and quiet stretches. */
const traceArb: fc.Arbitrary<Trace> = fc
    .record({
        steps: fc.array(fc.record({ minutes: fc.integer({ min: 1, max: 240 }), level: fc.double({ min: 0, max: 30, noNaN: true }), spike: fc.boolean() }), {
            minLength: 1,
            maxLength: 20,
        }),
        bytesPerRecord: fc.integer({ min: 50, max: 3_000 }),
    })
    .map(({ steps, bytesPerRecord }) => {
        const demand = steps.flatMap((s) => repeat(s.minutes, s.level * (s.spike ? 5 : 1)));
        return {
            name: "random",
            minutes: demand.map((d, i) => ({
                start: T0 + i * 60_000,
                records: (d * 60_000 * 1_000) / Math.max(bytesPerRecord, 1_049),
                bytes: (d * 60_000 * 1_000 * bytesPerRecord) / Math.max(bytesPerRecord, 1_049),
                readBytes: 0,
                iteratorAgeMs: 0,
            })),
        };
    });

describe("replay model: properties (fast-check)", () => {
    const opts = fc.record({
        start: fc.integer({ min: 1, max: 80 }),
        delay: fc.integer({ min: 0, max: 5 }),
        lag: fc.integer({ min: 0, max: 3 }),
        min: fc.integer({ min: 1, max: 8 }),
        span: fc.integer({ min: 0, max: 80 }),
    });

    it("no policy ever gets a call past the model: at most 10 per rolling 24 h, half to double, none while UPDATING", () => {
        fc.assert(
            fc.property(traceArb, opts, (t, o) => {
                const settings = resolveSettings({ minShards: o.min, maxShards: o.min + o.span });
                const model = { startShards: o.start, reshardingDelayMinutes: o.delay, metricsLagMinutes: o.lag };
                for (const policy of [autoscalerPolicy(settings), stepPolicy(settings.minShards, settings.maxShards), referencePolicy()]) {
                    const run = runPolicy(t, policy, model);
                    assert.ok(
                        maxCallsInWindow(
                            run.calls.map((c) => c.minute),
                            1_440,
                        ) <= 10,
                    );
                    assert.equal(
                        run.maxCallsIn24h,
                        maxCallsInWindow(
                            run.calls.map((c) => c.minute),
                            1_440,
                        ),
                    );
                    run.calls.forEach((c, i) => {
                        assert.ok(c.to >= Math.ceil(c.from / 2) && c.to <= 2 * c.from && c.to !== c.from && c.to <= 10_000, `${c.from} → ${c.to}`);
                        const prev = run.calls[i - 1];
                        if (prev) assert.ok(c.minute >= prev.minute + o.delay, "a call while UPDATING");
                        if (c.minute + o.delay < t.minutes.length) assert.equal(run.shards[c.minute + o.delay], c.to, "the new count serves from the call + the resharding delay");
                    });
                }
            }),
            { numRuns: 100 },
        );
    });

    it("our autoscaler never asks for a call AWS would refuse, and stays within [min, max] from a start inside it", () => {
        fc.assert(
            fc.property(traceArb, opts, (t, o) => {
                const settings = resolveSettings({ minShards: o.min, maxShards: o.min + o.span });
                const start = Math.min(Math.max(o.start, settings.minShards), settings.maxShards);
                const run = runPolicy(t, autoscalerPolicy(settings), { startShards: start, reshardingDelayMinutes: o.delay, metricsLagMinutes: o.lag });
                assert.deepEqual(run.refused, []);
                assert.ok(run.shards.every((s) => s >= settings.minShards && s <= settings.maxShards));
            }),
            { numRuns: 100 },
        );
    });

    it("the oracle is never above a policy in any minute it serves without throttling, so never above a policy that throttles nothing", () => {
        fc.assert(
            fc.property(traceArb, opts, (t, o) => {
                const settings = resolveSettings({ minShards: o.min, maxShards: o.min + o.span });
                const oracle = runOracle(t);
                const r = replayAll(t, { settings, startShards: o.start, reshardingDelayMinutes: o.delay, metricsLagMinutes: o.lag });
                for (const run of [r.policies.autoscaler, r.policies.step, r.policies.reference, r.policies.staticPeak]) {
                    let throttled = 0;
                    for (let m = 0; m < t.minutes.length; m++) {
                        const short = (run.shards[m] as number) < (oracle.shards[m] as number);
                        if (short) throttled++;
                    }
                    assert.equal(throttled, run.throttledMinutes, "a minute is throttled exactly when the policy has fewer shards than the oracle");
                    if (run.throttledMinutes === 0) assert.ok(oracle.shardHours <= run.shardHours + 1e-9);
                }
                assert.equal(r.policies.staticPeak.throttledMinutes, 0);
                assert.ok(oracle.shardHours <= r.policies.staticPeak.shardHours + 1e-9);
            }),
            { numRuns: 100 },
        );
    });

    it("a policy that throttles can use fewer shard-hours than the oracle: shard-hours are read next to throttled minutes", () => {
        const t = trace(repeat(60, 4));
        const run = runPolicy(t, staticPolicy(), { startShards: 1 });
        assert.ok(run.shardHours < runOracle(t).shardHours);
        assert.equal(run.throttledMinutes, 60);
    });

    it("default settings: the defaults the Lambda uses are the ones replayed", () => {
        const r = replayAll(trace(repeat(5, 1)), { settings: resolveSettings() });
        assert.deepEqual(r.settings, { ...AUTOSCALER_DEFAULTS });
    });
});
