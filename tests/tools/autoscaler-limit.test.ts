// The limit against brute force on tiny traces (every schedule enumerated), and as a lower bound on
// every policy that throttles nothing (fast-check).
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { maxCallsInWindow } from "../../functions/autoscaler/limits";
import { runLimit } from "../../tools/autoscaler/limit";
import { type DemandMinute, type Policy, runOracle, runPolicy, type Trace } from "../../tools/autoscaler/model";

const T0 = Date.UTC(2025, 10, 3);
const traceOf = (need: number[]): Trace => ({
    name: "tiny",
    minutes: need.map((d, i): DemandMinute => ({ start: T0 + i * 60_000, records: d * 60_000, bytes: d * 60_000 * 100, readBytes: 0, iteratorAgeMs: 0 })),
});

/** Every schedule (a count per minute, free start, half to double per change), cheapest that `ok` accepts. */
function bruteForce(need: number[], ok: (changes: number[]) => boolean): number {
    const hi = Math.max(...need);
    let best = Infinity;
    const s: number[] = [];
    const walk = (m: number, cost: number, changes: number[]) => {
        if (cost >= best) return;
        if (m === need.length) {
            if (ok(changes)) best = cost;
            return;
        }
        for (let c = need[m] as number; c <= hi; c++) {
            const prev = s[m - 1];
            if (prev !== undefined && c !== prev && (c > 2 * prev || c < Math.ceil(prev / 2))) continue;
            s[m] = c;
            walk(m + 1, cost + c, prev !== undefined && c !== prev ? [...changes, m] : changes);
        }
    };
    walk(0, 0, []);
    return best;
}

/** At most `calls` changes in each fixed window of `w` minutes starting at `offset`. */
const fixedWindows = (w: number, calls: number, offset: number) => (changes: number[]) => {
    const per = new Map<number, number>();
    for (const m of changes) per.set(Math.floor((m - offset) / w), (per.get(Math.floor((m - offset) / w)) ?? 0) + 1);
    return [...per.values()].every((n) => n <= calls);
};
/** The real rule: at most `calls` in every rolling window of `w`, changes at least `spacing` apart. */
const rolling = (w: number, calls: number, spacing: number) => (changes: number[]) =>
    maxCallsInWindow(changes, w) <= calls && changes.every((m, i) => i === 0 || m - (changes[i - 1] as number) >= spacing);

const tinyNeed = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 8 });
const window = fc.record({ w: fc.integer({ min: 2, max: 6 }), calls: fc.integer({ min: 0, max: 3 }) });

describe("autoscaler limit", () => {
    it("by hand: a ramp up and down with 2 calls per window follows demand where the calls pay most", () => {
        const need = [1, 1, 4, 4, 4, 1, 1, 1];
        // One call: stay at 4 from minute 2 on (2 + 6 x 4 = 26), or 4 until minute 5 then 2 (4x5 + 2x3 = 26): 26.
        assert.equal(runLimit(need, { windowMinutes: 8, callsPerWindow: 1, blockMinutes: 1 }).shardHours * 60, 26);
        // Two calls: 1 → 4 is double twice, not allowed in one call: 2,2 | 4,4,4 | 2,2,2 = 4 + 12 + 6 = 22.
        const two = runLimit(need, { windowMinutes: 8, callsPerWindow: 2, blockMinutes: 1 });
        assert.equal(two.shardHours * 60, 22);
        assert.deepEqual(Array.from(two.shards), [2, 2, 4, 4, 4, 2, 2, 2]);
        // No call: the peak all along.
        assert.equal(runLimit(need, { windowMinutes: 8, callsPerWindow: 0, blockMinutes: 1 }).shardHours * 60, 32);
    });

    it("exact at 1-minute blocks: equals brute force over the same relaxed problem (fixed windows, free start)", () => {
        fc.assert(
            fc.property(tinyNeed, window, (need, { w, calls }) => {
                const offsets = [...new Set([0, 1].map((i) => Math.floor((i * w) / 2)))];
                const expected = Math.max(...offsets.map((o) => bruteForce(need, fixedWindows(w, calls, o))));
                const got = runLimit(need, { windowMinutes: w, callsPerWindow: calls, blockMinutes: 1 });
                assert.equal(Math.round(got.shardHours * 60), expected);
                // The schedule it returns serves every minute and costs what it says.
                assert.ok(Array.from(got.shards).every((c, m) => c >= (need[m] as number)));
                assert.equal(
                    got.shards.reduce((n, c) => n + c, 0),
                    expected,
                );
            }),
            { numRuns: 150 },
        );
    });

    it("a lower bound on the real rule (rolling windows, calls a resharding apart) at any block length, never below the oracle", () => {
        fc.assert(
            fc.property(tinyNeed, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), (need, B, calls, delay) => {
                const w = 6 * B;
                const real = bruteForce(need, rolling(w, calls, Math.max(1, delay)));
                const bound = runLimit(need, { windowMinutes: w, callsPerWindow: calls, blockMinutes: B, reshardingDelayMinutes: delay }).shardHours * 60;
                assert.ok(bound <= real + 1e-9, `limit ${bound} above the real optimum ${real}`);
                assert.ok(bound >= need.reduce((n, x) => n + x, 0) - 1e-9, `limit ${bound} below the oracle`);
            }),
            { numRuns: 150 },
        );
    });

    it("never above a policy that throttles nothing, whatever it asks for and whenever (model with 24 h and 10 calls)", () => {
        const scripted = (asks: Map<number, number>): Policy => ({ decide: (v) => asks.get(v.minute) });
        fc.assert(
            fc.property(
                fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 5, maxLength: 90 }),
                fc.integer({ min: 1, max: 24 }),
                fc.array(fc.tuple(fc.nat(89), fc.integer({ min: 1, max: 24 })), { maxLength: 14 }),
                fc.integer({ min: 0, max: 4 }),
                (need, start, asks, delay) => {
                    const trace = traceOf(need);
                    const run = runPolicy(trace, scripted(new Map(asks)), { startShards: start, reshardingDelayMinutes: delay });
                    const limit = runLimit(runOracle(trace).shards, { reshardingDelayMinutes: delay });
                    if (run.throttledMinutes === 0) assert.ok(limit.shardHours <= run.shardHours + 1e-9, `limit ${limit.shardHours} above a policy's ${run.shardHours}`);
                    assert.ok(limit.shardHours >= runOracle(trace).shardHours - 1e-9);
                },
            ),
            { numRuns: 200 },
        );
    });

    it("a 7-day trace at one point per minute takes seconds, at 1-minute blocks for tens of shards", () => {
        const need = Array.from({ length: 7 * 1_440 }, (_, m) => Math.ceil(20 + 18 * Math.sin((2 * Math.PI * m) / 1_440)));
        const cpu = process.cpuUsage();
        const l = runLimit(need);
        const ms = process.cpuUsage(cpu).user / 1_000;
        assert.equal(l.blockMinutes, 1);
        assert.ok(ms < 5_000, `took ${ms} ms of CPU`);
        const oracle = need.reduce((n, x) => n + x, 0) / 60;
        assert.ok(l.shardHours >= oracle && l.shardHours < 1.25 * oracle, `${l.shardHours} vs oracle ${oracle}`);
        // Bigger streams get longer blocks, so the work stays bounded.
        assert.ok(runLimit(need.slice(0, 1_440).map((x) => x * 50)).blockMinutes > 1);
    });
});
