// The autoscaler function against kinesis-local (a child process that implements UpdateShardCount
// and stream tags), with CloudWatch and SNS stubbed by aws-sdk-client-mock.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { CloudWatchClient, GetMetricDataCommand, type GetMetricDataCommandInput, type MetricDataResult } from "@aws-sdk/client-cloudwatch";
import {
    AddTagsToStreamCommand,
    CreateStreamCommand,
    DescribeStreamSummaryCommand,
    type KinesisClient,
    ListTagsForStreamCommand,
    UpdateShardCountCommand,
} from "@aws-sdk/client-kinesis";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { build } from "esbuild";
import type { AutoscalerConfig } from "../../contracts/env/autoscaler";
import { createHandler } from "../../functions/autoscaler/handler";
import { HISTORY_TAG_KEY } from "../../contracts/tags";
import { AUTOSCALER_DEFAULTS } from "../../contracts/autoscaler-settings";
import { type KinesisLocal, startKinesisLocal } from "../../tools/local/kinesis-local";
import { ROOT } from "../support/run-tool";

const NOW = Date.UTC(2025, 10, 3, 12, 0, 30);
const MIN = 60_000;
const TOPIC = "arn:aws:sns:us-east-1:111122223333:kinesis-streaming-test-alerts";

/** Per-minute load in shard-equivalents (records/s / 1,000) and iterator age, by minute index in the window. */
type Load = (minute: number) => { shards: number; iteratorAgeMs?: number; throttled?: number };

/**
 * Answers GetMetricData as CloudWatch would for the asked window: one datapoint per minute per query,
 * none for the newest `unpublished` minutes.
 */
function metricAnswer(load: Load, unpublished = 0) {
    return (input: GetMetricDataCommandInput) => {
        const start = (input.StartTime as Date).getTime();
        const n = ((input.EndTime as Date).getTime() - start) / MIN - unpublished;
        const times = Array.from({ length: n }, (_, i) => new Date(start + i * MIN));
        const results: MetricDataResult[] = (input.MetricDataQueries ?? []).map((q) => ({
            Id: q.Id,
            Label: q.Label,
            StatusCode: "Complete",
            Timestamps: times,
            Values: times.map((_, i) => {
                const l = load(i);
                const records = l.shards * 60_000;
                switch (q.MetricStat?.Metric?.MetricName) {
                    case "IncomingRecords":
                        return records;
                    case "IncomingBytes":
                        return records * 400;
                    case "WriteProvisionedThroughputExceeded":
                        return l.throttled ?? 0;
                    case "GetRecords.IteratorAgeMilliseconds":
                        return l.iteratorAgeMs ?? 0;
                    default:
                        return records * 400;
                }
            }),
        }));
        return { MetricDataResults: results, Messages: [] };
    };
}

interface Recorded {
    metrics: { name: string; value: number }[];
    dimensions: Record<string, string>;
    published: number;
    logs: { level: string; message: string; extra: unknown }[];
}

describe("autoscaler function against kinesis-local (CloudWatch and SNS stubbed)", function () {
    this.timeout(60_000);
    let kl: KinesisLocal;
    let kinesis: KinesisClient;
    const cw = mockClient(CloudWatchClient);
    const sns = mockClient(SNSClient);

    before(async () => {
        kl = await startKinesisLocal({ updateShardCountMs: 400 });
        kinesis = kl.client();
    });
    after(async () => {
        cw.restore();
        sns.restore();
        await kl?.stop();
    });
    beforeEach(() => {
        cw.reset();
        sns.reset();
        sns.on(PublishCommand).resolves({ MessageId: "m-1" });
    });

    function handlerFor(
        stream: string,
        load: Load,
        opts: { dryRun?: boolean; client?: KinesisClient; settings?: Partial<typeof AUTOSCALER_DEFAULTS>; unpublished?: number; policy?: AutoscalerConfig["policy"] } = {},
    ) {
        cw.on(GetMetricDataCommand).callsFake(metricAnswer(load, opts.unpublished));
        const rec: Recorded = { metrics: [], dimensions: {}, published: 0, logs: [] };
        const config: AutoscalerConfig = {
            streamName: stream,
            alertsTopicArn: TOPIC,
            dryRun: opts.dryRun ?? false,
            policy: opts.policy ?? "reactive",
            settings: { ...AUTOSCALER_DEFAULTS, ...opts.settings },
        };
        const handler = createHandler({
            kinesis: opts.client ?? kinesis,
            cloudwatch: new CloudWatchClient({ region: "us-east-1" }),
            sns: new SNSClient({ region: "us-east-1" }),
            config,
            now: () => NOW,
            logger: {
                info: (message: string, extra?: unknown) => void rec.logs.push({ level: "info", message, extra }),
                warn: (message: string, extra?: unknown) => void rec.logs.push({ level: "warn", message, extra }),
                error: (message: string, extra?: unknown) => void rec.logs.push({ level: "error", message, extra }),
            } as never,
            metrics: {
                addDimension: (n: string, v: string) => void (rec.dimensions[n] = v),
                addMetric: (name: string, _unit: unknown, value: number) => void rec.metrics.push({ name, value }),
                publishStoredMetrics: () => void rec.published++,
            } as never,
        });
        return { handler, rec };
    }

    const tag = async (stream: string) => (await kinesis.send(new ListTagsForStreamCommand({ StreamName: stream }))).Tags?.find((t) => t.Key === HISTORY_TAG_KEY)?.Value;
    const status = async (stream: string) => (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary!;
    const metric = (rec: Recorded, name: string) => rec.metrics.find((m) => m.name === name)?.value;

    it("scales a busy stream out: UpdateShardCount, the call in the stream's tag, an alert with the reason, metrics", async () => {
        await kl.createStream("as-out", 2);
        const { handler, rec } = handlerFor("as-out", () => ({ shards: 1.8 }));
        const r = await handler({ trigger: "schedule" });
        assert.deepEqual(
            { ...r, reason: undefined },
            { trigger: "schedule", streamName: "as-out", outcome: "scaled", action: "scale-out", from: 2, target: 4, reason: undefined, callsInLast24h: 1 },
        );
        assert.match(r.reason, /latest minute needs 1\.80 shards \(records-bound\): 90% of 2 ≥ high water 75%: scale out 2 → 4/);
        assert.equal((await kl.waitForActive("as-out")).openShards, 4);
        assert.equal(await tag("as-out"), "+20251103T120030Z");

        // One GetMetricData request: the 60-minute window plus the 2 newest minutes that may not be
        // published yet, whole minutes before now, five queries, period 60.
        const q = cw.commandCalls(GetMetricDataCommand);
        assert.equal(q.length, 1);
        const input = q[0]!.args[0].input;
        assert.equal((input.StartTime as Date).toISOString(), "2025-11-03T10:58:00.000Z");
        assert.equal((input.EndTime as Date).toISOString(), "2025-11-03T12:00:00.000Z");
        assert.equal(input.MetricDataQueries?.length, 5);

        const pub = sns.commandCalls(PublishCommand);
        assert.equal(pub.length, 1);
        const msg = pub[0]!.args[0].input;
        assert.equal(msg.TopicArn, TOPIC);
        assert.equal(msg.Subject, "Kinesis autoscaler: as-out scaled out 2 -> 4 shards");
        assert.match(msg.Message!, /Why: latest minute needs 1\.80 shards/);
        assert.match(msg.Message!, /Trigger: schedule/);
        assert.match(msg.Message!, /Calls in the last 24 h: 1 of 10, this one included/);

        assert.deepEqual(rec.dimensions, { StreamName: "as-out" });
        assert.equal(metric(rec, "OpenShards"), 2);
        assert.equal(metric(rec, "UpdateShardCountCalls"), 1);
        assert.equal(metric(rec, "TargetShardCount"), 4);
        assert.equal(metric(rec, "UtilisationPercent"), 90);
        assert.equal(rec.published, 1);
    });

    it("planning: reads 14 days in requests of at most 100,800 datapoints, scales out ahead of the daily peak and says why", async () => {
        await kl.createStream("as-plan", 2);
        // 14 days of a daily cycle: half a shard's worth at 04:00, 3 at 16:00. The window starts at 12:00 UTC
        // (14 days before NOW), so minute i of it is (720 + i) % 1,440 of its day.
        const daily: Load = (i) => ({ shards: 0.5 + 2.5 * ((1 - Math.cos((2 * Math.PI * (((720 + i) % 1_440) - 240)) / 1_440)) / 2) });
        const { handler, rec } = handlerFor("as-plan", daily, { policy: "planning" });
        const result = await handler({ trigger: "schedule" });
        const requests = cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input);
        assert.ok(requests.length >= 1);
        let minutes = 0;
        for (const r of requests) {
            const span = ((r.EndTime as Date).getTime() - (r.StartTime as Date).getTime()) / MIN;
            assert.ok(span * (r.MetricDataQueries ?? []).length <= 100_800, `${span} minutes x ${(r.MetricDataQueries ?? []).length} metrics in one request`);
            minutes += span;
        }
        assert.equal(minutes, 14 * 1_440);
        assert.equal(result.outcome, "scaled");
        assert.equal(result.action, "scale-out");
        assert.match(result.reason, /^plan: 2 → \d+ for the coming 15 min \(weekly forecast .*the next 24 h reach their peak of \d+ shards at 1[3-6]:\d\d/);
        assert.ok((result.target ?? 0) >= 3);
        assert.equal((await status("as-plan")).StreamStatus, "UPDATING");
        assert.ok(rec.logs.some((l) => l.message === "UpdateShardCount called" && (l.extra as { policy: string }).policy === "planning"));
        // The same stream on the reactive rules: 2.4 of 2 shards is over the high water mark too, but
        // the reason is the latest minute, not a forecast.
        await kl.createStream("as-plan-reactive", 2);
        const reactive = await handlerFor("as-plan-reactive", daily, { policy: "reactive" }).handler({ trigger: "schedule" });
        assert.match(reactive.reason, /^latest minute needs/);
        await kl.waitForActive("as-plan");
        await kl.waitForActive("as-plan-reactive");
    });

    it("the newest minutes CloudWatch has not published yet are not read as a quiet stream", async () => {
        await kl.createStream("as-late", 2);
        // Busy only in the last published minute; the two newest minutes have no datapoints yet.
        const { handler } = handlerFor("as-late", (i) => ({ shards: i === 59 ? 1.8 : 0.5 }), { unpublished: 2 });
        const r = await handler({});
        assert.equal(r.outcome, "scaled");
        assert.match(r.reason, /latest minute needs 1\.80 shards/);
        await kl.waitForActive("as-late");
    });

    it("leaves an UPDATING stream alone without reading metrics or tags", async () => {
        await kl.createStream("as-busy", 1);
        await kinesis.send(new UpdateShardCountCommand({ StreamName: "as-busy", TargetShardCount: 2, ScalingType: "UNIFORM_SCALING" }));
        const { handler, rec } = handlerFor("as-busy", () => ({ shards: 5 }));
        const r = await handler({});
        assert.equal(r.outcome, "no-change");
        assert.match(r.reason, /stream is UPDATING: left alone until it is ACTIVE/);
        assert.equal(cw.commandCalls(GetMetricDataCommand).length, 0);
        assert.equal(sns.commandCalls(PublishCommand).length, 0);
        assert.equal(rec.published, 1);
        await kl.waitForActive("as-busy");
    });

    it("leaves an ON_DEMAND stream to Kinesis", async () => {
        await kinesis.send(new CreateStreamCommand({ StreamName: "as-od", StreamModeDetails: { StreamMode: "ON_DEMAND" } }));
        await kl.waitForActive("as-od");
        const { handler } = handlerFor("as-od", () => ({ shards: 50 }));
        const r = await handler({ trigger: "schedule" });
        assert.equal(r.outcome, "no-change");
        assert.match(r.reason, /ON_DEMAND: Kinesis manages its capacity/);
    });

    it("scales a quiet stream in, halving at most; not while consumers are behind", async () => {
        await kl.createStream("as-in", 4);
        const lagging = handlerFor("as-in", (i) => ({ shards: 0.3, iteratorAgeMs: i >= 57 ? 95_000 : 1_000 }));
        const held = await lagging.handler({});
        assert.equal(held.outcome, "no-change");
        assert.match(held.reason, /iterator age reached 95 s .*consumers are behind/);
        assert.equal(sns.commandCalls(PublishCommand).length, 0);
        assert.equal(await tag("as-in"), undefined);

        cw.reset();
        const quiet = handlerFor("as-in", () => ({ shards: 0.3, iteratorAgeMs: 1_000 }));
        const r = await quiet.handler({});
        assert.equal(r.outcome, "scaled");
        assert.equal(r.action, "scale-in");
        assert.equal(r.target, 2);
        assert.match(r.reason, /8% of 4 < low water 35% for 60 min: scale in 4 → 2 .*at most half per call/);
        assert.equal((await kl.waitForActive("as-in")).openShards, 2);
        assert.equal(await tag("as-in"), "-20251103T120030Z");
        assert.equal(sns.commandCalls(PublishCommand)[0]!.args[0].input.Subject, "Kinesis autoscaler: as-in scaled in 4 -> 2 shards");
    });

    it("reads its call history from the stream's tag: 10 calls in 24 h means no call; older calls are pruned", async () => {
        await kl.createStream("as-budget", 2);
        const full = Array.from({ length: 10 }, (_, i) => `+20251103T${String(i + 1).padStart(2, "0")}0000Z`).join(" ");
        await kinesis.send(new AddTagsToStreamCommand({ StreamName: "as-budget", Tags: { [HISTORY_TAG_KEY]: full, team: "data" } }));
        const { handler } = handlerFor("as-budget", () => ({ shards: 1.9 }));
        const held = await handler({});
        assert.equal(held.outcome, "no-change");
        assert.match(held.reason, /10 of 10 calls used in the last 24 h: no UpdateShardCount call until 2025-11-04T01:05:00Z/);
        assert.equal((await status("as-budget")).OpenShardCount, 2);

        // Nine of the calls were the day before: one counted, the new one added, the old ones dropped.
        const old = Array.from({ length: 9 }, (_, i) => `+20251102T${String(i + 1).padStart(2, "0")}0000Z`).join(" ");
        await kinesis.send(new AddTagsToStreamCommand({ StreamName: "as-budget", Tags: { [HISTORY_TAG_KEY]: `${old} -20251103T100000Z` } }));
        const r = await handler({});
        assert.equal(r.outcome, "scaled");
        assert.equal(r.callsInLast24h, 2);
        assert.equal(await tag("as-budget"), "-20251103T100000Z +20251103T120030Z");
        const tags = (await kinesis.send(new ListTagsForStreamCommand({ StreamName: "as-budget" }))).Tags;
        assert.ok(
            tags?.some((t) => t.Key === "team" && t.Value === "data"),
            "other tags untouched",
        );
        await kl.waitForActive("as-budget");
    });

    it("the scale-out alarm's event runs the same decision and is named in the alert", async () => {
        await kl.createStream("as-alarm", 1);
        const { handler } = handlerFor("as-alarm", () => ({ shards: 1, throttled: 1_520 }));
        const event = JSON.parse(fs.readFileSync(path.join(ROOT, "events", "autoscaler", "write-throttled-alarm-scales-out.json"), "utf8")) as unknown;
        const r = await handler(event);
        assert.equal(r.trigger, "alarm kinesis-streaming-dev-autoscaler-write-throttled (ALARM)");
        assert.equal(r.outcome, "scaled");
        assert.equal(r.target, 2);
        assert.match(sns.commandCalls(PublishCommand)[0]!.args[0].input.Message!, /Trigger: alarm kinesis-streaming-dev-autoscaler-write-throttled \(ALARM\)/);
        await kl.waitForActive("as-alarm");
    });

    it("dry run: says what it would do, calls nothing, records nothing", async () => {
        await kl.createStream("as-dry", 2);
        const { handler } = handlerFor("as-dry", () => ({ shards: 1.8 }), { dryRun: true });
        const r = await handler({});
        assert.equal(r.outcome, "dry-run");
        assert.equal(r.target, 4);
        assert.equal((await status("as-dry")).StreamStatus, "ACTIVE");
        assert.equal((await status("as-dry")).OpenShardCount, 2);
        assert.equal(await tag("as-dry"), undefined);
        assert.equal(sns.commandCalls(PublishCommand)[0]!.args[0].input.Subject, "Kinesis autoscaler (dry run): as-dry would scale out 2 -> 4");
    });

    it("when AWS refuses the call: LimitExceeded keeps it counted and alerts; a validation error restores the history and fails", async () => {
        await kl.createStream("as-refused", 2);
        const refusing = (name: string, message: string) =>
            new Proxy(kinesis, {
                get(target, prop, receiver) {
                    if (prop !== "send") return Reflect.get(target, prop, receiver);
                    return (cmd: unknown) => (cmd instanceof UpdateShardCountCommand ? Promise.reject(Object.assign(new Error(message), { name })) : target.send(cmd as never));
                },
            });
        const limited = handlerFor("as-refused", () => ({ shards: 1.8 }), { client: refusing("LimitExceededException", "Rate exceeded for stream as-refused") });
        const r = await limited.handler({});
        assert.equal(r.outcome, "refused");
        assert.match(r.reason, /AWS refused: LimitExceededException: Rate exceeded/);
        assert.equal(await tag("as-refused"), "+20251103T120030Z");
        const alert = sns.commandCalls(PublishCommand)[0]!.args[0].input;
        assert.equal(alert.Subject, "Kinesis autoscaler: UpdateShardCount failed for as-refused (LimitExceededException)");
        assert.match(alert.Message!, /stays counted/);
        assert.equal(metric(limited.rec, "ScalingFailures"), 1);

        sns.reset();
        sns.on(PublishCommand).resolves({});
        cw.reset();
        const invalid = handlerFor("as-refused", () => ({ shards: 1.8 }), { client: refusing("InvalidArgumentException", "bad target"), settings: { scaleOutCooldownMinutes: 0 } });
        await assert.rejects(invalid.handler({}), /bad target/);
        assert.equal(await tag("as-refused"), "+20251103T120030Z", "the history as it was before this attempt");
        assert.match(sns.commandCalls(PublishCommand)[0]!.args[0].input.Message!, /was not counted/);
        assert.equal(invalid.rec.published, 1);
    });

    it("an event of neither shape fails before touching the stream", async () => {
        const { handler } = handlerFor("as-out", () => ({ shards: 1 }));
        await assert.rejects(handler({ Records: [] }), /unexpected event with keys Records/);
    });

    it("the Lambda entry bundles without any @pulumi module", async () => {
        const out = await build({
            entryPoints: [path.join(ROOT, "functions", "autoscaler", "index.ts")],
            bundle: true,
            platform: "node",
            target: "node22",
            write: false,
            metafile: true,
            logLevel: "silent",
        });
        const inputs = Object.keys(out.metafile.inputs);
        assert.ok(inputs.some((i) => i.includes("functions/autoscaler/handler.ts")));
        assert.deepEqual(
            inputs.filter((i) => i.includes("@pulumi")),
            [],
        );
    });
});
