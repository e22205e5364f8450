// Reads a stream's per-minute metrics for a replay, from either
// - the JSON `aws cloudwatch get-metric-data` prints (MetricDataResults with IncomingBytes and
//   IncomingRecords, Sum, period 60; GetRecords.Bytes, GetRecords.IteratorAgeMilliseconds and
//   WriteProvisionedThroughputExceeded used when present), or
// - a CSV with the header `timestamp,incomingBytes,incomingRecords`, one row per minute.
// Every problem is an error naming the line or the series: gaps, unsorted rows, duplicates,
// negative or non-numeric values. Nothing is filled in or guessed.
import type { DemandMinute, Trace } from "./model";

export class MetricsFileError extends Error {}

export interface MetricsFile extends Trace {
    format: "csv" | "get-metric-data";
    /** Series read from a get-metric-data file, by metric. */
    series: string[];
    /** Things the reader did not use, to print as notes (never silently dropped). */
    notes: string[];
}

const CSV_HEADER = ["timestamp", "incomingBytes", "incomingRecords"];
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Epoch ms of an ISO 8601 time with an explicit zone, or a reason it is not one. */
export function parseIsoTime(text: string): number | string {
    const m = ISO.exec(text);
    if (!m) return "is not an ISO 8601 time with a time zone (e.g. 2025-11-03T10:05:00Z)";
    const [, y, mo, d, h, mi, s, frac, zone] = m as unknown as string[];
    const fields = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0)] as const;
    const utc = Date.UTC(...fields);
    const back = new Date(utc);
    if (
        back.getUTCFullYear() !== fields[0] ||
        back.getUTCMonth() !== fields[1] ||
        back.getUTCDate() !== fields[2] ||
        back.getUTCHours() !== fields[3] ||
        back.getUTCMinutes() !== fields[4] ||
        back.getUTCSeconds() !== fields[5]
    ) {
        return "is not a valid date and time";
    }
    let offset = 0;
    if (zone !== "Z") {
        const zm = /^([+-])(\d{2}):?(\d{2})$/.exec(zone as string) as RegExpExecArray;
        if (Number(zm[2]) > 23 || Number(zm[3]) > 59) return "has an invalid time zone offset";
        offset = (zm[1] === "-" ? -1 : 1) * (Number(zm[2]) * 60 + Number(zm[3])) * 60_000;
    }
    return utc + (frac ? Number(`0.${frac}`) * 1000 : 0) - offset;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

function parseCount(raw: string): number | string {
    const t = raw.trim();
    if (t === "") return "is empty";
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return `"${t}" is not a number`;
    const v = Number(t);
    if (!Number.isFinite(v)) return `"${t}" is not a finite number`;
    if (v < 0) return `${t} is negative`;
    return v;
}

function parseCsv(text: string, name: string): MetricsFile {
    const lines = text.split(/\r?\n/);
    const rows: { line: number; minute: DemandMinute }[] = [];
    for (let i = 1; i < lines.length; i++) {
        const lineNo = i + 1;
        const line = lines[i] as string;
        if (line.trim() === "") continue;
        const fields = line.split(",").map((f) => f.trim().replace(/^"(.*)"$/, "$1"));
        if (fields.length !== 3) throw new MetricsFileError(`${name} line ${lineNo}: expected 3 fields (${CSV_HEADER.join(",")}), found ${fields.length}`);
        const t = parseIsoTime(fields[0] as string);
        if (typeof t === "string") throw new MetricsFileError(`${name} line ${lineNo}: timestamp "${fields[0]}" ${t}`);
        if (t % 60_000 !== 0) throw new MetricsFileError(`${name} line ${lineNo}: timestamp ${fields[0]} is not on a whole minute (one row per minute expected)`);
        const values: number[] = [];
        for (const [k, col] of [
            [1, "incomingBytes"],
            [2, "incomingRecords"],
        ] as const) {
            const v = parseCount(fields[k] as string);
            if (typeof v === "string") throw new MetricsFileError(`${name} line ${lineNo}: ${col} ${v}`);
            values.push(v);
        }
        const [bytes, records] = values as [number, number];
        if (bytes > 0 && records === 0) throw new MetricsFileError(`${name} line ${lineNo}: ${bytes} incomingBytes in 0 incomingRecords`);
        rows.push({ line: lineNo, minute: { start: t, bytes, records, readBytes: 0, iteratorAgeMs: 0 } });
    }
    if (rows.length === 0) throw new MetricsFileError(`${name}: no data rows after the header`);
    // Order and duplicates over the whole file first (an unsorted file is not reported as a gap), then gaps.
    const firstLine = new Map<number, number>();
    for (let i = 0; i < rows.length; i++) {
        const { line, minute } = rows[i] as (typeof rows)[number];
        const seen = firstLine.get(minute.start);
        if (seen !== undefined) throw new MetricsFileError(`${name} line ${line}: duplicate timestamp ${iso(minute.start)} (also on line ${seen})`);
        firstLine.set(minute.start, line);
    }
    for (let i = 1; i < rows.length; i++) {
        const prev = rows[i - 1] as (typeof rows)[number];
        const row = rows[i] as (typeof rows)[number];
        if (row.minute.start < prev.minute.start) {
            throw new MetricsFileError(
                `${name} line ${row.line}: ${iso(row.minute.start)} is earlier than line ${prev.line}'s ${iso(prev.minute.start)}: rows must be in time order`,
            );
        }
    }
    for (let i = 1; i < rows.length; i++) {
        const prev = rows[i - 1] as (typeof rows)[number];
        const row = rows[i] as (typeof rows)[number];
        const gap = row.minute.start - prev.minute.start;
        if (gap > 60_000) {
            throw new MetricsFileError(
                `${name} line ${row.line}: gap of ${gap / 60_000 - 1} minute(s) after line ${prev.line} (${iso(prev.minute.start)} → ${iso(row.minute.start)}): one row per minute is required; missing minutes are not assumed to be zero`,
            );
        }
    }
    return { name, minutes: rows.map((r) => r.minute), format: "csv", series: ["incomingBytes", "incomingRecords"], notes: [] };
}

/** The metrics a get-metric-data file may hold, by normalised Label or Id. */
const SERIES: Record<string, { key: SeriesKey; metric: string }> = {};
type SeriesKey = "bytes" | "records" | "readBytes" | "iteratorAgeMs" | "throttled";
for (const [key, metric, ...aliases] of [
    ["bytes", "IncomingBytes"],
    ["records", "IncomingRecords"],
    ["readBytes", "GetRecords.Bytes", "getRecordsBytes", "readBytes"],
    ["iteratorAgeMs", "GetRecords.IteratorAgeMilliseconds", "iteratorAgeMilliseconds", "iteratorAgeMs", "iteratorAge"],
    ["throttled", "WriteProvisionedThroughputExceeded", "writeThrottled"],
] as [SeriesKey, string, ...string[]][]) {
    for (const n of [metric, ...aliases]) SERIES[n.toLowerCase().replace(/[^a-z0-9]/g, "")] = { key, metric };
}
const norm = (s: unknown) => (typeof s === "string" ? s.toLowerCase().replace(/[^a-z0-9]/g, "") : "");

interface RawResult {
    Id?: unknown;
    Label?: unknown;
    Timestamps?: unknown;
    Values?: unknown;
    StatusCode?: unknown;
}

function jsonError(text: string, name: string, e: Error): MetricsFileError {
    const pos = /position (\d+)/.exec(e.message);
    if (pos) {
        const before = text.slice(0, Number(pos[1]));
        const line = before.split("\n").length;
        return new MetricsFileError(`${name} line ${line}: not valid JSON (${e.message.replace(/ in JSON at position \d+.*$/, "")})`);
    }
    return new MetricsFileError(`${name}: not valid JSON (${e.message})`);
}

function parseGetMetricData(text: string, name: string): MetricsFile {
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch (e) {
        throw jsonError(text, name, e as Error);
    }
    const results = (doc as { MetricDataResults?: unknown } | null)?.MetricDataResults;
    if (typeof doc !== "object" || doc === null || !Array.isArray(results)) {
        throw new MetricsFileError(`${name}: a JSON document without a MetricDataResults array: not the output of aws cloudwatch get-metric-data`);
    }
    const hasNextToken = typeof (doc as { NextToken?: unknown }).NextToken === "string";
    const notes: string[] = [];
    // Results by Id: the CLI's automatic pagination repeats an Id once per page.
    const byId = new Map<string, { label: string; key: SeriesKey; metric: string; points: [unknown, unknown][]; statuses: Set<string> }>();
    results.forEach((raw: RawResult, index) => {
        const id = typeof raw?.Id === "string" ? raw.Id : `#${index}`;
        const label = typeof raw?.Label === "string" && raw.Label !== "" ? raw.Label : id;
        const what = `series ${label}${label !== id ? ` (Id ${id})` : ""}`;
        const known = SERIES[norm(raw?.Label)] ?? SERIES[norm(raw?.Id)];
        if (known === undefined) {
            notes.push(`ignored ${what}: not a metric the replay uses`);
            return;
        }
        if (!Array.isArray(raw.Timestamps) || !Array.isArray(raw.Values)) throw new MetricsFileError(`${name}: ${what} has no Timestamps and Values arrays`);
        if (raw.Timestamps.length !== raw.Values.length) throw new MetricsFileError(`${name}: ${what} has ${raw.Timestamps.length} timestamps but ${raw.Values.length} values`);
        const entry = byId.get(id) ?? { label, key: known.key, metric: known.metric, points: [], statuses: new Set<string>() };
        entry.statuses.add(String(raw.StatusCode ?? "Complete"));
        for (const [i, t] of raw.Timestamps.entries()) entry.points.push([t, (raw.Values as unknown[])[i]]);
        byId.set(id, entry);
    });

    const series = new Map<SeriesKey, { metric: string; label: string; times: number[]; values: number[] }>();
    for (const [id, e] of byId) {
        const what = `series ${e.label}${e.label !== id ? ` (Id ${id})` : ""}`;
        const other = series.get(e.key);
        if (other !== undefined) throw new MetricsFileError(`${name}: ${what} and series ${other.label} are both ${e.metric}`);
        const bad = [...e.statuses].find((s) => s !== "Complete" && s !== "PartialData");
        if (bad !== undefined) throw new MetricsFileError(`${name}: ${what} has StatusCode ${bad}: CloudWatch did not return its data`);
        if (!e.statuses.has("Complete") && hasNextToken) {
            throw new MetricsFileError(
                `${name}: ${what} is PartialData and the file has a NextToken: it holds only the first page (let the CLI paginate, without --no-paginate or --max-items)`,
            );
        }
        const pts = e.points.map(([t, v], i) => {
            const ms = typeof t === "string" ? parseIsoTime(t) : "is not a string";
            if (typeof ms === "string") throw new MetricsFileError(`${name}: ${what}: timestamp ${JSON.stringify(t)} (point ${i + 1}) ${ms}`);
            if (typeof v !== "number" || !Number.isFinite(v)) throw new MetricsFileError(`${name}: ${what}: value ${JSON.stringify(v)} at ${iso(ms)} is not a number`);
            if (v < 0) throw new MetricsFileError(`${name}: ${what}: value ${v} at ${iso(ms)} is negative`);
            if (ms % 60_000 !== 0) throw new MetricsFileError(`${name}: ${what}: timestamp ${String(t)} is not on a whole minute (period 60 expected)`);
            return { ms, v };
        });
        if (pts.length === 0) throw new MetricsFileError(`${name}: ${what} has no datapoints`);
        // get-metric-data lists newest first unless ScanBy=TimestampAscending: either order, not a mix.
        const ascending = pts.length < 2 || (pts[1] as { ms: number }).ms > (pts[0] as { ms: number }).ms;
        for (let i = 1; i < pts.length; i++) {
            const a = (pts[i - 1] as { ms: number }).ms;
            const b = (pts[i] as { ms: number }).ms;
            if (a === b) throw new MetricsFileError(`${name}: ${what}: duplicate timestamp ${iso(b)} (points ${i} and ${i + 1})`);
            if (b > a !== ascending) {
                throw new MetricsFileError(`${name}: ${what}: timestamps out of order at point ${i + 1} (${iso(b)} after ${iso(a)}): neither ascending nor descending`);
            }
        }
        if (!ascending) pts.reverse();
        const times = pts.map((p) => p.ms);
        // A whole series evenly spaced wider than a minute is a query with another period, not a gap.
        const steps = times.slice(1).map((t, i) => t - (times[i] as number));
        if (steps.length >= 2 && steps.every((x) => x === steps[0]) && (steps[0] as number) > 60_000)
            throw new MetricsFileError(`${name}: ${what}: datapoints are ${(steps[0] as number) / 1000} s apart: the replay needs period 60 (per-minute sums)`);
        for (let i = 1; i < times.length; i++) {
            const gap = (times[i] as number) - (times[i - 1] as number);
            if (gap > 60_000) {
                throw new MetricsFileError(
                    `${name}: ${what}: no datapoint for ${iso((times[i - 1] as number) + 60_000)} (gap of ${gap / 60_000 - 1} minute(s) before ${iso(times[i] as number)}). ` +
                        "CloudWatch leaves out minutes without data; query FILL(m, 0) to make them explicit zeros",
                );
            }
        }
        series.set(e.key, { metric: e.metric, label: e.label, times, values: pts.map((p) => p.v) });
    }

    const found = [...series.values()].map((s) => s.metric);
    for (const key of ["bytes", "records"] as const) {
        if (!series.has(key)) {
            const metric = key === "bytes" ? "IncomingBytes" : "IncomingRecords";
            throw new MetricsFileError(`${name}: no ${metric} series (found: ${found.length > 0 ? found.join(", ") : "none"}); label the queries with the metric names`);
        }
    }
    const ref = series.get("bytes")!;
    for (const s of series.values()) {
        if (s === ref) continue;
        const same = s.times.length === ref.times.length && s.times[0] === ref.times[0];
        if (!same) {
            const span = (x: { times: number[] }) => `${iso(x.times[0] as number)} to ${iso(x.times[x.times.length - 1] as number)} (${x.times.length} min)`;
            throw new MetricsFileError(`${name}: series ${s.label} covers ${span(s)} but IncomingBytes covers ${span(ref)}: every series must cover the same minutes`);
        }
    }
    const records = series.get("records")!;
    const at = (key: SeriesKey, i: number) => series.get(key)?.values[i] ?? 0;
    const minutes: DemandMinute[] = ref.times.map((start, i) => {
        const accepted = records.values[i] as number;
        const bytes = ref.values[i] as number;
        if (bytes > 0 && accepted === 0 && at("throttled", i) === 0) throw new MetricsFileError(`${name}: ${bytes} IncomingBytes in 0 IncomingRecords at ${iso(start)}`);
        // Records the stream refused count as demand, at the minute's average record size.
        const throttled = at("throttled", i);
        const avg = accepted > 0 ? bytes / accepted : 0;
        return { start, bytes: bytes + throttled * avg, records: accepted + throttled, readBytes: at("readBytes", i), iteratorAgeMs: at("iteratorAgeMs", i) };
    });
    if (series.has("throttled"))
        notes.push("WriteProvisionedThroughputExceeded counted as demand (records the stream refused, at each minute's average record size; producer retries count again)");
    return { name, minutes, format: "get-metric-data", series: found, notes };
}

/** Parses either format; a file in neither gets one error saying what was expected. */
export function parseMetricsFile(text: string, name: string): MetricsFile {
    const body = text.replace(/^\uFEFF/, "");
    const first = body.trimStart()[0];
    if (first === "{" || first === "[") return parseGetMetricData(body, name);
    const header = (body.split(/\r?\n/)[0] ?? "").split(",").map((f) =>
        f
            .trim()
            .replace(/^"(.*)"$/, "$1")
            .toLowerCase(),
    );
    if (header.join(",") === CSV_HEADER.join(",").toLowerCase()) return parseCsv(body, name);
    if (body.trim() === "") throw new MetricsFileError(`${name}: the file is empty`);
    throw new MetricsFileError(
        `${name} line 1: neither a get-metric-data JSON (an object with MetricDataResults) nor a CSV with the header ${CSV_HEADER.join(",")} (line 1 is "${(body.split(/\r?\n/)[0] ?? "").slice(0, 80)}")`,
    );
}
