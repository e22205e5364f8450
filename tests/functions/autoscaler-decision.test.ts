import { strict as assert } from "node:assert";
import fc from "fast-check";
import { type Decision, decide, type DecisionInput, type MinuteMetrics, minuteDemand } from "../../functions/autoscaler/decision";
import { callsInWindow, type ScalingCall } from "../../functions/autoscaler/history";
import { allowedTargets, HISTORY_SAFETY_MARGIN_MS } from "../../functions/autoscaler/limits";
import { AUTOSCALER_DEFAULTS, type AutoscalerSettings, resolveSettings, settingsProblems } from "../../contracts/autoscaler-settings";

const NOW = Date.UTC(2025, 10, 3, 12, 0, 0);
const MIN = 60_000;
const MiB = 1024 * 1024;

/** `n` minutes ending just before NOW, each needing `shards` shard-equivalents of records (500 B each). */
function minutes(n: number, shards: number | ((i: number) => number), extra: Partial<MinuteMetrics> | ((i: number) => Partial<MinuteMetrics>) = {}): MinuteMetrics[] {
    return Array.from({ length: n }, (_, i) => {
        const s = typeof shards === "function" ? shards(i) : shards;
        const records = s * 60_000;
        return {
            start: NOW - (n - i) * MIN,
            incomingRecords: records,
            incomingBytes: records * 500,
            throttledRecords: 0,
            readBytes: 0,
            iteratorAgeMs: 0,
            ...(typeof extra === "function" ? extra(i) : extra),
        };
    });
}
const calls = (...minutesAgo: number[]): ScalingCall[] => minutesAgo.map((m) => ({ at: NOW - m * MIN, direction: "out" as const }));

function run(open: number, ms: MinuteMetrics[], opts: { history?: ScalingCall[]; settings?: Partial<AutoscalerSettings>; status?: string; mode?: string } = {}): Decision {
    return decide({
        now: NOW,
        stream: { status: opts.status ?? "ACTIVE", mode: opts.mode ?? "PROVISIONED", openShards: open },
        minutes: ms,
        history: opts.history ?? [],
        settings: resolveSettings(opts.settings ?? {}),
    });
}

interface Case {
    name: string;
    open: number;
    ms: MinuteMetrics[];
    opts?: Parameters<typeof run>[2];
    action: Decision["action"];
    target?: number;
    reason: RegExp;
}

const DAY = 24 * 60;
const CASES: Case[] = [
    {
        name: "an ON_DEMAND stream is left to Kinesis",
        open: 4,
        ms: minutes(60, 10),
        opts: { mode: "ON_DEMAND" },
        action: "none",
        reason: /ON_DEMAND: Kinesis manages its capacity/,
    },
    { name: "an UPDATING stream is left alone", open: 2, ms: minutes(60, 10), opts: { status: "UPDATING" }, action: "none", reason: /UPDATING: left alone/ },
    { name: "a CREATING stream is left alone", open: 2, ms: [], opts: { status: "CREATING" }, action: "none", reason: /CREATING/ },
    { name: "no metrics: no decision", open: 2, ms: [], action: "none", reason: /no metrics/ },
    {
        name: "busy: doubles at most (one call's limit)",
        open: 2,
        ms: minutes(60, 2.2),
        action: "scale-out",
        target: 4,
        reason: /2\.20 shards.*110% of 2 ≥ high water 75%: scale out 2 → 4.*capped at double/,
    },
    { name: "busy: aims at 50 % of the recent peak", open: 4, ms: minutes(60, 3.2), action: "scale-out", target: 7, reason: /scale out 4 → 7 to run .* at 46%/ },
    { name: "exactly at the high-water mark scales out", open: 4, ms: minutes(10, 3), action: "scale-out", target: 6, reason: /75% of 4 ≥ high water 75%/ },
    { name: "just below the high-water mark holds", open: 4, ms: minutes(60, 2.96), action: "none", reason: /74% of 4, below high water 75%.*not below low water/ },
    { name: "a past peak alone does not scale out (latest minute decides)", open: 4, ms: minutes(10, (i) => (i === 7 ? 3.5 : 2)), action: "none", reason: /below high water/ },
    {
        name: "the target covers the busiest minute of the window",
        open: 4,
        ms: minutes(10, (i) => (i === 7 ? 3.5 : i === 9 ? 3.1 : 2)),
        action: "scale-out",
        target: 7,
        reason: /busiest of the last 5 min \(3\.50 shards\)/,
    },
    { name: "at maxShards it cannot scale out", open: 8, ms: minutes(60, 7), opts: { settings: { maxShards: 8 } }, action: "none", reason: /at maxShards 8/ },
    { name: "scale-out capped at maxShards", open: 6, ms: minutes(60, 6), opts: { settings: { maxShards: 8 } }, action: "scale-out", target: 8, reason: /capped at maxShards 8/ },
    {
        name: "scale-out cool-down after any call",
        open: 2,
        ms: minutes(60, 1.8),
        opts: { history: calls(3) },
        action: "none",
        reason: /last call was 3 min ago \(scale-out cool-down 5 min\)/,
    },
    { name: "scale-out after the cool-down", open: 2, ms: minutes(60, 1.8), opts: { history: calls(5) }, action: "scale-out", target: 4, reason: /1 of 10 calls used/ },
    {
        name: "10 calls in 24 h: no call until the oldest frees",
        open: 2,
        ms: minutes(60, 1.8),
        opts: { history: calls(60, 120, 180, 240, 300, 360, 420, 480, 540, 600) },
        action: "none",
        reason: /10 of 10 calls used in the last 24 h: no UpdateShardCount call until 2025-11-04T02:05:00Z/,
    },
    {
        name: "a call 24 h + 6 min ago no longer counts",
        open: 2,
        ms: minutes(60, 1.8),
        opts: { history: calls(60, 120, 180, 240, 300, 360, 420, 480, 540, DAY + 6) },
        action: "scale-out",
        target: 4,
        reason: /9 of 10 calls used/,
    },
    {
        name: "a call 24 h + 2 min ago still counts (5 min safety margin)",
        open: 2,
        ms: minutes(60, 1.8),
        opts: { history: calls(60, 120, 180, 240, 300, 360, 420, 480, 540, DAY + 2) },
        action: "none",
        reason: /10 of 10/,
    },
    {
        name: "scale-out may use the reserve",
        open: 2,
        ms: minutes(60, 1.8),
        opts: { history: calls(60, 120, 180, 240, 300, 360, 420, 480, 540) },
        action: "scale-out",
        target: 4,
        reason: /9 of 10/,
    },
    {
        name: "quiet for the whole window: halves (one call's limit)",
        open: 8,
        ms: minutes(60, 1),
        action: "scale-in",
        target: 4,
        reason: /13% of 8 < low water 35% for 60 min: scale in 8 → 4 .*at most half per call/,
    },
    {
        name: "quiet: aims the window's peak at 60 %",
        open: 8,
        ms: minutes(60, (i) => (i === 30 ? 2.5 : 1.5)),
        action: "scale-in",
        target: 5,
        reason: /2\.50 shards: 31% of 8.*scale in 8 → 5 to run that peak at 50%/,
    },
    { name: "one busy minute in the window blocks scale-in", open: 8, ms: minutes(60, (i) => (i === 5 ? 3 : 1)), action: "none", reason: /not below low water/ },
    { name: "scale-in needs the whole window of metrics", open: 8, ms: minutes(30, 1), action: "none", reason: /scale-in needs 60 min of metrics and has 30/ },
    {
        name: "no scale-in while the iterator age is high",
        open: 8,
        ms: minutes(60, 1, (i) => ({ iteratorAgeMs: i === 57 ? 60_000 : 0 })),
        action: "none",
        reason: /iterator age reached 60 s.*consumers are behind/,
    },
    {
        name: "an old iterator-age peak does not block scale-in",
        open: 8,
        ms: minutes(60, 1, (i) => ({ iteratorAgeMs: i === 50 ? 600_000 : 59_999 })),
        action: "scale-in",
        target: 4,
        reason: /scale in 8 → 4/,
    },
    {
        name: "no scale-in after throttling in the window (a hot shard?)",
        open: 8,
        ms: minutes(60, 1, (i) => ({ throttledRecords: i === 10 ? 25 : 0 })),
        action: "none",
        reason: /25 records were throttled/,
    },
    { name: "scale-in cool-down", open: 8, ms: minutes(60, 1), opts: { history: calls(20) }, action: "none", reason: /scale-in cool-down 30 min/ },
    {
        name: "scale-in keeps the scale-out reserve",
        open: 8,
        ms: minutes(60, 2.7),
        opts: { history: calls(100, 200, 300, 400, 500, 600, 700) },
        action: "none",
        reason: /reserve wants room for 8x the peak after a scale-in, and 8 → 5 would leave 2 call\(s\) and 1\.9x headroom: 7\.4x/,
    },
    {
        name: "scale-in into the reserve when the headroom covers it",
        open: 44,
        ms: minutes(60, 2),
        opts: { history: calls(100, 200, 300, 400, 500, 600, 700) },
        action: "scale-in",
        target: 22,
        reason: /scale in 44 → 22/,
    },
    {
        name: "scale-in never takes the last call",
        open: 44,
        ms: minutes(60, 0.1),
        opts: { history: calls(100, 200, 300, 400, 500, 600, 700, 800, 900) },
        action: "none",
        reason: /last call of the 24 h/,
    },
    { name: "at minShards it does not scale in", open: 2, ms: minutes(60, 0.1), opts: { settings: { minShards: 2 } }, action: "none", reason: /at minShards 2/ },
    {
        name: "below minShards: up, at most double",
        open: 1,
        ms: minutes(60, 0.1),
        opts: { settings: { minShards: 4 } },
        action: "scale-out",
        target: 2,
        reason: /below minShards 4: scale out 1 → 2 \(at most double per call\)/,
    },
    {
        name: "below minShards: up to it",
        open: 3,
        ms: minutes(60, 0.1),
        opts: { settings: { minShards: 4 } },
        action: "scale-out",
        target: 4,
        reason: /below minShards 4: scale out 3 → 4/,
    },
    {
        name: "above maxShards: down, at most half",
        open: 20,
        ms: minutes(60, 1),
        opts: { settings: { maxShards: 8 } },
        action: "scale-in",
        target: 10,
        reason: /above maxShards 8: scale in 20 → 10 \(at most half per call\)/,
    },
    {
        name: "reads count: GetRecords bytes against 2 MiB/s per shard",
        open: 2,
        ms: minutes(60, 0.2, { readBytes: 2 * 2 * MiB * 60 * 0.9 }),
        action: "scale-out",
        target: 4,
        reason: /reads-bound/,
    },
    {
        name: "bytes count: 1 MiB/s per shard",
        open: 4,
        ms: minutes(60, 0.5, { incomingBytes: 3.5 * MiB * 60 }),
        action: "scale-out",
        target: 7,
        reason: /3\.50 shards \(bytes-bound\)/,
    },
    { name: "throttled records count as demand", open: 2, ms: minutes(60, 2, { throttledRecords: 60_000 }), action: "scale-out", target: 4, reason: /3\.00 shards/ },
];

describe("autoscaler decision: table of cases", () => {
    for (const c of CASES) {
        it(c.name, () => {
            const d = run(c.open, c.ms, c.opts);
            assert.equal(d.action, c.action, d.reason);
            if (c.target !== undefined) assert.equal(d.action !== "none" && d.target, c.target, d.reason);
            assert.match(d.reason, c.reason);
        });
    }

    it("minuteDemand: the tighter of bytes, records and reads; throttled records at the average size", () => {
        assert.deepEqual(minuteDemand({ start: 0, incomingBytes: 60 * MiB, incomingRecords: 30_000, throttledRecords: 0, readBytes: 0, iteratorAgeMs: 0 }), {
            shards: 1,
            bound: "bytes",
        });
        assert.deepEqual(minuteDemand({ start: 0, incomingBytes: 6_000_000, incomingRecords: 120_000, throttledRecords: 0, readBytes: 0, iteratorAgeMs: 0 }), {
            shards: 2,
            bound: "records",
        });
        assert.deepEqual(minuteDemand({ start: 0, incomingBytes: 0, incomingRecords: 0, throttledRecords: 0, readBytes: 240 * MiB, iteratorAgeMs: 0 }), {
            shards: 2,
            bound: "reads",
        });
        const d = minuteDemand({ start: 0, incomingBytes: 30 * MiB, incomingRecords: 30_000, throttledRecords: 30_000, readBytes: 0, iteratorAgeMs: 0 });
        assert.equal(d.shards, 1);
    });

    it("settings: defaults are valid; every inconsistent combination is named", () => {
        assert.deepEqual(settingsProblems({ ...AUTOSCALER_DEFAULTS }), []);
        assert.throws(() => resolveSettings({ minShards: 5, maxShards: 2 }), /minShards 5 is above maxShards 2/);
        assert.throws(() => resolveSettings({ lowWaterPercent: 70 }), /lowWaterPercent 70 < scaleInTargetPercent 60 < highWaterPercent 75 must hold/);
        assert.throws(() => resolveSettings({ scaleOutTargetPercent: 80 }), /scaleOutTargetPercent 80 must be below highWaterPercent 75/);
        assert.throws(() => resolveSettings({ scaleOutWindowMinutes: 90 }), /scaleInWindowMinutes 60 must be at least scaleOutWindowMinutes 90/);
        assert.throws(() => resolveSettings({ highWaterPercent: 1.5 }), /highWaterPercent 1.5: must be a whole number from 1 to 100/);
        assert.throws(() => resolveSettings({ scaleOutReserveCalls: 10 }), /scaleOutReserveCalls 10: must be a whole number from 0 to 9/);
    });
});

// ---- properties -------------------------------------------------------------------------------

const settingsArb: fc.Arbitrary<AutoscalerSettings> = fc
    .record({
        minShards: fc.integer({ min: 1, max: 20 }),
        span: fc.integer({ min: 0, max: 60 }),
        high: fc.integer({ min: 3, max: 100 }),
        outT: fc.integer({ min: 1, max: 99 }),
        inT: fc.integer({ min: 2, max: 99 }),
        low: fc.integer({ min: 1, max: 98 }),
        outW: fc.integer({ min: 1, max: 10 }),
        inW: fc.integer({ min: 0, max: 80 }),
        outCd: fc.integer({ min: 0, max: 30 }),
        inCd: fc.integer({ min: 0, max: 90 }),
        reserve: fc.integer({ min: 0, max: 9 }),
        age: fc.integer({ min: 0, max: 300_000 }),
    })
    .map((r) => {
        const inT = Math.min(r.inT, r.high - 1);
        return {
            minShards: r.minShards,
            maxShards: r.minShards + r.span,
            highWaterPercent: r.high,
            scaleOutTargetPercent: Math.min(r.outT, r.high - 1),
            scaleInTargetPercent: Math.max(2, inT),
            lowWaterPercent: Math.min(r.low, Math.max(2, inT) - 1),
            scaleOutWindowMinutes: r.outW,
            scaleInWindowMinutes: r.outW + r.inW,
            scaleOutCooldownMinutes: r.outCd,
            scaleInCooldownMinutes: r.inCd,
            scaleOutReserveCalls: r.reserve,
            maxIteratorAgeMsForScaleIn: r.age,
        };
    })
    .filter((s) => settingsProblems(s).length === 0);

const inputArb: fc.Arbitrary<DecisionInput> = fc
    .record({
        settings: settingsArb,
        open: fc.integer({ min: 1, max: 400 }),
        status: fc.constantFrom("ACTIVE", "ACTIVE", "ACTIVE", "UPDATING", "CREATING"),
        mode: fc.constantFrom("PROVISIONED", "PROVISIONED", "PROVISIONED", "ON_DEMAND"),
        load: fc.array(fc.record({ pct: fc.integer({ min: 0, max: 300 }), throttled: fc.constantFrom(0, 0, 0, 0, 500), age: fc.constantFrom(0, 0, 1_000, 90_000) }), {
            maxLength: 100,
        }),
        history: fc.array(fc.integer({ min: 0, max: 2 * 1_440 }), { maxLength: 16 }),
    })
    .map((r) => ({
        now: NOW,
        stream: { status: r.status, mode: r.mode, openShards: r.open },
        minutes: r.load.map((l, i) => ({
            start: NOW - (r.load.length - i) * MIN,
            incomingRecords: (l.pct / 100) * r.open * 60_000,
            incomingBytes: (l.pct / 100) * r.open * 60_000 * 700,
            throttledRecords: l.throttled,
            readBytes: 0,
            iteratorAgeMs: l.age,
        })),
        history: r.history.map((m, i) => ({ at: NOW - m * MIN, direction: i % 2 === 0 ? ("out" as const) : ("in" as const) })),
        settings: r.settings,
    }));

describe("autoscaler decision: properties (fast-check)", () => {
    it("every decision has a reason; a call is one AWS accepts, on an ACTIVE provisioned stream, under 10 calls per 24 h", () => {
        fc.assert(
            fc.property(inputArb, (input) => {
                const d = decide(input);
                assert.ok(d.reason.length > 10);
                const counted = callsInWindow(input.history, input.now).length;
                assert.equal(d.callsInLast24h, counted);
                if (d.action === "none") return;
                const c = input.stream.openShards;
                assert.equal(input.stream.status, "ACTIVE");
                assert.equal(input.stream.mode, "PROVISIONED");
                assert.ok(counted + 1 <= 10, `call number ${counted + 1} in 24 h`);
                const { lowest, highest } = allowedTargets(c);
                assert.ok(Number.isInteger(d.target) && d.target >= lowest && d.target <= highest && d.target !== c, `${c} → ${d.target}`);
                assert.equal(d.action, d.target > c ? "scale-out" : "scale-in");
            }),
            { numRuns: 3_000 },
        );
    });

    it("never leaves [minShards, maxShards] from inside it, and always moves toward it from outside", () => {
        fc.assert(
            fc.property(inputArb, (input) => {
                const d = decide(input);
                if (d.action === "none") return;
                const { minShards: lo, maxShards: hi } = input.settings;
                const c = input.stream.openShards;
                if (c >= lo && c <= hi) assert.ok(d.target >= lo && d.target <= hi, `${c} → ${d.target} outside [${lo}, ${hi}]`);
                else if (c < lo) assert.ok(d.target > c && d.target <= lo);
                else assert.ok(d.target < c && d.target >= hi);
            }),
            { numRuns: 3_000 },
        );
    });

    it("a scale-in within bounds has a full quiet window: no throttling, low iterator age, cool-down passed, a call left for scale-out", () => {
        fc.assert(
            fc.property(inputArb, (input) => {
                const d = decide(input);
                const s = input.settings;
                if (d.action !== "scale-in" || input.stream.openShards > s.maxShards) return;
                const window = input.minutes.slice(-s.scaleInWindowMinutes);
                assert.ok(input.minutes.length >= s.scaleInWindowMinutes);
                assert.equal(
                    window.reduce((n, m) => n + m.throttledRecords, 0),
                    0,
                );
                assert.ok(input.minutes.slice(-s.scaleOutWindowMinutes).every((m) => m.iteratorAgeMs < s.maxIteratorAgeMsForScaleIn));
                assert.ok(window.every((m) => (minuteDemand(m).shards / input.stream.openShards) * 100 < s.lowWaterPercent));
                const counted = callsInWindow(input.history, input.now);
                const last = counted[counted.length - 1];
                if (last) assert.ok(input.now - last.at >= s.scaleInCooldownMinutes * MIN);
                if (s.scaleOutReserveCalls > 0) assert.ok(counted.length + 1 <= 9, "a scale-in used the last call");
            }),
            { numRuns: 3_000 },
        );
    });

    it("applying its own decisions minute by minute never makes more than 10 calls in any 24 h", () => {
        fc.assert(
            fc.property(settingsArb, fc.array(fc.integer({ min: 0, max: 250 }), { minLength: 30, maxLength: 60 }), (settings, pattern) => {
                // 3 days at one decision per minute, load cycling through `pattern` (percent of 10 shards).
                const start = NOW;
                let open = Math.min(Math.max(10, settings.minShards), settings.maxShards);
                const history: ScalingCall[] = [];
                const ms: MinuteMetrics[] = [];
                for (let m = 0; m < 3 * 1_440; m++) {
                    const now = start + m * MIN;
                    const pct = pattern[m % pattern.length] as number;
                    ms.push({ start: now - MIN, incomingRecords: pct * 600, incomingBytes: pct * 600 * 100, throttledRecords: 0, readBytes: 0, iteratorAgeMs: 0 });
                    const d = decide({
                        now,
                        stream: { status: "ACTIVE", mode: "PROVISIONED", openShards: open },
                        minutes: ms.slice(-settings.scaleInWindowMinutes),
                        history,
                        settings,
                    });
                    if (d.action !== "none") {
                        history.push({ at: now, direction: d.action === "scale-out" ? "out" : "in" });
                        open = d.target;
                    }
                    assert.ok(open >= settings.minShards && open <= settings.maxShards);
                }
                const times = history.map((h) => h.at);
                for (let i = 0; i < times.length; i++) {
                    const inDay = times.filter((t) => t > (times[i] as number) - 24 * 60 * MIN - HISTORY_SAFETY_MARGIN_MS && t <= (times[i] as number)).length;
                    assert.ok(inDay <= 10, `${inDay} calls in the 24 h before call ${i}`);
                }
            }),
            { numRuns: 40 },
        );
    });
});
