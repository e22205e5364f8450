// npm run autoscaler:replay -- --metrics <file> [--shards N] [--min N] [--max N] [--json] [--chart <file.svg>]
// What would the autoscaler have done on this stream's real traffic? Replays per-minute CloudWatch
// metrics (get-metric-data JSON or a CSV) minute by minute through a model of the stream and compares
// our autoscaler with the +1/-1 step policy, the reference document's policy, static provisioning at
// the peak and on-demand, each against the oracle. Exit 0 ok, 1 unreadable metrics file, 2 usage.
import * as fs from "node:fs";
import * as path from "node:path";
import { PRICES } from "../infra/lib/cost";
import { replayChartSvg } from "./autoscaler/chart";
import { MetricsFileError, parseMetricsFile } from "./autoscaler/metrics-file";
import type { PolicyRun } from "./autoscaler/model";
import { POLICY_KEYS, type PolicyKey, replayAll, type ReplayResult, summarise } from "./autoscaler/replay";
import { resolveSettings, SettingsError } from "../functions/autoscaler/settings";
import { parseFlags, runMain, UsageError } from "./lib/cli";

const USAGE =
    "npm run autoscaler:replay -- --metrics <file> [--shards N] [--min N] [--max N] [--resharding-minutes N] [--json] [--chart <file.svg>]\n" +
    "  <file>: `aws cloudwatch get-metric-data` JSON (IncomingBytes and IncomingRecords, Sum, period 60; GetRecords.Bytes,\n" +
    "          GetRecords.IteratorAgeMilliseconds, WriteProvisionedThroughputExceeded used when present)\n" +
    "          or a CSV with the header timestamp,incomingBytes,incomingRecords (one row per minute, per-minute sums)\n" +
    "  --shards: shards at the start (default: enough for the first hour at the scale-out target)\n" +
    "  --min, --max: the autoscaler's shard bounds (default 1 and 100); --resharding-minutes: time a resharding takes (default 2)";

const TITLES: Record<PolicyKey, string> = {
    autoscaler: "Our autoscaler",
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
    for (const [unit, size] of [["TB", 1e12], ["GB", 1e9], ["MB", 1e6], ["KB", 1e3]] as const) if (x >= size) return `${num(x / size)} ${unit}`;
    return `${int(x)} B`;
}
const ratio = (value: number, oracle: number) => (oracle === 0 ? "n/a (oracle 0)" : `${num(value / oracle)}x`);
const when = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ");

function table(rows: [string, string, string][]): string[] {
    const w0 = Math.max(6, ...rows.map((r) => r[0].length));
    const w1 = Math.max(5, ...rows.map((r) => r[1].length));
    return [`  ${"figure".padEnd(w0)}  ${"value".padStart(w1)}  vs oracle`, ...rows.map(([a, b, c]) => `  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`)];
}

function report(r: ReplayResult, format: string, notes: string[], startGiven: boolean): string {
    const o = r.oracle;
    const s = r.settings;
    const p = PRICES;
    const putUnits = r.trace.records > 0 ? (r.trace.records * Math.max(1, Math.ceil(r.trace.bytes / r.trace.records / p.provisioned.putPayloadUnitBytes))) / 1e6 : 0;
    const lines = [
        `Replay of ${r.trace.name} (${format}): ${int(r.trace.minutes)} minutes, ${when(r.trace.start)} to ${when(r.trace.end)} UTC`,
        `Demand: peak ${num(r.trace.peakDemandShards)} shard-equivalents; ${int(r.trace.records)} records, ${bytes(r.trace.bytes)} written`,
        `Model: start ${r.startShards} shard(s)${startGiven ? "" : " (no --shards: enough for the first hour at the scale-out target)"}; per shard 1 MiB/s and 1,000 records/s written, 2 MiB/s read; UpdateShardCount at most 10 calls per rolling 24 h, ` +
            `half to double per call; a resharding takes ${r.reshardingDelayMinutes} min (the old count holds); a minute's metrics are seen ${r.metricsLagMinutes} min after it ends`,
        `Our autoscaler: shards ${s.minShards}-${s.maxShards}; scale out when a minute reaches ${s.highWaterPercent}%, to run the busiest of the last ${s.scaleOutWindowMinutes} min at ${s.scaleOutTargetPercent}%; ` +
            `scale in below ${s.lowWaterPercent}% for ${s.scaleInWindowMinutes} min to ${s.scaleInTargetPercent}%; cool-downs ${s.scaleOutCooldownMinutes} min (out), ${s.scaleInCooldownMinutes} min (in); ` +
            `scale-out reserve ${s.scaleOutReserveCalls} doublings`,
        `Prices (${p.region}, as of ${p.asOf}, infra/lib/prices.json): $${p.provisioned.perShardHour} per shard-hour; on-demand $${p.onDemand.perStreamHour} per stream-hour + $${p.onDemand.perGbWritten} per GB written (1 KB rounding per record)`,
        ...notes.map((n) => `Note: ${n}`),
        "",
        "Oracle: the fewest shards each minute that throttle nothing (no API limits, instant resharding)",
        `  shard-hours             ${num(o.shardHours)}`,
        `  cost USD                ${num(o.costUsd, 4)}`,
        `  shard-count changes     ${int(o.changes)} (most in any 24 h: ${o.maxChangesIn24h})`,
    ];
    for (const key of POLICY_KEYS) {
        const run: PolicyRun = r.policies[key];
        lines.push("", TITLES[key]);
        lines.push(
            ...table([
                ["shard-hours", num(run.shardHours), ratio(run.shardHours, o.shardHours)],
                ["throttled minutes", int(run.throttledMinutes), ratio(run.throttledMinutes, 0)],
                ["records throttled", int(run.throttledRecords), ratio(run.throttledRecords, 0)],
                ["bytes throttled", bytes(run.throttledBytes), ratio(run.throttledBytes, 0)],
                ["scaling calls", int(run.calls.length), ratio(run.calls.length, o.changes)],
                ["most calls in any 24 h", int(run.maxCallsIn24h), ratio(run.maxCallsIn24h, o.maxChangesIn24h)],
                ["cost USD", num(run.costUsd, 4), ratio(run.costUsd, o.costUsd)],
            ]),
        );
        if (run.refused.length > 0) {
            const kinds = new Map<string, number>();
            for (const f of run.refused) kinds.set(f.error.split(":")[0] as string, (kinds.get(f.error.split(":")[0] as string) ?? 0) + 1);
            lines.push(`  calls AWS would refuse: ${run.refused.length} (${[...kinds].map(([k, n]) => `${k} ${n}`).join(", ")})`);
        }
    }
    const od = r.policies.onDemand;
    lines.push("", "On-demand", ...table([["cost USD", num(od.costUsd, 4), ratio(od.costUsd, o.costUsd)]]));
    lines.push(`  (${num(od.streamHours)} stream-hours, ${num(od.gbWritten, 3)} GB written after 1 KB rounding; reads not charged here)`);
    lines.push(
        "",
        `Provisioned costs above are shard-hours only; PUT payload units (25 KB each, $${p.provisioned.perMillionPutPayloadUnits} per million) add about $${num(putUnits * p.provisioned.perMillionPutPayloadUnits, 4)} to every provisioned policy on this trace.`,
    );
    return lines.join("\n");
}

async function main(): Promise<number> {
    const { values, positionals } = parseFlags({
        options: {
            metrics: { type: "string" },
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
        console.log(`usage: ${USAGE}`);
        return 0;
    }
    if (positionals.length > 0) throw new UsageError(`Unexpected argument ${positionals[0]}`);
    if (values.metrics === undefined) throw new UsageError("--metrics <file> is required");
    if (values.chart !== undefined && !values.chart.toLowerCase().endsWith(".svg")) throw new UsageError(`--chart writes an SVG file: give a name ending in .svg, got "${values.chart}"`);
    const startShards = intFlag(values.shards, "--shards", 1, 10_000);
    const minShards = intFlag(values.min, "--min", 1, 10_000);
    const maxShards = intFlag(values.max, "--max", 1, 10_000);
    const delay = intFlag(values["resharding-minutes"], "--resharding-minutes", 0, 1_440);
    let settings;
    try {
        settings = resolveSettings({ minShards, maxShards });
    } catch (e) {
        if (e instanceof SettingsError) throw new UsageError(`--min ${minShards ?? "(default)"} and --max ${maxShards ?? "(default)"}: ${e.message.split("\n")[1]?.trim()}`);
        throw e;
    }

    let text: string;
    try {
        text = fs.readFileSync(values.metrics, "utf8");
    } catch (e) {
        console.error(`cannot read ${values.metrics}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        return 1;
    }
    let file;
    try {
        file = parseMetricsFile(text, path.basename(values.metrics));
    } catch (e) {
        if (e instanceof MetricsFileError) {
            console.error(e.message);
            return 1;
        }
        throw e;
    }
    const result = replayAll(file, { settings, ...(startShards !== undefined ? { startShards } : {}), ...(delay !== undefined ? { reshardingDelayMinutes: delay } : {}) });

    if (values.chart !== undefined) fs.writeFileSync(values.chart, replayChartSvg(result, `Autoscaler replay: ${file.name}`));
    if (values.json) {
        for (const n of file.notes) console.error(`note: ${n}`);
        console.log(JSON.stringify(summarise(result)));
    } else {
        console.log(report(result, file.format, file.notes, startShards !== undefined));
        if (values.chart !== undefined) console.log(`\nChart written to ${values.chart}`);
    }
    return 0;
}

runMain(main, USAGE, 2);
