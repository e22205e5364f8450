// The autoscaler's small pure parts: call history in a tag, limits, configuration from the
// environment, GetMetricData request and parsing, event shapes.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { AUTOSCALER_ENV as ENV, autoscalerEnvironment, readAutoscalerEnv as loadConfig, SETTING_ENV } from "../../contracts/env/autoscaler";
import { EnvError } from "../../contracts/env/read";
import { EventError, parseTrigger } from "../../functions/autoscaler/events";
import { HISTORY_TAG_KEY } from "../../contracts/tags";
import { callsInWindow, decodeHistory, encodeHistory, nextCallFreedAt, type ScalingCall } from "../../functions/autoscaler/history";
import { allowedTargets, maxCallsInWindow, targetProblem } from "../../functions/autoscaler/limits";
import { metricDataRequest, metricWindow, parseMetricData, STREAM_METRICS } from "../../functions/autoscaler/metrics";
import { AUTOSCALER_DEFAULTS, SettingsError } from "../../contracts/autoscaler-settings";
import { ROOT } from "../support/run-tool";

const NOW = Date.UTC(2025, 10, 3, 12, 0, 30);
const MIN = 60_000;
const TOPIC = "arn:aws:sns:us-east-1:111122223333:kinesis-streaming-dev-alerts";

describe("autoscaler history tag", () => {
    it("round-trips ten calls in under 256 characters AWS allows in a tag value", () => {
        const calls: ScalingCall[] = Array.from({ length: 10 }, (_, i) => ({ at: NOW - i * 97 * MIN - 1_234, direction: i % 3 === 0 ? "in" : "out" }));
        const value = encodeHistory(calls, NOW);
        assert.ok(value.length <= 200, `${value.length} chars`);
        assert.match(value, /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u);
        const back = decodeHistory(value);
        assert.deepEqual(back.unreadable, []);
        assert.deepEqual(
            back.calls,
            calls.map((c) => ({ at: Math.floor(c.at / 1000) * 1000, direction: c.direction })).sort((a, b) => a.at - b.at),
        );
        assert.match(HISTORY_TAG_KEY, /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u);
        assert.ok(!HISTORY_TAG_KEY.startsWith("aws:"));
    });

    it("drops calls older than 24 h (plus the 5 min margin) and keeps unreadable entries apart", () => {
        const value = encodeHistory(
            [
                { at: NOW - 24 * 60 * MIN - 6 * MIN, direction: "out" },
                { at: NOW - 24 * 60 * MIN - 4 * MIN, direction: "in" },
            ],
            NOW,
        );
        assert.equal(value, "-20251102T115630Z");
        const d = decodeHistory("+20251103T100000Z garbage -20251131T100000Z +20251103T110000Z");
        assert.deepEqual(d.unreadable, ["garbage", "-20251131T100000Z"]);
        assert.deepEqual(
            d.calls.map((c) => c.direction),
            ["out", "out"],
        );
        assert.deepEqual(decodeHistory(undefined), { calls: [], unreadable: [] });
        assert.deepEqual(decodeHistory(""), { calls: [], unreadable: [] });
    });

    it("counts calls in the rolling window and says when the oldest frees", () => {
        const h: ScalingCall[] = [
            { at: NOW - 10 * MIN, direction: "out" },
            { at: NOW - 23 * 60 * MIN, direction: "in" },
            { at: NOW - 30 * 60 * MIN, direction: "in" },
        ];
        assert.equal(callsInWindow(h, NOW).length, 2);
        assert.equal(nextCallFreedAt(h, NOW), NOW - 23 * 60 * MIN + 24 * 60 * MIN + 5 * MIN);
        assert.equal(nextCallFreedAt([], NOW), undefined);
    });
});

describe("UpdateShardCount limits", () => {
    it("half to double, at most 10,000", () => {
        assert.deepEqual(allowedTargets(1), { lowest: 1, highest: 2 });
        assert.deepEqual(allowedTargets(3), { lowest: 2, highest: 6 });
        assert.deepEqual(allowedTargets(7_000), { lowest: 3_500, highest: 10_000 });
        assert.equal(targetProblem(3, 1), "target 1 is less than half of 3");
        assert.equal(targetProblem(3, 7), "target 7 is more than double 3");
        assert.equal(targetProblem(3, 3), "target 3 equals the current count");
        assert.equal(targetProblem(6_000, 10_001), "target 10001 is above 10000 shards");
        assert.equal(targetProblem(3, 2), undefined);
    });

    it("most calls in any rolling window", () => {
        assert.equal(maxCallsInWindow([], 10), 0);
        assert.equal(maxCallsInWindow([0, 5, 9, 10, 11, 30], 10), 4); // 5, 9, 10, 11
        assert.equal(maxCallsInWindow([30, 0, 10, 5], 10), 2);
    });
});

describe("autoscaler configuration from the environment", () => {
    it("builds the environment the infra component passes and reads it back", () => {
        const env = autoscalerEnvironment({ streamName: "s", alertsTopicArn: TOPIC, settings: { maxShards: 32, highWaterPercent: 80 } });
        assert.equal(env[ENV.streamName], "s");
        assert.equal(env[SETTING_ENV.maxShards], "32");
        assert.equal(env.AUTOSCALER_HIGH_WATER_PERCENT, "80");
        assert.equal(env.AUTOSCALER_DRY_RUN, "false");
        assert.equal(env.AUTOSCALER_POLICY, "planning");
        assert.equal(Object.keys(env).length, 4 + Object.keys(AUTOSCALER_DEFAULTS).length);
        const config = loadConfig(env);
        assert.deepEqual(config, {
            streamName: "s",
            alertsTopicArn: TOPIC,
            dryRun: false,
            policy: "planning",
            settings: { ...AUTOSCALER_DEFAULTS, maxShards: 32, highWaterPercent: 80 },
        });
        assert.equal(loadConfig(autoscalerEnvironment({ streamName: "s", alertsTopicArn: TOPIC, policy: "reactive" })).policy, "reactive");
        assert.throws(() => autoscalerEnvironment({ streamName: "s", alertsTopicArn: TOPIC, settings: { minShards: 9, maxShards: 3 } }), SettingsError);
    });

    it("defaults every setting not set", () => {
        assert.deepEqual(loadConfig({ STREAM_NAME: "s", ALERTS_TOPIC_ARN: TOPIC }).settings, AUTOSCALER_DEFAULTS);
    });

    it("names every bad or missing variable in one error", () => {
        assert.throws(
            () =>
                loadConfig({
                    ALERTS_TOPIC_ARN: "arn:aws:sqs:us-east-1:111122223333:q",
                    AUTOSCALER_MAX_SHARDS: "lots",
                    AUTOSCALER_LOW_WATER_PERCENT: "-1",
                    AUTOSCALER_DRY_RUN: "yes",
                    AUTOSCALER_POLICY: "magic",
                }),
            (e: Error) => {
                assert.ok(e instanceof EnvError);
                assert.match(e.message, /STREAM_NAME is not set/);
                assert.match(e.message, /ALERTS_TOPIC_ARN=arn:aws:sqs:us-east-1:111122223333:q: must be an SNS topic ARN/);
                assert.match(e.message, /AUTOSCALER_MAX_SHARDS=lots: must be a whole number from 1 to 10000/);
                assert.match(e.message, /AUTOSCALER_LOW_WATER_PERCENT=-1: must be a whole number from 1 to 100/);
                assert.match(e.message, /AUTOSCALER_DRY_RUN=yes: must be true or false/);
                assert.match(e.message, /AUTOSCALER_POLICY=magic: must be one of planning, reactive/);
                return true;
            },
        );
        assert.throws(
            () => loadConfig({ STREAM_NAME: "s", ALERTS_TOPIC_ARN: TOPIC, AUTOSCALER_MIN_SHARDS: "8", AUTOSCALER_MAX_SHARDS: "4" }),
            /AUTOSCALER_MIN_SHARDS=8 is above AUTOSCALER_MAX_SHARDS=4/,
        );
    });
});

describe("autoscaler metrics: GetMetricData", () => {
    it("asks for the five stream metrics per minute over whole minutes before now", () => {
        const w = metricWindow(NOW, 60);
        assert.deepEqual(w, { start: Date.UTC(2025, 10, 3, 11, 0, 0), end: Date.UTC(2025, 10, 3, 12, 0, 0), minutes: 60 });
        const req = metricDataRequest("my-stream", w, "tok");
        assert.equal(req.NextToken, "tok");
        assert.equal(req.ScanBy, "TimestampAscending");
        assert.deepEqual(
            req.MetricDataQueries?.map((q) => [
                q.Id,
                q.MetricStat?.Metric?.MetricName,
                q.MetricStat?.Stat,
                q.MetricStat?.Period,
                q.MetricStat?.Metric?.Namespace,
                q.MetricStat?.Metric?.Dimensions,
            ]),
            STREAM_METRICS.map((m) => [m.id, m.metricName, m.stat, 60, "AWS/Kinesis", [{ Name: "StreamName", Value: "my-stream" }]]),
        );
        assert.deepEqual(
            STREAM_METRICS.map((m) => `${m.metricName}:${m.stat}`),
            ["IncomingBytes:Sum", "IncomingRecords:Sum", "WriteProvisionedThroughputExceeded:Sum", "GetRecords.Bytes:Sum", "GetRecords.IteratorAgeMilliseconds:Maximum"],
        );
    });

    it("parses pages into one entry per minute; missing minutes count as 0 and are reported", () => {
        const w = metricWindow(NOW, 3);
        const t = (i: number) => new Date(w.start + i * MIN);
        const parsed = parseMetricData(
            [
                { Id: "incomingRecords", Timestamps: [t(0), t(2)], Values: [100, 300] },
                { Id: "incomingBytes", Timestamps: [t(0)], Values: [1_000] },
                { Id: "incomingBytes", Timestamps: [t(2)], Values: [3_000] }, // a second page
                { Id: "iteratorAge", Timestamps: [t(1)], Values: [5_000] },
                { Id: "writeThrottled", Timestamps: [t(2), new Date(w.end)], Values: [7, 9] },
                { Id: "mystery", Timestamps: [t(0)], Values: [1] },
            ],
            w,
        );
        assert.deepEqual(
            parsed.minutes.map((m) => [m.incomingRecords, m.incomingBytes, m.iteratorAgeMs, m.throttledRecords]),
            [
                [100, 1_000, 0, 0],
                [0, 0, 5_000, 0],
                [300, 3_000, 0, 7],
            ],
        );
        assert.equal(parsed.minutesWithoutData, 1);
        assert.equal(parsed.unpublished, 0);
        assert.equal(parsed.ignored.length, 2);
        assert.match(parsed.ignored.join(" "), /WriteProvisionedThroughputExceeded datapoint 2025-11-03T12:00:00.000Z/);
        assert.match(parsed.ignored.join(" "), /unknown Id mystery/);
    });
});

describe("autoscaler metrics: minutes not published yet", () => {
    const w = metricWindow(NOW, 6);
    const at = (i: number) => new Date(w.start + i * MIN);
    const series = (upTo: number) => [{ Id: "incomingRecords", Timestamps: Array.from({ length: upTo }, (_, i) => at(i)), Values: Array.from({ length: upTo }, () => 60_000) }];

    it("up to two trailing minutes without any datapoint are left out, not read as zero", () => {
        const one = parseMetricData(series(5), w);
        assert.equal(one.unpublished, 1);
        assert.equal(one.minutes.length, 5);
        assert.equal(one.minutes[4]!.incomingRecords, 60_000);
        const three = parseMetricData(series(3), w);
        assert.equal(three.unpublished, 2);
        assert.equal(three.minutes.length, 4);
        assert.equal(three.minutes[3]!.incomingRecords, 0);
        assert.equal(three.minutesWithoutData, 1);
    });

    it("an idle stream (no datapoints at all) reads as zero traffic", () => {
        const idle = parseMetricData([], w);
        assert.equal(idle.minutes.length, 4);
        assert.ok(idle.minutes.every((m) => m.incomingRecords === 0));
        assert.equal(idle.minutesWithoutData, 4);
    });
});

describe("autoscaler events", () => {
    const sample = (name: string) => JSON.parse(fs.readFileSync(path.join(ROOT, "events", "autoscaler", name), "utf8")) as unknown;

    it("the sample scheduled event and EventBridge's Scheduled Event are schedules", () => {
        assert.deepEqual(parseTrigger(sample("schedule-idle-stream-scales-in.json")), { kind: "schedule", description: "schedule" });
        assert.deepEqual(parseTrigger({}), { kind: "schedule", description: "schedule" });
        assert.equal(parseTrigger({ "detail-type": "Scheduled Event", source: "aws.events", resources: ["arn:aws:events:us-east-1:1:rule/r"] }).kind, "schedule");
    });

    it("the sample alarm event (CloudWatch alarm action) and the EventBridge alarm state change are alarms", () => {
        assert.deepEqual(parseTrigger(sample("write-throttled-alarm-scales-out.json")), {
            kind: "alarm",
            alarmName: "kinesis-streaming-dev-autoscaler-write-throttled",
            state: "ALARM",
            description: "alarm kinesis-streaming-dev-autoscaler-write-throttled (ALARM)",
        });
        const eb = parseTrigger({ "detail-type": "CloudWatch Alarm State Change", source: "aws.cloudwatch", detail: { alarmName: "a", state: { value: "OK" } } });
        assert.deepEqual(eb, { kind: "alarm", alarmName: "a", state: "OK", description: "alarm a (OK)" });
    });

    it("anything else is an error naming what it got", () => {
        assert.throws(() => parseTrigger("go"), EventError);
        assert.throws(() => parseTrigger({ Records: [] }), /unexpected event with keys Records/);
        assert.throws(() => parseTrigger({ source: "aws.cloudwatch", alarmData: { alarmName: "a" } }), /alarmData.state.value/);
        assert.throws(() => parseTrigger({ source: "aws.cloudwatch" }), /not an alarm event/);
    });
});
