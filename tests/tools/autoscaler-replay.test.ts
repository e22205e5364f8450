import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { replayMain, USAGE } from "../../tools/autoscaler-replay";
import { autoscalerReplay, autoscalerReplayInput } from "../../tools/bench/autoscaler";
import { MetricsFileError, parseIsoTime, parseMetricsFile } from "../../tools/autoscaler/metrics-file";
import type { DemandMinute } from "../../tools/autoscaler/model";
import { replayAll, type ReplayResult, summarise } from "../../tools/autoscaler/replay";
import { runInProcess } from "../support/in-process";
import { hasStackTrace, ROOT, runTool } from "../support/run-tool";

const FIXTURES = path.join(ROOT, "tests", "fixtures", "metrics");
const fixture = (name: string) => path.join(FIXTURES, name);
const parseFixture = (name: string) => parseMetricsFile(fs.readFileSync(fixture(name), "utf8"), name);
const T = (iso: string) => Date.parse(iso);

describe("autoscaler replay: reading metrics files", () => {
    it("a CSV: one row per minute, per-minute sums", () => {
        const f = parseFixture("good.csv");
        assert.equal(f.format, "csv");
        assert.equal(f.minutes.length, 12);
        assert.deepEqual(f.minutes[0], { start: T("2025-11-03T10:00:00Z"), bytes: 15_000_000, records: 30_000, readBytes: 0, iteratorAgeMs: 0 });
        assert.equal(f.minutes[11]!.start, T("2025-11-03T10:11:00Z"));
        const crlf = parseFixture("good-crlf.csv");
        assert.deepEqual(
            crlf.minutes.map((m) => m.records),
            [10, 20],
        );
    });

    it("get-metric-data JSON: newest-first timestamps, series by Label, GetRecords.Bytes used, other series noted", () => {
        const f = parseFixture("good-get-metric-data.json");
        assert.equal(f.format, "get-metric-data");
        assert.deepEqual(f.series, ["IncomingBytes", "IncomingRecords", "GetRecords.Bytes"]);
        assert.deepEqual(
            f.minutes.map((m) => [new Date(m.start).toISOString(), m.bytes, m.records, m.readBytes]),
            [0, 1, 2, 3, 4, 5].map((i) => [`2025-11-03T10:0${i}:00.000Z`, (i + 1) * 1e6, (i + 1) * 1e3, (i + 1) * 2e6]),
        );
        assert.deepEqual(f.notes, ["ignored series PutRecords.Latency (Id m4): not a metric the replay uses"]);
    });

    it("get-metric-data JSON: pages of one Id are joined, series found by Id, refused writes count as demand", () => {
        const doc = {
            MetricDataResults: [
                { Id: "incomingBytes", Label: "", Timestamps: ["2025-11-03T10:00:00Z"], Values: [1_000], StatusCode: "PartialData" },
                { Id: "incomingRecords", Label: "", Timestamps: ["2025-11-03T10:00:00Z", "2025-11-03T10:01:00Z"], Values: [10, 10], StatusCode: "Complete" },
                { Id: "incomingBytes", Label: "", Timestamps: ["2025-11-03T10:01:00Z"], Values: [1_000], StatusCode: "Complete" },
                { Id: "t", Label: "WriteProvisionedThroughputExceeded", Timestamps: ["2025-11-03T10:00:00Z", "2025-11-03T10:01:00Z"], Values: [0, 5], StatusCode: "Complete" },
                {
                    Id: "age",
                    Label: "GetRecords.IteratorAgeMilliseconds",
                    Timestamps: ["2025-11-03T10:00:00Z", "2025-11-03T10:01:00Z"],
                    Values: [0, 70_000],
                    StatusCode: "Complete",
                },
            ],
        };
        const f = parseMetricsFile(JSON.stringify(doc), "paged.json");
        assert.deepEqual(
            f.minutes.map((m) => [m.records, m.bytes, m.iteratorAgeMs]),
            [
                [10, 1_000, 0],
                [15, 1_500, 70_000],
            ],
        );
        assert.match(f.notes.join(" "), /WriteProvisionedThroughputExceeded counted as demand/);
    });

    const BAD: [string, RegExp][] = [
        [
            "bad-gap.csv",
            /^bad-gap\.csv line 4: gap of 2 minute\(s\) after line 3 \(2025-11-03T10:01:00Z → 2025-11-03T10:04:00Z\): one row per minute is required; missing minutes are not assumed to be zero$/,
        ],
        ["bad-unsorted.csv", /^bad-unsorted\.csv line 4: 2025-11-03T10:01:00Z is earlier than line 3's 2025-11-03T10:02:00Z: rows must be in time order$/],
        ["bad-duplicate.csv", /^bad-duplicate\.csv line 4: duplicate timestamp 2025-11-03T10:01:00Z \(also on line 3\)$/],
        ["bad-negative.csv", /^bad-negative\.csv line 3: incomingBytes -1000 is negative$/],
        ["bad-nonnumeric.csv", /^bad-nonnumeric\.csv line 3: incomingRecords "ten" is not a number$/],
        ["bad-timestamp.csv", /^bad-timestamp\.csv line 3: timestamp "2025-11-03 10:01" is not an ISO 8601 time with a time zone/],
        [
            "bad-neither.txt",
            /^bad-neither\.txt line 1: neither a get-metric-data JSON \(an object with MetricDataResults\) nor a CSV with the header timestamp,incomingBytes,incomingRecords \(line 1 is "time;bytes;records"\)$/,
        ],
        ["bad-neither.json", /^bad-neither\.json: a JSON document without a MetricDataResults array: not the output of aws cloudwatch get-metric-data$/],
        ["bad-syntax.json", /^bad-syntax\.json line 3: not valid JSON/],
        [
            "bad-gap.json",
            /^bad-gap\.json: series IncomingRecords \(Id m2\): no datapoint for 2025-11-03T10:01:00Z \(gap of 1 minute\(s\) before 2025-11-03T10:02:00Z\)\. CloudWatch leaves out minutes without data; query FILL\(m, 0\)/,
        ],
        [
            "bad-unsorted.json",
            /^bad-unsorted\.json: series IncomingBytes \(Id m1\): timestamps out of order at point 3 \(2025-11-03T10:01:00Z after 2025-11-03T10:02:00Z\): neither ascending nor descending$/,
        ],
        ["bad-duplicate.json", /^bad-duplicate\.json: series IncomingBytes \(Id m1\): duplicate timestamp 2025-11-03T10:01:00Z \(points 2 and 3\)$/],
        ["bad-negative.json", /^bad-negative\.json: series IncomingRecords \(Id m2\): value -4 at 2025-11-03T10:01:00Z is negative$/],
        ["bad-nonnumeric.json", /^bad-nonnumeric\.json: series IncomingBytes \(Id m1\): value "1000" at 2025-11-03T10:01:00Z is not a number$/],
        ["bad-missing-records.json", /^bad-missing-records\.json: no IncomingRecords series \(found: IncomingBytes\)/],
        ["bad-period.json", /^bad-period\.json: series IncomingBytes \(Id m1\): datapoints are 300 s apart: the replay needs period 60/],
        [
            "bad-mismatch.json",
            /^bad-mismatch\.json: series GetRecords\.Bytes covers 2025-11-03T10:01:00Z to 2025-11-03T10:02:00Z \(2 min\) but IncomingBytes covers 2025-11-03T10:00:00Z to 2025-11-03T10:02:00Z \(3 min\)/,
        ],
    ];
    for (const [name, message] of BAD) {
        it(`${name}: one clear error naming the line or series`, () => {
            assert.throws(
                () => parseFixture(name),
                (e: Error) => e instanceof MetricsFileError && message.test(e.message) && !e.message.includes("\n"),
            );
        });
    }

    it("more bad inputs, inline: empty, header only, fields, zero records with bytes, a series twice, partial pages, non-UTC minute", () => {
        const csv = (body: string) => () => parseMetricsFile(`timestamp,incomingBytes,incomingRecords\n${body}`, "x.csv");
        assert.throws(() => parseMetricsFile("", "e.csv"), /e\.csv: the file is empty/);
        assert.throws(csv(""), /x\.csv: no data rows after the header/);
        assert.throws(csv("2025-11-03T10:00:00Z,1,2,3"), /x\.csv line 2: expected 3 fields \(timestamp,incomingBytes,incomingRecords\), found 4/);
        assert.throws(csv("2025-11-03T10:00:00Z,,2"), /x\.csv line 2: incomingBytes is empty/);
        assert.throws(csv("2025-11-03T10:00:00Z,500,0"), /x\.csv line 2: 500 incomingBytes in 0 incomingRecords/);
        assert.throws(csv("2025-11-03T10:00:30Z,5,1"), /line 2: timestamp 2025-11-03T10:00:30Z is not on a whole minute/);
        assert.throws(csv("2025-02-30T10:00:00Z,5,1"), /line 2: timestamp "2025-02-30T10:00:00Z" is not a valid date and time/);
        assert.throws(csv("2025-11-03T10:00:00,5,1"), /is not an ISO 8601 time with a time zone/);
        const series = (extra: object[]) => () =>
            parseMetricsFile(
                JSON.stringify({ MetricDataResults: [{ Id: "a", Label: "IncomingBytes", Timestamps: ["2025-11-03T10:00:00Z"], Values: [1], StatusCode: "Complete" }, ...extra] }),
                "y.json",
            );
        assert.throws(
            series([{ Id: "b", Label: "IncomingBytes", Timestamps: [], Values: [] }]),
            /y\.json: series IncomingBytes \(Id b\) and series IncomingBytes are both IncomingBytes/,
        );
        assert.throws(
            series([{ Id: "b", Label: "IncomingRecords", Timestamps: ["2025-11-03T10:00:00Z"], Values: [] }]),
            /series IncomingRecords \(Id b\) has 1 timestamps but 0 values/,
        );
        assert.throws(series([{ Id: "b", Label: "IncomingRecords", Timestamps: ["2025-11-03T10:00:00Z"], Values: [1], StatusCode: "Forbidden" }]), /StatusCode Forbidden/);
        assert.throws(
            () =>
                parseMetricsFile(
                    JSON.stringify({
                        NextToken: "n",
                        MetricDataResults: [{ Id: "a", Label: "IncomingBytes", Timestamps: ["2025-11-03T10:00:00Z"], Values: [1], StatusCode: "PartialData" }],
                    }),
                    "p.json",
                ),
            /series IncomingBytes \(Id a\) is PartialData and the file has a NextToken: it holds only the first page/,
        );
        assert.equal(parseIsoTime("2025-11-03T11:05:00+01:00"), T("2025-11-03T10:05:00Z"));
    });
});

describe("npm run autoscaler:replay", function () {
    this.timeout(60_000);
    /** The tool in this process (the spawns below prove the process: exit codes, flushed stdout, no stack trace). */
    const replay = (args: string[], replayer?: typeof replayAll) => runInProcess((io) => replayMain(args, io, replayer), USAGE, 2);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "replay-"));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    /** Three hours: quiet, a 45-minute surge to 4 shards' worth, quiet again. */
    function dayCsv(): string {
        const rows = ["timestamp,incomingBytes,incomingRecords"];
        for (let m = 0; m < 180; m++) {
            const shards = m >= 60 && m < 105 ? 4 : 0.8;
            const records = Math.round(shards * 60_000);
            rows.push(`${new Date(Date.UTC(2025, 10, 3, 9, m)).toISOString().replace(".000Z", "Z")},${records * 600},${records}`);
        }
        return `${rows.join("\n")}\n`;
    }

    it("prints a table per policy with each figure's ratio to the oracle, and writes the chart", () => {
        const csv = path.join(tmp, "surge.csv");
        fs.writeFileSync(csv, dayCsv());
        const svg = path.join(tmp, "surge.svg");
        const r = runTool("autoscaler-replay.ts", ["--metrics", csv, "--shards", "2", "--chart", svg]);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /^Replay of surge\.csv \(csv\): 180 minutes, 2025-11-03 09:00 to 2025-11-03 12:00 UTC/);
        assert.match(
            r.stdout,
            /Prices \(us-east-1, as of 2025-12-01, contracts\/prices\.json\): \$0\.015 per shard-hour \+ \$0\.014 per million PUT payload units .*; on-demand \$0\.04 per stream-hour \+ \$0\.08 per GB written/,
        );
        assert.match(r.stdout, /Oracle: the fewest shards each minute that throttle nothing/);
        // The limit sits between the oracle and every policy that throttles nothing, with its ratio to the oracle.
        assert.match(r.stdout, /Limit: the fewest shard-hours of any schedule that throttles no minute/);
        assert.match(r.stdout, /Limit:[\s\S]*\n {2}shard-hours +[\d.]+ \(1\.\d\dx oracle\)/);
        for (const title of [
            "Our autoscaler (planning, the default)",
            "Our reactive autoscaler (autoscalingPolicy: reactive)",
            "+1/-1 step policy (AWS Application Auto Scaling sample)",
            "Reference document's policy (+50 % at 80 %, never scales in)",
            "Static provisioning at the trace's peak",
            "On-demand",
            "On-demand Advantage (needs the account's minimum throughput billing commitment)",
        ]) {
            assert.ok(r.stdout.includes(`\n${title}\n  figure`), `table for ${title}`);
        }
        assert.match(r.stdout, /\n {2}of which shortfall USD +[\d.,]+\n/);
        assert.match(
            r.stdout,
            /\nCheapest mode for this trace: (provisioned with our autoscaler|on-demand \(standard\)|On-demand Advantage \(needs the account's commitment\)), [\d.,]+ USD/,
        );
        for (const row of ["shard-hours", "throttled minutes", "records throttled", "bytes throttled", "scaling calls", "most calls in any 24 h", "cost USD"]) {
            assert.match(r.stdout, new RegExp(`\\n  ${row.replace(/\+/g, "\\+")} +[\\d.,]+( [KMGT]?B)? +(\\d+\\.\\d\\dx|n/a \\(oracle 0\\))`));
        }
        for (const row of ["shard-hours", "cost USD"]) {
            assert.match(r.stdout, new RegExp(`\\n  ${row} +[\\d.,]+ +\\d+\\.\\d\\dx +\\d+\\.\\d\\dx\\n`), `${row} against the oracle and the limit`);
        }
        // Static at the peak: 4 shards for 3 hours = 12 shard-hours; the oracle: 1 x 135 min + 4 x 45 min = 5.25.
        assert.match(r.stdout, /Static provisioning at the trace's peak\n.*\n {2}shard-hours +12\.00 +2\.29x/);
        assert.match(r.stdout, / {2}shard-hours +5\.25\n/);
        assert.match(r.stdout, /Chart written to /);
        const chart = fs.readFileSync(svg, "utf8");
        assert.match(chart, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
        for (const text of [
            "Autoscaler replay: surge.csv",
            "time (UTC)",
            "shards (1 shard = 1 MiB/s or 1,000 records/s written)",
            "legend",
            "demand (shard-equivalents)",
            "our autoscaler (planning)",
            "our reactive autoscaler",
            "+1/-1 step (AAS sample)",
            "reference (+50 % at 80 %)",
            "static at peak",
            "throttled minutes",
            "limit (perfect foresight, API limits)",
        ]) {
            assert.ok(chart.includes(text.replace(/&/g, "&amp;")), `chart has "${text}"`);
        }
        assert.ok(chart.trimEnd().endsWith("</svg>"));
    });

    it("--stack reads the stack's start and bounds; a peak above --max is named", async () => {
        const csv = path.join(tmp, "surge-stack.csv");
        fs.writeFileSync(csv, dayCsv());
        const prod = await replay(["--metrics", csv, "--stack", "prod"]);
        assert.equal(prod.status, 0, prod.stderr);
        // Pulumi.prod.yaml: shardCount 4, autoscalingMinShards 2, autoscalingMaxShards 64.
        assert.match(prod.stdout, /Model: start 4 shard\(s\)/);
        assert.match(prod.stdout, /Our autoscaler: shards 2-64;/);
        const capped = await replay(["--metrics", csv, "--max", "2", "--shards", "1"]);
        assert.equal(capped.status, 0, capped.stderr);
        assert.match(capped.stdout, /Note: the trace's peak at 2025-11-03 10:00 UTC needs 4 shards, above --max 2/);
        const unknown = await replay(["--metrics", csv, "--stack", "nope"]);
        assert.equal(unknown.status, 2);
        assert.match(unknown.stderr, /--stack nope: No stack file Pulumi\.nope\.yaml; stacks: /);
    });

    it("--json prints exactly the documented object", async () => {
        const r = await replay(["--metrics", fixture("good-get-metric-data.json"), "--json", "--shards", "1"]);
        assert.equal(r.status, 0, r.stderr);
        const lines = r.stdout.trim().split("\n");
        assert.equal(lines.length, 1);
        const doc = JSON.parse(lines[0]!) as Record<string, Record<string, Record<string, number>>>;
        assert.deepEqual(Object.keys(doc), ["oracle", "limit", "policies", "recommendation"]);
        assert.deepEqual(Object.keys(doc.oracle!), ["shardHours", "costUsd"]);
        assert.deepEqual(Object.keys(doc.limit!), ["shardHours", "costUsd"]);
        assert.ok(doc.limit!.shardHours! >= doc.oracle!.shardHours!);
        assert.deepEqual(Object.keys(doc.policies!), ["autoscaler", "reactive", "step", "reference", "staticPeak", "onDemand", "onDemandAdvantage"]);
        for (const k of ["autoscaler", "reactive", "step", "reference", "staticPeak"])
            assert.deepEqual(Object.keys(doc.policies![k]!), ["shardHours", "throttledMinutes", "scalingCalls", "maxCallsIn24h", "costUsd"]);
        assert.deepEqual(Object.keys(doc.policies!.onDemand!), ["costUsd"]);
        // On-demand Advantage on the same traffic: its own usage plus the account minimum's shortfall (6 quiet minutes: all shortfall).
        const adv = doc.policies!.onDemandAdvantage!;
        assert.deepEqual(Object.keys(adv), ["costUsd", "usageUsd", "shortfallUsd"]);
        assert.ok(Math.abs(adv.costUsd! - adv.usageUsd! - adv.shortfallUsd!) < 1e-3);
        assert.ok(adv.shortfallUsd! > adv.usageUsd!);
        const rec = doc.recommendation as unknown as { mode: string; costUsd: number };
        const costs: Record<string, number> = { PROVISIONED: doc.policies!.autoscaler!.costUsd!, ON_DEMAND: doc.policies!.onDemand!.costUsd!, ON_DEMAND_ADVANTAGE: adv.costUsd! };
        assert.equal(rec.costUsd, Math.min(...Object.values(costs)));
        assert.equal(costs[rec.mode], rec.costUsd);
        assert.equal(doc.oracle!.shardHours, 0.1); // 1 shard x 6 minutes
        assert.match(r.stderr, /note: ignored series PutRecords\.Latency/);
    });

    it("the bench's synthetic week, exported as get-metric-data JSON, replays to exactly the bench's figures", async () => {
        const [week, options] = autoscalerReplayInput();
        const newestFirst = [...week.minutes].reverse();
        const series = (id: string, label: string, value: (m: DemandMinute) => number) => ({
            Id: id,
            Label: label,
            Timestamps: newestFirst.map((m) => new Date(m.start).toISOString().replace(".000Z", "+00:00")),
            Values: newestFirst.map(value),
            StatusCode: "Complete",
        });
        const file = path.join(tmp, "week.json");
        fs.writeFileSync(
            file,
            JSON.stringify({
                MetricDataResults: [
                    series("m1", "IncomingBytes", (m) => m.bytes),
                    series("m2", "IncomingRecords", (m) => m.records),
                    series("m3", "GetRecords.Bytes", (m) => m.readBytes),
                    series("m4", "GetRecords.IteratorAgeMilliseconds", (m) => m.iteratorAgeMs),
                ],
                Messages: [],
            }),
        );
        // The 7-day replay is computed once: replayAll depends on the minutes and the options only (the
        // trace's name is not in the JSON), so when the tool asks for the bench's very input it gets the
        // bench's replay; any other input is replayed afresh and the bench's replayed apart.
        let bench: ReplayResult | undefined;
        const r = await replay(["--metrics", file, "--json"], (trace, o) =>
            isDeepStrictEqual(trace.minutes, week.minutes) && isDeepStrictEqual(o, options) ? (bench = replayAll(week, options)) : replayAll(trace, o),
        );
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(JSON.parse(r.stdout), summarise(bench ?? autoscalerReplay()));
    });

    it("a bad metrics file: exit 1, the one-line message, no stack trace", async () => {
        const r = runTool("autoscaler-replay.ts", ["--metrics", fixture("bad-gap.csv")]);
        assert.equal(r.status, 1);
        assert.equal(r.stdout, "");
        assert.match(r.stderr, /^bad-gap\.csv line 4: gap of 2 minute\(s\)/m);
        assert.ok(!hasStackTrace(r.stderr));
        const missing = await replay(["--metrics", path.join(tmp, "nope.csv")]);
        assert.equal(missing.status, 1);
        assert.match(missing.stderr, /cannot read .*nope\.csv: ENOENT/);
    });

    it("an unwritable --chart path: the report still printed, then one line naming the path, exit 2", async () => {
        const csv = path.join(tmp, "unwritable-chart.csv");
        fs.writeFileSync(csv, dayCsv());
        const svg = path.join(tmp, "no-such-dir", "chart.svg");
        const r = await replay(["--metrics", csv, "--chart", svg]);
        assert.equal(r.status, 2, r.stderr);
        assert.match(r.stdout, /Oracle/);
        assert.equal(r.stderr, `cannot write the chart to ${svg}: ENOENT\n`);
        assert.ok(!fs.existsSync(svg));
        const json = await replay(["--metrics", csv, "--json", "--chart", svg]);
        assert.equal(json.status, 2);
        assert.ok(JSON.parse(json.stdout).limit.shardHours > 0, "the --json report is printed whole");
    });

    it("usage mistakes: exit 2 with the usage, no stack trace", async () => {
        for (const [i, [args, message]] of (
            [
                [[], /--metrics <file> is required/],
                [["--metrics", fixture("good.csv"), "--shards", "0"], /--shards must be a whole number from 1 to 10000, got "0"/],
                [["--metrics", fixture("good.csv"), "--min", "8", "--max", "4"], /--min 8 and --max 4: minShards 8 is above maxShards 4/],
                [["--metrics", fixture("good.csv"), "--shards", "100", "--max", "64"], /--shards 100 is outside --min 1 and --max 64/],
                [["--metrics", fixture("good.csv"), "--chart", "out.png"], /--chart writes an SVG file/],
                [["--metrics", fixture("good.csv"), "--frobnicate"], /Unknown option '--frobnicate'/],
            ] as [string[], RegExp][]
        ).entries()) {
            // The first from the command line, the others in this process.
            const r = i === 0 ? runTool("autoscaler-replay.ts", args) : await replay(args);
            assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
            assert.match(r.stderr, message);
            assert.match(r.stderr, /usage: npm run autoscaler:replay -- --metrics <file>/);
            assert.ok(!hasStackTrace(r.stderr));
        }
    });
});
