// npm run policy:check: the pack against a `pulumi stack export` (v3) or `pulumi preview --json`
// file, as CI runs it. Each run is made once in `before`, in-process (policyCheckMain as runMain runs
// it: same output, same exit code) but for two real processes (tools/policy-check.ts run as `npm run` does),
// started first and run alongside, for what only a process shows: its exit code, its output flushed to
// a pipe, an error on stderr without a stack trace. Each test then asserts on its run.
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Violation } from "../../tools/lib/analyzer-protocol";
import { policyCheckMain, USAGE } from "../../tools/policy-check";
import { runInProcess } from "../support/in-process";
import { UNKNOWN } from "../support/policy-harness";
import { type ToolRun, toolCommand } from "../support/run-tool";

const ROOT = path.resolve(__dirname, "..", "..");
const F = (name: string) => `tests/fixtures/${name}`;

interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
}

function policyCheck(args: string[]): Promise<Run> {
    return new Promise((resolve) => {
        const tool = toolCommand("policy-check.ts", args);
        execFile(tool.command, tool.args, { cwd: ROOT, encoding: "utf8", timeout: 60_000 }, (err, stdout, stderr) => {
            const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
            resolve({ code, stdout, stderr });
        });
    });
}

/** policyCheckMain as runMain runs it, from the project root as `npm run` does. */
async function policyCheckInProcess(args: string[]): Promise<Run> {
    const cwd = process.cwd();
    process.chdir(ROOT);
    try {
        const r: ToolRun = await runInProcess((io) => policyCheckMain(args, io), USAGE, 2);
        return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    } finally {
        process.chdir(cwd);
    }
}

/** The runs named in `spawned` as processes, started at once; the others in-process, one after another meanwhile. */
async function runAll(jobs: Record<string, string[]>, spawned: string[]): Promise<Record<string, Run>> {
    const processes = spawned.map(async (name) => [name, await policyCheck(jobs[name]!)] as const);
    const out: Record<string, Run> = {};
    for (const [name, args] of Object.entries(jobs)) if (!spawned.includes(name)) out[name] = await policyCheckInProcess(args);
    for (const [name, run] of await Promise.all(processes)) out[name] = run;
    return out;
}

const hasStackTrace = (text: string) => /^\s+at .+:\d+:\d+\)?$/m.test(text);
const lines = (text: string) => text.split("\n").filter((l) => l !== "");

const PROD = "urn:pulumi:prod::kinesis-streaming::";
const CLICKS = `${PROD}streaming:kinesis:Stream$aws:kinesis/stream:Stream::prod-clickstream`;
const EVENTS = `${PROD}streaming:kinesis:Stream$aws:kinesis/stream:Stream::prod-stream`;
const KEY = `${PROD}streaming:kms:EncryptionKey$aws:kms/key:Key::prod-key`;
const TOPIC = `${PROD}streaming:sns:Alerts$aws:sns/topic:Topic::prod-alerts`;

const KEY_COHERENCE = (name: string, key: string) =>
    `${name} uses KMS key ${JSON.stringify(key)}, which is not a key declared in this stack; use the stack's key (an adopted key goes in externalKeyArns).`;
const ALARM = `${PROD}streaming:kinesis:Stream$aws:cloudwatch/metricAlarm:MetricAlarm::prod-stream-iterator-age`;
const SOME_METRICS =
    "shardLevelMetrics lacks IncomingRecords, OutgoingBytes, OutgoingRecords, WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded; enable them (or ALL).";
const m = (policyName: string, urn: string, message: string): Violation => ({ policyName, enforcementLevel: "mandatory", urn, message });

/** The fourteen violations of stack-export-noncompliant.json with no config, sorted by URN then policy. */
const NONCOMPLIANT: Violation[] = [
    m("cloudwatch-alarm-actions", ALARM, "alarmActions is empty; notify the alerts topic (or invoke the function that acts on it)."),
    m("kinesis-stream-encrypted", CLICKS, 'encryptionType is "NONE"; set encryptionType "KMS" with kmsKeyId.'),
    m("kinesis-stream-enhanced-monitoring", CLICKS, SOME_METRICS),
    m("kinesis-stream-iterator-age-alarm", CLICKS, "stream prod-clickstream has no GetRecords.IteratorAgeMilliseconds alarm on its StreamName."),
    m("kinesis-stream-customer-key", EVENTS, 'kmsKeyId "alias/aws/kinesis" is the AWS-managed key; use a customer-managed key.'),
    m("kinesis-stream-enhanced-monitoring", EVENTS, SOME_METRICS),
    m(
        "kinesis-stream-iterator-age-alarm",
        EVENTS,
        "stream prod-stream: its iterator-age alarm needs an alarm action and a threshold of at most 43200000 ms (0.5 of 24 h retention).",
    ),
    m("kinesis-stream-retention", EVENTS, "retentionPeriod is 24 h; at least 168 h is required."),
    m("pipeline-key-coherence", EVENTS, KEY_COHERENCE("prod-stream", "alias/aws/kinesis")),
    m("kms-key-rotation", KEY, "enableKeyRotation is not true; turn on automatic key rotation."),
    m("pipeline-key-coherence", TOPIC, KEY_COHERENCE("prod-alerts", "alias/aws/sns")),
    m("sns-topic-encrypted", TOPIC, 'kmsMasterKeyId "alias/aws/sns" is AWS-managed; CloudWatch alarms cannot publish to it. Use a customer-managed key.'),
    m("sns-topic-tls-only", TOPIC, "topic prod-alerts has no topic policy; attach one that denies sns:Publish when aws:SecureTransport is false."),
    m(
        "sns-subscription-redrive",
        `${PROD}streaming:sns:Alerts$aws:sns/topicSubscription:TopicSubscription::prod-alerts-email-streaming-oncall-example-com`,
        "email subscription has no redrivePolicy; SNS discards what it cannot deliver. Set redrivePolicy to { deadLetterTargetArn: <an encrypted SQS queue only the topic may send to> }.",
    ),
];

/** stack-export-pipeline-noncompliant.json: the whole pipeline (tests/support/policy-harness.ts compliantPipeline) with one break per line below. */
const T = "urn:pulumi:test::kinesis-streaming::";
const PIPE = {
    table: `${T}aws:dynamodb/table:Table::orders-results`,
    stream: `${T}aws:kinesis/stream:Stream::orders`,
    key: `${T}aws:kms/key:Key::app-key`,
    topic: `${T}aws:sns/topic:Topic::alerts`,
    firehose: `${T}streaming:firehose:Archive$aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream::orders-archive`,
    bucket: `${T}streaming:firehose:Archive$aws:s3/bucket:Bucket::orders-archive`,
    logBucketBlock: `${T}streaming:firehose:Archive$aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock::orders-archive-access-logs`,
    consumerPolicy: `${T}streaming:lambda:Consumer$aws:iam/rolePolicy:RolePolicy::orders-consumer`,
    esm: `${T}streaming:lambda:Consumer$aws:lambda/eventSourceMapping:EventSourceMapping::orders-consumer`,
    consumerFunction: `${T}streaming:lambda:Consumer$aws:lambda/function:Function::orders-consumer`,
    queue: `${T}streaming:lambda:Consumer$aws:sqs/queue:Queue::orders-consumer-failures`,
    ingestLogs: `${T}streaming:producers:Producers$aws:cloudwatch/logGroup:LogGroup::orders-ingest`,
    ingestFunction: `${T}streaming:producers:Producers$aws:lambda/function:Function::orders-ingest`,
};
const PIPELINE_NONCOMPLIANT: Violation[] = [
    m("dynamodb-table-pitr", PIPE.table, "pointInTimeRecovery is not enabled; set pointInTimeRecovery.enabled true."),
    m("kinesis-stream-retention", PIPE.stream, "retentionPeriod is 48 h; at least 168 h is required."),
    m(
        "pipeline-retention-covers-replay",
        PIPE.stream,
        "stream orders keeps records 48 h, less than the 1 h record age of event source mapping orders-consumer plus the 72 h replay window (73 h); raise retentionPeriod or lower maximumRecordAgeInSeconds.",
    ),
    m("kms-key-policy-no-wildcard-principal", PIPE.key, "statement Everyone allows kms:* to every principal; grant the account root and name the actions each service needs."),
    m("sns-topic-tls-only", PIPE.topic, "topic alerts has no topic policy; attach one that denies sns:Publish when aws:SecureTransport is false."),
    m("firehose-buffering", PIPE.firehose, "bufferingSize is 200 MiB; Firehose accepts 1 to 128 MiB."),
    m("firehose-destination-bucket", PIPE.firehose, "delivery stream orders-archive delivers to bucket orders-archive, which fails s3-bucket-versioning."),
    m("s3-bucket-versioning", PIPE.bucket, "bucket orders-archive has no BucketVersioning; add one with status Enabled."),
    m("s3-public-access-block-flags", PIPE.logBucketBlock, "restrictPublicBuckets is not true; set all four flags to true."),
    m(
        "iam-streaming-role-purpose",
        PIPE.consumerPolicy,
        "role orders-consumer consumes streams (its function is invoked by event source mapping orders-consumer) but statement Echo allows kinesis:PutRecords; a consumer gets only read actions on the streams it reads.",
    ),
    m("pipeline-esm-error-handling", PIPE.esm, "event source mapping orders-consumer does not bisect failing batches; set bisectBatchOnFunctionError true."),
    m("pipeline-esm-error-handling", PIPE.esm, "event source mapping orders-consumer retries a failing batch until its records expire (maximumRetryAttempts -1); set 0 to 10."),
    m("lambda-function-explicit-limits", PIPE.consumerFunction, "memorySize not set (Lambda's defaults: 3 s, 128 MB); size the function for a full batch."),
    m("lambda-runtime-supported", PIPE.consumerFunction, "runtime nodejs18.x is older than nodejs22.x, the oldest supported nodejs runtime; upgrade it."),
    m("pipeline-alarms", PIPE.queue, "queue orders-consumer-failures receives failed batches but has no AWS/SQS ApproximateNumberOfMessagesVisible alarm."),
    m(
        "sqs-dlq-retention",
        PIPE.queue,
        "queue orders-consumer-failures keeps failed-batch messages 3600 s; the 72 h replay window needs messageRetentionSeconds of at least 259200.",
    ),
    m("sqs-queue-policy", PIPE.queue, "queue orders-consumer-failures has no queue policy; attach one that denies sqs:* when aws:SecureTransport is false."),
    m("cloudwatch-log-group-retention", PIPE.ingestLogs, "retentionInDays is not set (logs never expire); set at least 30 days."),
    m("lambda-function-explicit-limits", PIPE.ingestFunction, "timeout and memorySize not set (Lambda's defaults: 3 s, 128 MB); size the function for a full batch."),
];

const text = (v: Violation) => `${v.enforcementLevel} ${v.policyName} ${v.urn}: ${v.message}`;

const DEV_STREAM = "urn:pulumi:dev::kinesis-streaming::streaming:kinesis:Stream$aws:kinesis/stream:Stream::dev-stream";
const DEV_TOPIC = "urn:pulumi:dev::kinesis-streaming::streaming:sns:Alerts$aws:sns/topic:Topic::dev-alerts";
const cantRun = (policy: string, path: string) =>
    `can't run policy '${policy}' from policy pack 'kinesis-streaming-policies@v0.1.0' during preview: string value at .${path} can't be known during preview`;
/** What preview-dev.json (a first preview of dev: ARNs unknown) yields besides the retention rule, in the engine's order. */
const PREVIEW_UNKNOWNS: Violation[] = [
    // A stack policy's diagnostic carries no URN (the tool names the root stack): the topic policy's document (built from the topic's ARN) is unknown.
    {
        policyName: "sns-topic-tls-only",
        enforcementLevel: "advisory",
        urn: "urn:pulumi:dev::kinesis-streaming::pulumi:pulumi:Stack::kinesis-streaming-dev",
        message: cantRun("sns-topic-tls-only", "policy"),
    },
    { policyName: "kinesis-stream-customer-key", enforcementLevel: "advisory", urn: DEV_STREAM, message: cantRun("kinesis-stream-customer-key", "kmsKeyId") },
    { policyName: "kinesis-stream-encrypted", enforcementLevel: "advisory", urn: DEV_STREAM, message: cantRun("kinesis-stream-encrypted", "kmsKeyId") },
    { policyName: "sns-topic-encrypted", enforcementLevel: "advisory", urn: DEV_TOPIC, message: cantRun("sns-topic-encrypted", "kmsMasterKeyId") },
    {
        policyName: "sns-topic-policy-not-public",
        enforcementLevel: "advisory",
        urn: DEV_TOPIC.replace("aws:sns/topic:Topic::", "aws:sns/topicPolicy:TopicPolicy::"),
        message: cantRun("sns-topic-policy-not-public", "policy"),
    },
];
const PREVIEW_RETENTION: Violation = {
    policyName: "kinesis-stream-retention",
    enforcementLevel: "mandatory",
    urn: DEV_STREAM,
    message: "retentionPeriod is 24 h; at least 168 h is required.",
};

/**
 * stack-export-compliant.json as `pulumi stack export` without --show-secrets writes it when the
 * stream's key is a secret: `{sig, ciphertext}` in its inputs and outputs.
 */
function exportWithSecretKey(): string {
    const doc = JSON.parse(fs.readFileSync(path.join(ROOT, F("stack-export-compliant.json")), "utf8")) as {
        deployment: { resources: { urn: string; inputs: Record<string, unknown>; outputs: Record<string, unknown> }[] };
    };
    const stream = doc.deployment.resources.find((r) => r.urn === EVENTS)!;
    const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:AAAA" };
    stream.inputs.kmsKeyId = secret;
    stream.outputs.kmsKeyId = secret;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "policy-check-")), "secret-export.json");
    fs.writeFileSync(file, JSON.stringify(doc));
    return file;
}

describe("npm run policy:check", function () {
    this.timeout(120_000);
    let runs: Record<string, Run>;
    let secretExport: string;

    before(async () => {
        secretExport = exportWithSecretKey();
        runs = await runAll(
            {
                secretExport: [secretExport],
                noncompliant: [F("stack-export-noncompliant.json")],
                noncompliantJson: [F("stack-export-noncompliant.json"), "--json"],
                noncompliantDev: ["--json", F("stack-export-noncompliant.json"), "--config", "policies/config/dev.json"],
                pipeline: [F("stack-export-pipeline-noncompliant.json")],
                pipelineJson: [F("stack-export-pipeline-noncompliant.json"), "--json"],
                pipelineDev: [F("stack-export-pipeline-noncompliant.json"), "--json", "--config", "policies/config/dev.json"],
                compliant: [F("stack-export-compliant.json")],
                compliantJson: [F("stack-export-compliant.json"), "--json"],
                preview: [F("preview-dev.json")],
                previewDev: [F("preview-dev.json"), "--config", "policies/config/dev.json"],
                malformed: [F("malformed.json")],
                missing: [F("does-not-exist.json")],
                outputs: [F("stack-outputs.json")],
                v2: [F("stack-export-v2.json")],
                noUrn: [F("stack-export-no-urn.json")],
                missingConfig: [F("stack-export-compliant.json"), "--config", F("no-such-config.json")],
                noArgs: [],
            },
            ["pipelineJson", "malformed"],
        );
    });

    const run = (name: string): Run => {
        const r = runs[name];
        assert.ok(r, `no run named ${name}`);
        return r;
    };

    after(() => fs.rmSync(path.dirname(secretExport), { recursive: true, force: true }));

    it("an export without --show-secrets: a mandatory rule that cannot see a secret fails closed, naming the resource and the fix (exit 1)", () => {
        const r = run("secretExport");
        assert.equal(r.code, 1, r.stderr);
        const hidden = (policy: string) =>
            m(
                policy,
                EVENTS,
                "cannot check .kmsKeyId of prod-stream: the export holds it as an encrypted secret; export with 'pulumi stack export --show-secrets' to check it (the file then holds the secrets in plain text).",
            );
        assert.deepEqual(lines(r.stdout), [
            ...[hidden("kinesis-stream-customer-key"), hidden("kinesis-stream-encrypted")].map(text),
            "14 resources checked: 2 mandatory, 0 advisory violation(s)",
        ]);
    });

    describe("a pulumi stack export (v3) that breaks several rules", () => {
        it("exits 1 and prints each violation once, sorted by URN, as '<level> <policy> <urn>: <message>'", () => {
            const r = run("noncompliant");
            assert.equal(r.code, 1, r.stderr);
            assert.equal(r.stderr, "");
            assert.deepEqual(lines(r.stdout), [...NONCOMPLIANT.map(text), "13 resources checked: 14 mandatory, 0 advisory violation(s)"]);
        });

        it("orders lines by URN, then policy", () => {
            const urns = NONCOMPLIANT.map((v) => v.urn);
            assert.deepEqual(
                urns,
                [...urns].sort((a, b) => a.localeCompare(b)),
            );
            assert.equal(new Set(NONCOMPLIANT.map(text)).size, NONCOMPLIANT.length);
        });

        it("--json prints one array of {policyName, enforcementLevel, urn, message}", () => {
            const r = run("noncompliantJson");
            assert.equal(r.code, 1, r.stderr);
            assert.equal(lines(r.stdout).length, 1);
            const parsed = JSON.parse(r.stdout) as Violation[];
            assert.deepEqual(parsed, NONCOMPLIANT);
            for (const v of parsed) assert.deepEqual(Object.keys(v), ["policyName", "enforcementLevel", "urn", "message"]);
        });

        it("--config policies/config/dev.json applies dev's levels and minimum retention", () => {
            const r = run("noncompliantDev");
            assert.equal(r.code, 1, r.stderr);
            const advisory = [
                "kinesis-stream-customer-key",
                "kinesis-stream-iterator-age-alarm",
                "kinesis-stream-enhanced-monitoring",
                "pipeline-key-coherence",
                "cloudwatch-alarm-actions",
            ];
            const expected = NONCOMPLIANT.filter((v) => v.policyName !== "kinesis-stream-retention").map((v) =>
                advisory.includes(v.policyName) ? { ...v, enforcementLevel: "advisory" as const } : v,
            );
            assert.deepEqual(JSON.parse(r.stdout), expected);
        });
    });

    describe("a pulumi stack export of the whole pipeline that breaks many rules", () => {
        it("exits 1 and reports each break exactly once, sorted by URN, then policy, then message", () => {
            const r = run("pipeline");
            assert.equal(r.code, 1, r.stderr);
            assert.equal(r.stderr, "");
            assert.deepEqual(lines(r.stdout), [...PIPELINE_NONCOMPLIANT.map(text), "37 resources checked: 19 mandatory, 0 advisory violation(s)"]);
            assert.equal(new Set(PIPELINE_NONCOMPLIANT.map(text)).size, PIPELINE_NONCOMPLIANT.length, "no violation twice");
            assert.deepEqual(
                PIPELINE_NONCOMPLIANT,
                [...PIPELINE_NONCOMPLIANT].sort((a, b) => a.urn.localeCompare(b.urn) || a.policyName.localeCompare(b.policyName) || a.message.localeCompare(b.message)),
            );
            assert.equal(new Set(PIPELINE_NONCOMPLIANT.map((v) => v.policyName)).size, 17, "seventeen rules broken");
        });

        it("--json prints the same violations, whole on a pipe (a process)", () => {
            const r = run("pipelineJson");
            assert.equal(r.code, 1, r.stderr);
            assert.deepEqual(JSON.parse(r.stdout), PIPELINE_NONCOMPLIANT);
        });

        it("--config policies/config/dev.json: 48 h covers dev's 23 h replay window and 24 h minimum, the queue alarm is advisory, the queue must keep 23 h", () => {
            const r = run("pipelineDev");
            assert.equal(r.code, 1, r.stderr);
            const expected = PIPELINE_NONCOMPLIANT.filter((v) => !["kinesis-stream-retention", "pipeline-retention-covers-replay"].includes(v.policyName)).map((v) =>
                v.policyName === "pipeline-alarms"
                    ? { ...v, enforcementLevel: "advisory" as const }
                    : v.policyName === "sqs-dlq-retention"
                      ? {
                            ...v,
                            message: "queue orders-consumer-failures keeps failed-batch messages 3600 s; the 23 h replay window needs messageRetentionSeconds of at least 82800.",
                        }
                      : v,
            );
            assert.deepEqual(JSON.parse(r.stdout), expected);
        });
    });

    describe("a compliant pulumi stack export", () => {
        it("exits 0 with a summary of what was checked", () => {
            const r = run("compliant");
            assert.equal(r.code, 0, r.stderr);
            assert.equal(r.stdout, "14 resources checked: 0 mandatory, 0 advisory violation(s)\n");
            assert.equal(r.stderr, "");
        });

        it("--json prints an empty array", () => {
            const r = run("compliantJson");
            assert.equal(r.code, 0, r.stderr);
            assert.equal(r.stdout, "[]\n");
        });
    });

    describe("pulumi preview --json output (steps[].newState)", () => {
        it("checks the new state of each step, skips deletes, and reports unknown ARNs as advisory", () => {
            const r = run("preview");
            assert.equal(r.code, 1, r.stderr);
            assert.deepEqual(lines(r.stdout), [
                text(PREVIEW_UNKNOWNS[0]!),
                text(PREVIEW_UNKNOWNS[1]!),
                text(PREVIEW_UNKNOWNS[2]!),
                text(PREVIEW_RETENTION),
                text(PREVIEW_UNKNOWNS[3]!),
                text(PREVIEW_UNKNOWNS[4]!),
                "11 resources checked: 1 mandatory, 5 advisory violation(s)",
            ]);
        });

        it("with --config policies/config/dev.json passes (exit 0) and keeps the advisory unknowns", () => {
            const r = run("previewDev");
            assert.equal(r.code, 0, r.stderr);
            assert.deepEqual(lines(r.stdout), [...PREVIEW_UNKNOWNS.map(text), "11 resources checked: 0 mandatory, 5 advisory violation(s)"]);
        });

        it("the fixture holds the engine's unknown sentinel where preview cannot know an ARN", () => {
            const doc = JSON.parse(fs.readFileSync(path.join(ROOT, F("preview-dev.json")), "utf8")) as {
                steps: { newState?: { type: string; inputs: Record<string, unknown> } }[];
            };
            const stream = doc.steps.find((s) => s.newState?.type === "aws:kinesis/stream:Stream");
            assert.equal(stream?.newState?.inputs.kmsKeyId, UNKNOWN);
            const topicPolicy = doc.steps.find((s) => s.newState?.type === "aws:sns/topicPolicy:TopicPolicy");
            assert.deepEqual([topicPolicy?.newState?.inputs.arn, topicPolicy?.newState?.inputs.policy], [UNKNOWN, UNKNOWN]);
        });
    });

    describe("unreadable input: exit 2, one clear line on stderr, no stack trace", () => {
        const expectInputError = (name: string, message: string | RegExp) => {
            const r = run(name);
            assert.equal(r.code, 2, r.stderr);
            assert.equal(r.stdout, "");
            assert.equal(hasStackTrace(r.stderr), false, r.stderr);
            assert.equal(lines(r.stderr).length, 1, r.stderr);
            if (typeof message === "string") assert.equal(r.stderr, `${message}\n`);
            else assert.match(r.stderr, message);
        };

        it("malformed JSON (a truncated export) (a process)", () => {
            expectInputError("malformed", /^tests\/fixtures\/malformed\.json is not JSON: \S.*\n$/);
        });

        it("a missing file", () => {
            expectInputError("missing", "Cannot read tests/fixtures/does-not-exist.json: ENOENT");
        });

        it("JSON of the wrong shape (stack outputs instead of an export)", () => {
            expectInputError(
                "outputs",
                `tests/fixtures/stack-outputs.json is not a stack file: expected a 'pulumi stack export' file (version 3, with "deployment"), 'pulumi preview --json' output (with "steps") or 'npm run preview:offline -- --json' output (with "resources" and "outputs")`,
            );
        });

        it("an export of deployment version 2", () => {
            expectInputError("v2", "tests/fixtures/stack-export-v2.json: deployment version 2 is not supported; export with a current Pulumi CLI (version 3)");
        });

        it("a resource without a URN", () => {
            expectInputError("noUrn", 'deployment.resources[1] has no valid "urn"');
        });

        it("a --config file that does not exist", () => {
            expectInputError(
                "missingConfig",
                "Cannot read policy config tests/fixtures/no-such-config.json: ENOENT: no such file or directory, open 'tests/fixtures/no-such-config.json'",
            );
        });
    });

    it("without a stack file exits 2 with the message and the usage", () => {
        const r = run("noArgs");
        assert.equal(r.code, 2);
        assert.equal(r.stdout, "");
        assert.equal(r.stderr, "A stack file is required\nusage: npm run policy:check -- <stack-export-or-preview.json> [--config <policy-config.json>] [--json]\n");
    });
});
