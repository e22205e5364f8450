// npm run autoscaler:replay -- --metrics <file> [--stack <name>] [--shards N] [--min N] [--max N] [--json] [--chart <file.svg>]
// What would the autoscaler have done on this stream's real traffic? Replays per-minute CloudWatch
// metrics (get-metric-data JSON or a CSV) minute by minute through a model of the stream and compares
// our autoscaler with the +1/-1 step policy, the reference document's policy, static provisioning at
// the peak, on-demand standard and On-demand Advantage, each against the oracle and the limit (the best any
// policy can do under the API limits), and names the cheapest mode. Exit 0 ok, 1 unreadable metrics file, 2 usage.
import * as fs from "node:fs";
import * as path from "node:path";
import { PRICES } from "../infra/lib/cost";
import { replayChartSvg } from "./autoscaler/chart";
import { MetricsFileError, parseMetricsFile } from "./autoscaler/metrics-file";
import type { PolicyRun } from "./autoscaler/model";
import { POLICY_KEYS, type PolicyKey, replayAll, type ReplayResult, summarise } from "./autoscaler/replay";
import { resolveSettings, SettingsError } from "../contracts/autoscaler-settings";
import { type Io, PROCESS_IO, parseFlags, runMain, UsageError } from "./lib/cli";

export const USAGE =
    "npm run autoscaler:replay -- --metrics <file> [--stack <name>] [--shards N] [--min N] [--max N] [--resharding-minutes N] [--json] [--chart <file.svg>]\n" +
    "  <file>: `aws cloudwatch get-metric-data` JSON (IncomingBytes and IncomingRecords, Sum, period 60; GetRecords.Bytes,\n" +
    "          GetRecords.IteratorAgeMilliseconds, WriteProvisionedThroughputExceeded used when present)\n" +
    "          or a CSV with the header timestamp,incomingBytes,incomingRecords (one row per minute, per-minute sums)\n" +
    "  --stack: read shardCount (the start), autoscalingMinShards and autoscalingMaxShards from Pulumi.<name>.yaml (Pulumi.yaml defaults)\n" +
    "  --shards: shards at the start (default: the stack's shardCount, else enough for the first hour at the scale-out target)\n" +
    "  --min, --max: the autoscaler's shard bounds (default: the stack's, else 1 and 100); --resharding-minutes: time a resharding takes (default 2)";

const TITLES: Record<PolicyKey, string> = {
    autoscaler: "Our autoscaler (planning, the default)",
    reactive: "Our reactive autoscaler (autoscalingPolicy: reactive)",
    step: "+1/-1 step policy (AWS Application Auto Scaling sample)",
    reference: "Reference document's policy (+50 % at 80 %, never scales in)",
    staticPeak: "Static provisioning at the trace's peak",
};

function intFlag(value: string | undefined, flag: string, lo: number, hi: number): number | undefined {
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || Number(value) < lo || Number(value) > hi) throw new UsageError(`${flag} must be a whole number from ${lo} to ${hi}, got "${value}"`);
    return Number(value);
}

const num = (x: number, digits = 2) => x.toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const int = (x: number) => Math.round(x).toLocaleString("en");
function bytes(x: number): string {
    for (const [unit, size] of [
        ["TB", 1e12],
        ["GB", 1e9],
        ["MB", 1e6],
        ["KB", 1e3],
    ] as const)
        if (x >= size) return `${num(x / size)} ${unit}`;
    return `${int(x)} B`;
}
const ratio = (value: number, base: number, name = "oracle") => (base === 0 ? `n/a (${name} 0)` : `${num(value / base)}x`);
const when = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ");

function table(rows: [string, string, string, string?][]): string[] {
    const w0 = Math.max(6, ...rows.map((r) => r[0].length));
    const w1 = Math.max(5, ...rows.map((r) => r[1].length));
    const w2 = Math.max(9, ...rows.map((r) => r[2].length));
    return [
        `  ${"figure".padEnd(w0)}  ${"value".padStart(w1)}  ${"vs oracle".padEnd(w2)}  vs limit`,
        ...rows.map(([a, b, c, d]) => `  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${c.padEnd(w2)}  ${d ?? ""}`.trimEnd()),
    ];
}

function report(r: ReplayResult, format: string, notes: string[], startGiven: boolean): string {
    const o = r.oracle;
    const s = r.settings;
    const p = PRICES;
    const a = p.onDemandAdvantage;
    const l = r.limit;
    const lines = [
        `Replay of ${r.trace.name} (${format}): ${int(r.trace.minutes)} minutes, ${when(r.trace.start)} to ${when(r.trace.end)} UTC`,
        `Demand: peak ${num(r.trace.peakDemandShards)} shard-equivalents; ${int(r.trace.records)} records, ${bytes(r.trace.bytes)} written`,
        `Model: start ${r.startShards} shard(s)${startGiven ? "" : " (no --shards or stack shardCount: enough for the first hour at the scale-out target)"}; per shard 1 MiB/s and 1,000 records/s written, 2 MiB/s read; UpdateShardCount at most 10 calls per rolling 24 h, ` +
            `half to double per call; a resharding takes ${r.reshardingDelayMinutes} min (the old count holds); a minute's metrics are seen ${r.metricsLagMinutes} min after it ends`,
        `Our autoscaler: shards ${s.minShards}-${s.maxShards}; scale out when a minute reaches ${s.highWaterPercent}%, to run the busiest of the last ${s.scaleOutWindowMinutes} min at ${s.scaleOutTargetPercent}%; ` +
            `scale in below ${s.lowWaterPercent}% for ${s.scaleInWindowMinutes} min to ${s.scaleInTargetPercent}%; cool-downs ${s.scaleOutCooldownMinutes} min (out), ${s.scaleInCooldownMinutes} min (in); ` +
            `scale-out reserve ${s.scaleOutReserveCalls} doublings`,
        `Prices (${p.region}, as of ${p.asOf}, contracts/prices.json): $${p.provisioned.perShardHour} per shard-hour + $${p.provisioned.perMillionPutPayloadUnits} per million PUT payload units ` +
            `(25 KB, rounded up per record; each minute's records taken at its average size); on-demand $${p.onDemand.perStreamHour} per stream-hour + $${p.onDemand.perGbWritten} per GB written (1 KB rounding per record) ` +
            `+ $${p.onDemand.perGbRead} per GB read; On-demand Advantage (as of ${a.asOf}) $${a.perGbWritten} per GB written + $${a.perGbRead} per GB read, no stream-hours, ` +
            `at least ${a.commitment.minimumWriteMibps} MiB/s written and ${a.commitment.minimumReadMibps} MiB/s read each hour (account-wide)`,
        ...notes.map((n) => `Note: ${n}`),
        "",
        "Oracle: the fewest shards each minute that throttle nothing (no API limits, instant resharding)",
        `  shard-hours             ${num(o.shardHours)}`,
        `  cost USD                ${num(o.costUsd, 4)}`,
        `  shard-count changes     ${int(o.changes)} (most in any 24 h: ${o.maxChangesIn24h})`,
        "",
        "Limit: the fewest shard-hours of any schedule that throttles no minute with at most 10 calls per 24 h, half to double each,",
        `  knowing the demand (a lower bound: 24 h windows fixed at offset ${l.windowOffsetMinutes} min, free start, ${l.blockMinutes}-minute blocks; see README)`,
        `  shard-hours             ${num(l.shardHours)} (${ratio(l.shardHours, o.shardHours)} oracle)`,
        `  cost USD                ${num(l.costUsd, 4)}`,
    ];
    for (const key of POLICY_KEYS) {
        const run: PolicyRun = r.policies[key];
        lines.push("", TITLES[key]);
        lines.push(
            ...table([
                ["shard-hours", num(run.shardHours), ratio(run.shardHours, o.shardHours), ratio(run.shardHours, l.shardHours, "limit")],
                ["throttled minutes", int(run.throttledMinutes), ratio(run.throttledMinutes, 0)],
                ["records throttled", int(run.throttledRecords), ratio(run.throttledRecords, 0)],
                ["bytes throttled", bytes(run.throttledBytes), ratio(run.throttledBytes, 0)],
                ["scaling calls", int(run.calls.length), ratio(run.calls.length, o.changes)],
                ["most calls in any 24 h", int(run.maxCallsIn24h), ratio(run.maxCallsIn24h, o.maxChangesIn24h)],
                ["cost USD", num(run.costUsd, 4), ratio(run.costUsd, o.costUsd), ratio(run.costUsd, l.costUsd, "limit")],
            ]),
        );
        if (run.refused.length > 0) {
            const kinds = new Map<string, number>();
            for (const f of run.refused) kinds.set(f.error.split(":")[0] as string, (kinds.get(f.error.split(":")[0] as string) ?? 0) + 1);
            lines.push(`  calls AWS would refuse: ${run.refused.length} (${[...kinds].map(([k, n]) => `${k} ${n}`).join(", ")})`);
        }
    }
    const od = r.policies.onDemand;
    const reads = (gb: number) => (gb > 0 ? `${num(gb, 3)} GB read by shared consumers` : "no reads in the metrics (GetRecords.Bytes)");
    lines.push("", "On-demand", ...table([["cost USD", num(od.costUsd, 4), ratio(od.costUsd, o.costUsd), ratio(od.costUsd, l.costUsd, "limit")]]));
    lines.push(`  (${num(od.streamHours)} stream-hours, ${num(od.gbWritten, 3)} GB written after 1 KB rounding, ${reads(od.gbRead)}; EFO reads not in the metrics)`);
    const adv = r.policies.onDemandAdvantage;
    lines.push(
        "",
        "On-demand Advantage (needs the account's minimum throughput billing commitment)",
        ...table([
            ["cost USD", num(adv.costUsd, 4), ratio(adv.costUsd, o.costUsd), ratio(adv.costUsd, l.costUsd, "limit")],
            ["of which shortfall USD", num(adv.shortfallUsd, 4), ""],
        ]),
    );
    lines.push(
        `  (the hours below the account minimum pay for it, as if this stream were the account's only on-demand traffic; when the account's other on-demand streams reach it, this stream's share is $${num(adv.usageUsd, 4)})`,
    );
    const rec = r.recommendation;
    const names = {
        PROVISIONED: "provisioned with our autoscaler",
        ON_DEMAND: "on-demand (standard)",
        ON_DEMAND_ADVANTAGE: "On-demand Advantage (needs the account's commitment)",
    };
    lines.push("", `Cheapest mode for this trace: ${names[rec.mode]}, ${num(rec.costUsd, 4)} USD`);
    return lines.join("\n");
}

/** shardCount, autoscalingMinShards and autoscalingMaxShards of a stack (over Pulumi.yaml's defaults). */
async function stackBounds(stack: string): Promise<{ shardCount?: number; minShards?: number; maxShards?: number }> {
    // Loaded only with --stack: the stack reader brings the Pulumi SDK with it.
    const { readStackConfig, StackFileError } = await import("./lib/synth.js");
    let config: Record<string, string>;
    try {
        config = readStackConfig(stack);
    } catch (e) {
        if (e instanceof StackFileError) throw new UsageError(`--stack ${stack}: ${e.message}`);
        throw e;
    }
    const read = (key: string, lo: number): number | undefined => {
        const raw = config[`kinesis-streaming:${key}`];
        if (raw === undefined) return undefined;
        if (!/^\d+$/.test(raw) || Number(raw) > 10_000) throw new UsageError(`--stack ${stack}: ${key} is "${raw}"; a whole number from ${lo} to 10000 expected`);
        return Number(raw) >= lo ? Number(raw) : undefined;
    };
    // shardCount 0 means "not set" (an on-demand stack): the replay then picks its own start.
    return { shardCount: read("shardCount", 1), minShards: read("autoscalingMinShards", 1), maxShards: read("autoscalingMaxShards", 1) };
}

/** A note when the trace's busiest minute needs more shards than the autoscaler may open. */
function peakBeyondMax(r: ReplayResult): string | undefined {
    let at = 0;
    for (let m = 1; m < r.oracle.shards.length; m++) if ((r.oracle.shards[m] as number) > (r.oracle.shards[at] as number)) at = m;
    const need = r.oracle.shards[at] as number;
    if (need <= r.settings.maxShards) return undefined;
    return `the trace's peak at ${when(r.trace.start + at * 60_000)} UTC needs ${need} shards, above --max ${r.settings.maxShards}: every policy bounded by it throttles there`;
}

/**
 * The command on `argv`, writing to `io`; resolves with its exit code, throws UsageError for a usage
 * mistake. `replay` is replayAll (a test passes one that reuses a replay it has already computed).
 */
export async function replayMain(argv: string[], io: Io, replay: typeof replayAll = replayAll): Promise<number> {
    const { values, positionals } = parseFlags({
        args: argv,
        options: {
            metrics: { type: "string" },
            stack: { type: "string" },
            shards: { type: "string" },
            min: { type: "string" },
            max: { type: "string" },
            "resharding-minutes": { type: "string" },
            json: { type: "boolean", default: false },
            chart: { type: "string" },
            help: { type: "boolean", default: false },
        },
        allowPositionals: true,
    });
    if (values.help) {
        io.out(`usage: ${USAGE}`);
        return 0;
    }
    if (positionals.length > 0) throw new UsageError(`Unexpected argument ${positionals[0]}`);
    if (values.metrics === undefined) throw new UsageError("--metrics <file> is required");
    if (values.chart !== undefined && !values.chart.toLowerCase().endsWith(".svg"))
        throw new UsageError(`--chart writes an SVG file: give a name ending in .svg, got "${values.chart}"`);
    const stack = values.stack === undefined ? {} : await stackBounds(values.stack);
    const startShards = intFlag(values.shards, "--shards", 1, 10_000) ?? stack.shardCount;
    const minShards = intFlag(values.min, "--min", 1, 10_000) ?? stack.minShards;
    const maxShards = intFlag(values.max, "--max", 1, 10_000) ?? stack.maxShards;
    const delay = intFlag(values["resharding-minutes"], "--resharding-minutes", 0, 1_440);
    let settings: ReturnType<typeof resolveSettings>;
    try {
        settings = resolveSettings({ minShards, maxShards });
    } catch (e) {
        if (e instanceof SettingsError) throw new UsageError(`--min ${minShards ?? "(default)"} and --max ${maxShards ?? "(default)"}: ${e.message.split("\n")[1]?.trim()}`);
        throw e;
    }
    // The autoscaler keeps the shard count within [min, max]; a start outside it is a replay no stream runs.
    if (startShards !== undefined && (startShards < settings.minShards || startShards > settings.maxShards)) {
        throw new UsageError(`--shards ${startShards} is outside --min ${settings.minShards} and --max ${settings.maxShards}: start within the bounds the autoscaler keeps`);
    }

    let text: string;
    try {
        text = fs.readFileSync(values.metrics, "utf8");
    } catch (e) {
        io.err(`cannot read ${values.metrics}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        return 1;
    }
    let file: ReturnType<typeof parseMetricsFile>;
    try {
        file = parseMetricsFile(text, path.basename(values.metrics));
    } catch (e) {
        if (e instanceof MetricsFileError) {
            io.err(e.message);
            return 1;
        }
        throw e;
    }
    const result = replay(file, { settings, ...(startShards !== undefined ? { startShards } : {}), ...(delay !== undefined ? { reshardingDelayMinutes: delay } : {}) });
    const peak = peakBeyondMax(result);
    if (peak !== undefined) file.notes.push(peak);

    if (values.json) {
        for (const n of file.notes) io.err(`note: ${n}`);
        io.out(JSON.stringify(summarise(result)));
    } else {
        io.out(report(result, file.format, file.notes, startShards !== undefined));
    }
    if (values.chart === undefined) return 0;
    // The report is printed first: an unwritable chart path costs the chart, not the replay.
    try {
        fs.writeFileSync(values.chart, replayChartSvg(result, `Autoscaler replay: ${file.name}`));
    } catch (e) {
        io.err(`cannot write the chart to ${values.chart}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        return 2;
    }
    if (!values.json) io.out(`\nChart written to ${values.chart}`);
    return 0;
}

if (require.main === module) runMain(() => replayMain(process.argv.slice(2), PROCESS_IO), USAGE, 2);
