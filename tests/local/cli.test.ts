// The command lines of the local run: `npm start` flags and `npm run invoke` (errors and a real invocation).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { invokeMain, USAGE } from "../../tools/invoke";
import { DEFAULT_DURATION_SECONDS, DEFAULT_RATE, parseStartArgs } from "../../tools/start";
import { runInProcess } from "../support/in-process";
import { hasStackTrace, runTool } from "../support/run-tool";

describe("npm start flags", () => {
    it("runs a bounded demo by default", () => {
        assert.deepEqual(parseStartArgs([]), {
            rate: DEFAULT_RATE,
            records: undefined,
            durationMs: DEFAULT_DURATION_SECONDS * 1000,
            follow: false,
            malformedShare: 0.01,
            seed: 1,
            json: false,
            skipPreview: false,
        });
    });

    it("takes a record count, a duration or --follow", () => {
        assert.deepEqual(
            [parseStartArgs(["--records", "3000", "--json"])].map((o) => [o.records, o.durationMs, o.json]),
            [[3000, undefined, true]],
        );
        assert.equal(parseStartArgs(["--duration", "2.5", "--rate", "250"]).durationMs, 2500);
        const follow = parseStartArgs(["--follow", "--malformed", "0"]);
        assert.deepEqual([follow.follow, follow.durationMs, follow.records, follow.malformedShare], [true, undefined, undefined, 0]);
    });

    const bad: [string[], RegExp][] = [
        [["--rate", "fast"], /--rate must be a number from 1 to 10000, got "fast"/],
        [["--rate", "0"], /--rate must be a number/],
        [["--records", "2.5"], /--records must be an integer/],
        // A negative number is the flag's value, not an option: the flag's own check answers.
        [["--records", "-5"], /--records must be an integer from 1 to 100000000, got "-5"/],
        [["--rate", "-1"], /--rate must be a number from 1 to 10000, got "-1"/],
        [["--records", "10", "--duration", "5"], /either --records or --duration, not both/],
        [["--follow", "--records", "10"], /--follow runs until Ctrl-C/],
        [["--malformed", "150"], /--malformed must be a number from 0 to 100/],
        [["--bogus"], /Unknown option '--bogus'/],
        [["extra"], /Unexpected argument extra/],
    ];
    for (const [args, message] of bad) {
        it(`refuses ${args.join(" ")}`, () => assert.throws(() => parseStartArgs(args), message));
    }

    it("prints a bad flag with the usage and exits 1, without a stack trace", () => {
        const r = runTool("start.ts", ["--records", "many"]);
        assert.equal(r.status, 1);
        assert.match(r.stderr, /--records must be an integer from 1 to 100000000, got "many"\nusage: npm start -- /);
        assert.equal(hasStackTrace(r.stderr), false);
    });
});

describe("npm run invoke", function () {
    this.timeout(60_000);
    /**
     * The tool in this process: one spawn per process contract (exit 2 for a bad event file, exit 0
     * with the response on stdout) proves the process; the other cases run here.
     */
    const invoke = (args: string[]) => runInProcess((io) => invokeMain(args, io), USAGE, 2);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "invoke-test-"));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const write = (name: string, text: string) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, text);
        return file;
    };
    /** stderr without Node's warnings (the SDK warns about the Node version). */
    const said = (stderr: string) =>
        stderr.split("\n").filter((l) => l.trim() !== "" && !/Warning|versions published|require node|To continue|security updates|More information|trace-warnings/.test(l));

    const errors: [string, () => string[], RegExp][] = [
        ["an unknown function", () => ["producer", "events/consumer/good-batch.json"], /^Unknown function "producer": use one of consumer, ingest, replicator, autoscaler/],
        ["a missing event file", () => ["consumer", path.join(dir, "nope.json")], /^Cannot read event file .*nope\.json: no such file$/],
        ["an event file that is not JSON", () => ["consumer", write("bad.json", "{ not json")], /^Event file .*bad\.json is not valid JSON: /],
        [
            "an event of another function",
            () => ["consumer", "events/ingest/batch.json"],
            /^Event file events\/ingest\/batch\.json is not a Kinesis event: expected an object with a Records list$/,
        ],
        [
            "a Kinesis event given to the ingest API",
            () => ["ingest", "events/consumer/good-batch.json"],
            /^Event file events\/consumer\/good-batch\.json is not an API Gateway request: expected version "2\.0" and a requestContext .*; this looks like a Kinesis event/,
        ],
        [
            "a Kinesis event given to the Firehose transform",
            () => ["firehose-transform", "events/consumer/good-batch.json"],
            /^Event file events\/consumer\/good-batch\.json is not a Firehose transformation event: invocationId: /,
        ],
        [
            "a record without data",
            () => ["replicator", write("nodata.json", JSON.stringify({ Records: [{ eventID: "s:1", kinesis: { sequenceNumber: "1", partitionKey: "p" } }] }))],
            /Records\[0\]\.kinesis\.data must be a string/,
        ],
    ];
    for (const [i, [what, args, message]] of errors.entries()) {
        it(`refuses ${what} in one line, exit 2${i === 0 ? " (from the command line)" : ""}`, async () => {
            const r = i === 0 ? runTool("invoke.ts", args()) : await invoke(args());
            assert.equal(r.status, 2, r.stderr);
            const lines = said(r.stderr);
            assert.equal(lines.length, 1, lines.join("\n"));
            assert.match(lines[0]!, message);
            assert.equal(r.stdout, "");
        });
    }

    it("runs the consumer on a sample event against the emulators and prints only its response on stdout (from the command line)", () => {
        const r = runTool("invoke.ts", ["consumer", "events/consumer/malformed-batch.json"]);
        assert.equal(r.status, 0, r.stderr);
        const response = JSON.parse(r.stdout) as { batchItemFailures: { itemIdentifier: string }[] };
        assert.deepEqual(response, { batchItemFailures: [] });
        assert.match(r.stderr, /consumer: table kinesis-streaming-dev-results on dynalite/);
        assert.match(r.stderr, /"message":"Malformed record quarantined"/);
    });

    it("--json: the last line is {response, written, quarantined, alerts}", async () => {
        const r = await invoke(["consumer", "events/consumer/malformed-batch.json", "--json"]);
        assert.equal(r.status, 0, r.stderr);
        const last = r.stdout.trimEnd().split("\n").at(-1)!;
        const out = JSON.parse(last) as {
            response: unknown;
            written: number;
            quarantined: { sequenceNumber: string; subSequenceNumber: number | null; reason: string }[];
            alerts: unknown[];
        };
        const event = JSON.parse(fs.readFileSync("events/consumer/malformed-batch.json", "utf8")) as { Records: { kinesis: { sequenceNumber: string } }[] };
        const seqOf = (i: number) => event.Records[i]!.kinesis.sequenceNumber;
        assert.deepEqual(out.response, { batchItemFailures: [] });
        assert.equal(out.written, 2);
        assert.deepEqual(
            out.quarantined.map((q) => [q.sequenceNumber, q.subSequenceNumber]),
            [
                [seqOf(1), null],
                [seqOf(2), null],
                [seqOf(3), null],
                [seqOf(4), null],
            ],
        );
        assert.ok(out.quarantined.every((q) => q.reason.length > 0));
        assert.deepEqual(out.alerts, []);
    });

    it("--json counts the user records of an aggregate and its alerts", async () => {
        const r = await invoke(["consumer", "events/consumer/kpl-aggregated-batch.json", "--json"]);
        assert.equal(r.status, 0, r.stderr);
        const out = JSON.parse(r.stdout.trimEnd().split("\n").at(-1)!) as { response: unknown; written: number; quarantined: unknown[]; alerts: unknown[] };
        assert.deepEqual(out.response, { batchItemFailures: [] });
        assert.ok(out.written > 2, `${out.written}`);
        assert.deepEqual(out.quarantined, []);
        assert.ok(Array.isArray(out.alerts));
    });

    it("runs the ingest handler against kinesalite", async () => {
        const r = await invoke(["ingest", "events/ingest/batch.json"]);
        assert.equal(r.status, 0, r.stderr);
        const response = JSON.parse(r.stdout) as { statusCode: number; body: string };
        assert.equal(response.statusCode, 200);
        assert.equal((JSON.parse(response.body) as { accepted: number }).accepted, 3);
        assert.match(r.stderr, /the stream now holds 2 Kinesis record\(s\)/);
    });

    it("runs the Firehose transform on a sample: one output per recordId, partition keys in the metadata", async () => {
        const r = await invoke(["firehose-transform", "events/firehose-transform/cloudwatch-logs.json"]);
        assert.equal(r.status, 0, r.stderr);
        const response = JSON.parse(r.stdout) as { records: { result: string; metadata?: unknown }[] };
        assert.deepEqual(
            response.records.map((x) => [x.result, x.metadata]),
            [
                ["Ok", { partitionKeys: { event_type: "log_line", event_date: "2025-01-01" } }],
                ["Dropped", undefined],
            ],
        );
        assert.match(r.stderr, /RecordsTransformed=1 RecordsDropped=1 RecordsFailed=0 EventsArchived=3/);
    });

    type AutoscalerResponse = { outcome: string; streamName: string; action: string; from: number; target: number; trigger: string };

    it("the throttling-alarm sample scales out: the CloudWatch stand-in shows the throttled writes the alarm saw (a dry run: kinesalite has no UpdateShardCount)", async () => {
        const r = await invoke(["autoscaler", "events/autoscaler/write-throttled-alarm-scales-out.json"]);
        assert.equal(r.status, 0, r.stderr);
        const response = JSON.parse(r.stdout) as AutoscalerResponse;
        assert.equal(response.streamName, "kinesis-streaming-dev-events");
        assert.equal(response.trigger, "alarm kinesis-streaming-dev-autoscaler-write-throttled (ALARM)");
        assert.deepEqual([response.outcome, response.action], ["dry-run", "scale-out"]);
        assert.ok(response.target > response.from, `${response.from} -> ${response.target}`);
        assert.match(r.stderr, /full write capacity .* and 1520 records throttled in the newest/);
        assert.match(r.stderr, /would scale out 4 -> 8/);
    });

    it("the schedule sample on the idle local stream scales in", async () => {
        const r = await invoke(["autoscaler", "events/autoscaler/schedule-idle-stream-scales-in.json"]);
        assert.equal(r.status, 0, r.stderr);
        const response = JSON.parse(r.stdout) as AutoscalerResponse;
        assert.deepEqual([response.outcome, response.action, response.trigger], ["dry-run", "scale-in", "schedule"]);
        assert.ok(response.target < response.from, `${response.from} -> ${response.target}`);
        assert.match(r.stderr, /no datapoints \(an idle stream\)/);
    });

    it("an alarm back to OK shows an idle stream: no throttling to answer", async () => {
        const alarm = JSON.parse(fs.readFileSync("events/autoscaler/write-throttled-alarm-scales-out.json", "utf8")) as { alarmData: { state: { value: string } } };
        alarm.alarmData.state.value = "OK";
        const r = await invoke(["autoscaler", write("ok-alarm.json", JSON.stringify(alarm))]);
        assert.equal(r.status, 0, r.stderr);
        assert.notEqual((JSON.parse(r.stdout) as AutoscalerResponse).action, "scale-out");
    });
});
