import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import { parse } from "yaml";
import { parseSettings, parseSubscription, PROJECT, SCHEMA, settingsFromConfig } from "../../infra/config";
import { ConfigError, rawDefault } from "../../infra/lib/config-reader";
import type { Key } from "../../infra/settings/fields";
import { policies } from "../../policies/policies";
import { pulumiConfigSection, withPulumiConfig } from "../../tools/lib/config-docs";
import { AWS_REGIONS, resolveRegion } from "../../infra/lib/regions";
import { TS_HOOK } from "../support/run-tool";

const raw = (values: Record<string, string>) => (key: string) => values[key];
const parseWith = (values: Record<string, string>, stack = "dev") => parseSettings(raw(values), stack);

function problemsOf(values: Record<string, string>): string[] {
    try {
        parseWith(values);
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
        return e.problems;
    }
    assert.fail(`expected ${JSON.stringify(values)} to be rejected`);
}

describe("config: parseSettings", () => {
    it("applies every default when nothing is set", () => {
        const s = parseWith({}, "dev");
        assert.equal(s.environment, "dev");
        assert.deepEqual(s.stream, {
            mode: "ON_DEMAND",
            shardCount: undefined,
            retentionHours: 168,
            shardLevelMetrics: [...SCHEMA.shardLevelMetrics.default],
            enforceConsumerDeletion: true,
            maxRecordSizeKib: 1024,
            warmThroughputMibps: undefined,
            accountHasMinimumThroughputCommitment: false,
        });
        assert.deepEqual(s.encryption, { existingKeyArn: undefined, deletionWindowDays: 30 });
        assert.deepEqual(s.alarms, { iteratorAgeMs: 60_000, throughputExceededThreshold: 0.01, putRecordsFailureRate: 0.01, evaluationPeriods: 5 });
        assert.deepEqual(s.ingest, { authorization: { type: "IAM" }, throttleRatePerSecond: 100, throttleBurst: 200, maxBodyBytes: 1_048_576 });
        assert.deepEqual(s.producers, { trustedPrincipals: [], iotTopicFilter: undefined, logGroupNames: [], cdcTableName: undefined });
        assert.deepEqual(s.alerts.subscriptions, []);
        assert.equal(s.deletionProtection, false);
        assert.deepEqual(s.replication, { region: undefined, capacity: "ON_DEMAND", warmThroughputMibps: undefined });
        assert.deepEqual(s.autoscaling, { enabled: false, minShards: 1, maxShards: 64, reservedConcurrency: 1, policy: "planning" });
    });

    it("reads a provisioned stream with its shard count, retention and alert endpoints", () => {
        const s = parseWith({
            streamMode: "PROVISIONED",
            shardCount: "12",
            retentionHours: "720",
            deletionProtection: "true",
            alertSubscriptions: JSON.stringify(["ops@example.com", "https://hooks.example.com/a", "arn:aws:sqs:us-east-1:123456789012:alerts"]),
        });
        assert.equal(s.stream.mode, "PROVISIONED");
        assert.equal(s.stream.shardCount, 12);
        assert.equal(s.stream.retentionHours, 720);
        assert.equal(s.deletionProtection, true);
        assert.deepEqual(
            s.alerts.subscriptions.map((x) => x.protocol),
            ["email", "https", "sqs"],
        );
    });

    const rejections: [string, Record<string, string>, string][] = [
        ["retention below 24 h", { retentionHours: "10" }, `Invalid configuration ${PROJECT}:retentionHours = "10": must be an integer from 24 to 8760 (hours)`],
        ["retention above 8760 h", { retentionHours: "9000" }, `Invalid configuration ${PROJECT}:retentionHours = "9000": must be an integer from 24 to 8760 (hours)`],
        ["fractional retention", { retentionHours: "24.5" }, `Invalid configuration ${PROJECT}:retentionHours = "24.5": must be an integer from 24 to 8760 (hours)`],
        ["unknown mode", { streamMode: "SERVERLESS" }, `Invalid configuration ${PROJECT}:streamMode = "SERVERLESS": must be one of ON_DEMAND, PROVISIONED`],
        [
            "zero archive buffering (not available with dynamic partitioning)",
            { archiveBufferIntervalSeconds: "0" },
            `Invalid configuration ${PROJECT}:archiveBufferIntervalSeconds = "0": must be an integer from 60 to 900 (seconds; dynamic partitioning allows no zero buffering)`,
        ],
        [
            "replicaCapacity without a replica",
            { replicaCapacity: "MATCH_PRIMARY" },
            `Invalid configuration ${PROJECT}:replicaCapacity = "MATCH_PRIMARY": applies only when replicaRegion is set`,
        ],
        [
            "the replica region's commitment without a replica",
            { replicaRegionHasMinimumThroughputCommitment: "true" },
            `Invalid configuration ${PROJECT}:replicaRegionHasMinimumThroughputCommitment = "true": applies only when replicaRegion is set`,
        ],
        [
            "an unknown replicaCapacity",
            { replicaRegion: "us-west-2", replicaCapacity: "SAME" },
            `Invalid configuration ${PROJECT}:replicaCapacity = "SAME": must be one of ON_DEMAND, MATCH_PRIMARY`,
        ],
        [
            "autoscaler concurrency above 1",
            { autoscalingReservedConcurrency: "2" },
            `Invalid configuration ${PROJECT}:autoscalingReservedConcurrency = "2": must be an integer from 0 to 1 (1 reserves one execution; 0 reserves none and relies on the autoscaler's lock)`,
        ],
        [
            "shard count with on-demand",
            { shardCount: "2" },
            `Invalid configuration ${PROJECT}:shardCount = "2": applies only when streamMode is PROVISIONED (on-demand streams manage their own shards); remove it or set 0`,
        ],
        [
            "a provisioned stream without shards",
            { streamMode: "PROVISIONED" },
            `Invalid configuration ${PROJECT}:shardCount = "0": is required when streamMode is PROVISIONED: an integer from 1 to 10000 (shards)`,
        ],
        [
            "too many shards",
            { streamMode: "PROVISIONED", shardCount: "10001" },
            `Invalid configuration ${PROJECT}:shardCount = "10001": must be an integer from 0 to 10000 (shards; 0 = not set)`,
        ],
        [
            "iterator age over half the retention",
            { retentionHours: "24", iteratorAgeAlarmMs: "43200001" },
            `Invalid configuration ${PROJECT}:iteratorAgeAlarmMs = "43200001": must be at most half the retention (43200000 ms for retentionHours 24), or records expire before anyone is alerted`,
        ],
        [
            "throttle threshold of zero",
            { throughputExceededAlarmPercent: "0" },
            `Invalid configuration ${PROJECT}:throughputExceededAlarmPercent = "0": must be an integer from 1 to 100 (percent of requests throttled)`,
        ],
        [
            "failure rate not a number",
            { putRecordsFailureAlarmPercent: "high" },
            `Invalid configuration ${PROJECT}:putRecordsFailureAlarmPercent = "high": must be an integer from 1 to 100 (percent of PutRecords entries failing)`,
        ],
        ["boolean typo", { deletionProtection: "yes" }, `Invalid configuration ${PROJECT}:deletionProtection = "yes": must be true or false`],
        [
            "unknown shard metric",
            { shardLevelMetrics: JSON.stringify(["IncomingBytes", "Latency"]) },
            `Invalid configuration ${PROJECT}:shardLevelMetrics = "Latency": each must be one of IncomingBytes, IncomingRecords, OutgoingBytes, OutgoingRecords, WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded, IteratorAgeMilliseconds`,
        ],
        ["metrics not a list", { shardLevelMetrics: "IncomingBytes" }, `Invalid configuration ${PROJECT}:shardLevelMetrics = "IncomingBytes": must be a list of strings`],
        [
            "malformed key ARN",
            { kmsKeyArn: "alias/my-key" },
            `Invalid configuration ${PROJECT}:kmsKeyArn = "alias/my-key": must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key-id>)`,
        ],
        [
            "existing key and a short deletion window",
            { kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", kmsKeyDeletionWindowDays: "7" },
            `Invalid configuration ${PROJECT}:kmsKeyDeletionWindowDays = "7": applies only to a key this stack creates; provide either kmsKeyArn or kmsKeyDeletionWindowDays, not both`,
        ],
        ["deletion window too short", { kmsKeyDeletionWindowDays: "3" }, `Invalid configuration ${PROJECT}:kmsKeyDeletionWindowDays = "3": must be an integer from 7 to 30 (days)`],
        [
            "an http alert endpoint",
            { alertSubscriptions: JSON.stringify(["http://insecure.example.com"]) },
            `Invalid configuration ${PROJECT}:alertSubscriptions = "http://insecure.example.com": each entry must be an email address (ops@example.com), an https:// URL or an SQS queue ARN; http:// would send alerts in clear text`,
        ],
        [
            "a mailto: alert endpoint (SNS has no such protocol)",
            { alertSubscriptions: JSON.stringify(["mailto:ops@example.com"]) },
            `Invalid configuration ${PROJECT}:alertSubscriptions = "mailto:ops@example.com": each entry must be an email address (ops@example.com), an https:// URL or an SQS queue ARN; SNS has no mailto protocol: give the address without "mailto:"`,
        ],
        [
            "bad environment name",
            { environment: "Prod_1" },
            `Invalid configuration ${PROJECT}:environment = "Prod_1": must be 1-20 characters: lowercase letters, digits and hyphens, starting with a letter`,
        ],
        [
            "JWT without an audience",
            { ingestAuthorization: "JWT", ingestJwtIssuer: "https://auth.example.com/" },
            `Invalid configuration ${PROJECT}:ingestJwtAudience = "[]": needs at least one audience when ingestAuthorization is JWT`,
        ],
        [
            "an untrusted principal form",
            { producerTrustedPrincipals: JSON.stringify(["123456789012"]) },
            `Invalid configuration ${PROJECT}:producerTrustedPrincipals = "123456789012": each entry must be an IAM account root, role or user ARN (arn:aws:iam::<account>:root|role/<name>|user/<name>)`,
        ],
        [
            "a log retention CloudWatch refuses",
            { logRetentionDays: "10" },
            `Invalid configuration ${PROJECT}:logRetentionDays = "10": must be one of the values CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653`,
        ],
        [
            "a record age as long as the retention",
            { retentionHours: "24", consumerMaxRecordAgeSeconds: "86400" },
            `Invalid configuration ${PROJECT}:consumerMaxRecordAgeSeconds = "86400": must be shorter than the retention (86400 s for retentionHours 24), so failed batches reach the on-failure destination while they can still be replayed`,
        ],
        [
            "unbounded retries",
            { consumerMaxRetryAttempts: "-1" },
            `Invalid configuration ${PROJECT}:consumerMaxRetryAttempts = "-1": must be an integer from 0 to 10000 (retries; -1 (forever) is not allowed)`,
        ],
        [
            "an unknown event type filter",
            { consumerFilterEventTypes: JSON.stringify(["order", "refund"]) },
            `Invalid configuration ${PROJECT}:consumerFilterEventTypes = "refund": each entry must be one of user_action, order, sensor_reading, log_line, change`,
        ],
        [
            "a Firehose buffer too small for dynamic partitioning",
            { archiveBufferSizeMb: "5" },
            `Invalid configuration ${PROJECT}:archiveBufferSizeMb = "5": must be an integer from 64 to 128 (MiB; dynamic partitioning needs at least 64)`,
        ],
        [
            "expiry before the transition",
            { archiveTransitionDays: "90", archiveExpirationDays: "60" },
            `Invalid configuration ${PROJECT}:archiveExpirationDays = "60": must be 0 (keep forever) or later than archiveTransitionDays (90)`,
        ],
        [
            "a freshness alarm shorter than the buffer",
            { archiveBufferIntervalSeconds: "600", archiveFreshnessAlarmSeconds: "300" },
            `Invalid configuration ${PROJECT}:archiveFreshnessAlarmSeconds = "300": must be longer than archiveBufferIntervalSeconds (600), or the alarm fires on every buffer`,
        ],
        [
            "autoscaling an on-demand stream",
            { autoscalingEnabled: "true" },
            `Invalid configuration ${PROJECT}:autoscalingEnabled = "true": applies only when streamMode is PROVISIONED (on-demand streams scale themselves)`,
        ],
        [
            "shards outside the autoscaling range",
            { streamMode: "PROVISIONED", shardCount: "1", autoscalingEnabled: "true", autoscalingMinShards: "2" },
            `Invalid configuration ${PROJECT}:shardCount = "1": must lie between autoscalingMinShards (2) and autoscalingMaxShards (64) when autoscaling is on`,
        ],
        [
            "a VPC without subnets",
            { vpcId: "vpc-0abc12345" },
            `Invalid configuration ${PROJECT}:vpcSubnetIds = "vpc-0abc12345": vpcId and vpcSubnetIds go together: set both for a Kinesis VPC endpoint, or neither`,
        ],
        [
            "a Flink artifact without its key",
            { analyticsArtifactBucket: "acme-flink" },
            `Invalid configuration ${PROJECT}:analyticsArtifactKey = "": analyticsArtifactBucket and analyticsArtifactKey go together: set both to deploy the Flink application, or neither`,
        ],
        [
            "half a workload",
            { workloadRecordsPerSecond: "100" },
            `Invalid configuration ${PROJECT}:workloadAverageRecordBytes = "0": must be declared together with its pair (workloadRecordsPerSecond and workloadAverageRecordBytes), or both left at 0`,
        ],
        [
            "a malformed region",
            { replicaRegion: "west" },
            `Invalid configuration ${PROJECT}:replicaRegion = "west": must be an AWS region code such as us-west-2 (infra/lib/regions.ts lists them)`,
        ],
        [
            "a region AWS does not have",
            { replicaRegion: "us-moon-1" },
            `Invalid configuration ${PROJECT}:replicaRegion = "us-moon-1": must be an AWS region code such as us-west-2 (infra/lib/regions.ts lists them)`,
        ],
        [
            "a record size below the Kinesis minimum",
            { maxRecordSizeKib: "512" },
            `Invalid configuration ${PROJECT}:maxRecordSizeKib = "512": must be an integer from 1024 to 10240 (KiB)`,
        ],
        ["a record size over 10 MiB", { maxRecordSizeKib: "10241" }, `Invalid configuration ${PROJECT}:maxRecordSizeKib = "10241": must be an integer from 1024 to 10240 (KiB)`],
        [
            "a record size the consumer Lambda could not be handed",
            { maxRecordSizeKib: "8192" },
            `Invalid configuration ${PROJECT}:maxRecordSizeKib = "8192": must be at most 4393 KiB: the consumer Lambda's event source mapping hands records over base64-encoded within Lambda's 6 MB invocation payload, so a larger record could never be processed`,
        ],
        [
            "warm throughput on a provisioned stream",
            { streamMode: "PROVISIONED", shardCount: "2", warmThroughputMibps: "100", accountHasMinimumThroughputCommitment: "true" },
            `Invalid configuration ${PROJECT}:warmThroughputMibps = "100": applies only when streamMode is ON_DEMAND (provisioned streams have no warm throughput); remove it or set 0`,
        ],
        [
            "warm throughput without the account's commitment",
            { warmThroughputMibps: "100" },
            `Invalid configuration ${PROJECT}:warmThroughputMibps = "100": needs accountHasMinimumThroughputCommitment: true (AWS accepts warm throughput only in accounts with the minimum throughput billing commitment, enabled account-wide outside this stack)`,
        ],
        [
            "warm throughput over the default 10 GiB/s limit",
            { warmThroughputMibps: "10241", accountHasMinimumThroughputCommitment: "true" },
            `Invalid configuration ${PROJECT}:warmThroughputMibps = "10241": must be an integer from 0 to 10240 (MiB/s; 0 = not set)`,
        ],
        [
            "a body limit over Lambda's payload limit",
            { ingestMaxBodyBytes: "7000000" },
            `Invalid configuration ${PROJECT}:ingestMaxBodyBytes = "7000000": must be an integer from 0 to 6000000 (bytes; 0 follows the stream; Lambda takes at most 6 MB synchronously)`,
        ],
        [
            "a body limit below 1 KiB",
            { ingestMaxBodyBytes: "512" },
            `Invalid configuration ${PROJECT}:ingestMaxBodyBytes = "512": must be 0 (follow the stream's record size) or from 1024 to 6000000 bytes`,
        ],
    ];
    for (const [what, values, message] of rejections) {
        it(`rejects ${what} with the key, the value and what is allowed`, () => {
            assert.deepEqual(problemsOf(values), [message]);
        });
    }

    it("reports every bad key at once, one line each", () => {
        const problems = problemsOf({ retentionHours: "1", streamMode: "x", alarmEvaluationPeriods: "0" });
        assert.equal(problems.length, 3);
        assert.deepEqual(
            problems.map((p) => p.split(" = ")[0]),
            [`Invalid configuration ${PROJECT}:streamMode`, `Invalid configuration ${PROJECT}:retentionHours`, `Invalid configuration ${PROJECT}:alarmEvaluationPeriods`],
        );
    });

    it("reads a refused string or list as given for the rules across keys, and a refused number as its default", () => {
        assert.deepEqual(problemsOf({ vpcSubnetIds: JSON.stringify(["subnet-1", "net-2"]) }), [
            `Invalid configuration ${PROJECT}:vpcSubnetIds = "subnet-1": each entry must be a subnet id such as subnet-0abc1234`,
            `Invalid configuration ${PROJECT}:vpcId = "[]": vpcId and vpcSubnetIds go together: set both for a Kinesis VPC endpoint, or neither`,
        ]);
        // retentionHours 10 is refused and read as 168 h, so an iterator age within half of 168 h raises nothing more.
        assert.deepEqual(problemsOf({ retentionHours: "10", iteratorAgeAlarmMs: "300000000" }), [
            `Invalid configuration ${PROJECT}:retentionHours = "10": must be an integer from 24 to 8760 (hours)`,
        ]);
    });

    it("the ingest body limit follows the stream's record size, unless set", () => {
        assert.equal(parseWith({}).ingest.maxBodyBytes, 1_048_576);
        assert.equal(parseWith({ maxRecordSizeKib: "4096" }).ingest.maxBodyBytes, 4 * 1_048_576);
        assert.equal(parseWith({ maxRecordSizeKib: "4393" }).ingest.maxBodyBytes, 4393 * 1024);
        assert.equal(parseWith({ maxRecordSizeKib: "4096", ingestMaxBodyBytes: "2048" }).ingest.maxBodyBytes, 2048);
    });

    it("accepts an iterator-age threshold of exactly half the retention", () => {
        assert.equal(parseWith({ retentionHours: "168", iteratorAgeAlarmMs: String(84 * 3_600_000) }).alarms.iteratorAgeMs, 302_400_000);
    });

    it("rejects a replica in the stack's own region, or in another partition", () => {
        const inRegion = (replicaRegion: string) => () => settingsFromConfig({ "aws:region": "us-east-1", [`${PROJECT}:replicaRegion`]: replicaRegion }, "dev", NO_ENV);
        assert.throws(inRegion("us-east-1"), {
            message: `Invalid configuration ${PROJECT}:replicaRegion = "us-east-1": must differ from the stack's own region (us-east-1, from aws:region)`,
        });
        assert.throws(inRegion("cn-north-1"), {
            message: `Invalid configuration ${PROJECT}:replicaRegion = "cn-north-1": must be in the stack's partition (aws, region us-east-1): one set of credentials cannot reach another partition`,
        });
        assert.equal(settingsFromConfig({ "aws:region": "cn-north-1", [`${PROJECT}:replicaRegion`]: "cn-northwest-1" }, "dev", NO_ENV).replication.region, "cn-northwest-1");
    });

    it("reports every bad alertSubscriptions entry, one line each, and keeps the good ones out of the error", () => {
        const problems = problemsOf({
            alertSubscriptions: JSON.stringify(["ops@example.com", "mailto:a@example.com", "sms:+15550100", "https://hooks.example.com/x", "Ops <ops@example.com>"]),
        });
        assert.deepEqual(
            problems.map((p) => JSON.parse(p.split(" = ")[1]!.split(": ")[0]!)),
            ["mailto:a@example.com", "sms:+15550100", "Ops <ops@example.com>"],
        );
        assert.ok(problems.every((p) => p.startsWith(`Invalid configuration ${PROJECT}:alertSubscriptions = `)));
    });

    it("infers the subscription protocol from the endpoint's form", () => {
        assert.deepEqual(parseSubscription("a@b.io"), { protocol: "email", endpoint: "a@b.io" });
        assert.deepEqual(parseSubscription("https://x.io/hook"), { protocol: "https", endpoint: "https://x.io/hook" });
        assert.deepEqual(parseSubscription("arn:aws:sqs:eu-west-1:123456789012:q.fifo"), { protocol: "sqs", endpoint: "arn:aws:sqs:eu-west-1:123456789012:q.fifo" });
        assert.equal(parseSubscription("sms:+15550100"), undefined);
    });
});

// No AWS_REGION, no AWS_DEFAULT_REGION and no shared config file: only what a test passes counts.
const NO_ENV: NodeJS.ProcessEnv = { AWS_CONFIG_FILE: path.join(os.tmpdir(), "no-such-aws-config") };

describe("config: the stack as a whole (unknown keys, region)", () => {
    const stackConfig = (values: Record<string, string>) => ({
        "aws:region": "us-east-1",
        ...Object.fromEntries(Object.entries(values).map(([k, v]) => [k.includes(":") ? k : `${PROJECT}:${k}`, v])),
    });
    function problemsOfStack(config: Record<string, string>, env = NO_ENV): string[] {
        try {
            settingsFromConfig(config, "dev", env);
        } catch (e) {
            assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
            return e.problems;
        }
        assert.fail(`expected ${JSON.stringify(config)} to be rejected`);
    }

    it("refuses a key of the project's namespace the program does not read, naming the nearest one", () => {
        assert.deepEqual(problemsOfStack(stackConfig({ shardcount: "2", alertSubscription: "[]", colour: "blue", retentionHours: "24" })), [
            `Unknown configuration ${PROJECT}:shardcount: did you mean ${PROJECT}:shardCount? Pulumi.yaml lists every key this program reads`,
            `Unknown configuration ${PROJECT}:alertSubscription: did you mean ${PROJECT}:alertSubscriptions? Pulumi.yaml lists every key this program reads`,
            `Unknown configuration ${PROJECT}:colour: Pulumi.yaml lists every key this program reads`,
        ]);
    });

    it("leaves other namespaces to their owners (aws:*, pulumi:*)", () => {
        assert.equal(settingsFromConfig(stackConfig({ "aws:profile": "ops", "aws:defaultTags": "{}", "pulumi:tags": "{}" }), "dev", NO_ENV).stack, "dev");
    });

    it("refuses a region AWS does not have, in aws:region or in the environment", () => {
        assert.deepEqual(problemsOfStack({ "aws:region": "us-moon-1" }), [
            `Invalid configuration aws:region = "us-moon-1": must be an AWS region code such as us-east-1 (infra/lib/regions.ts lists them)`,
        ]);
        assert.deepEqual(problemsOfStack({}, { ...NO_ENV, AWS_REGION: "us-esat-1" }), [
            `Invalid AWS region "us-esat-1" from the environment variable AWS_REGION: must be an AWS region code such as us-east-1 (infra/lib/regions.ts lists them)`,
        ]);
    });

    it("resolves the region as the provider does: aws:region, AWS_REGION, AWS_DEFAULT_REGION, then the profile", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aws-config-"));
        const file = path.join(dir, "config");
        fs.writeFileSync(file, "[default]\nregion = eu-west-1\n[profile ops]\noutput = json\nregion=ap-southeast-2\n");
        try {
            const env = { AWS_CONFIG_FILE: file, AWS_REGION: "eu-central-1", AWS_DEFAULT_REGION: "eu-north-1" };
            assert.deepEqual(resolveRegion({ "aws:region": "us-west-2" }, env), { region: "us-west-2", source: "aws:region" });
            assert.deepEqual(resolveRegion({}, env), { region: "eu-central-1", source: "the environment variable AWS_REGION" });
            assert.deepEqual(resolveRegion({}, { ...env, AWS_REGION: "" }), { region: "eu-north-1", source: "the environment variable AWS_DEFAULT_REGION" });
            assert.deepEqual(resolveRegion({}, { AWS_CONFIG_FILE: file }), { region: "eu-west-1", source: `profile "default" of ${file}` });
            assert.deepEqual(resolveRegion({ "aws:profile": "ops" }, { AWS_CONFIG_FILE: file, AWS_PROFILE: "other" }), {
                region: "ap-southeast-2",
                source: `profile "ops" of ${file}`,
            });
            assert.equal(resolveRegion({}, { AWS_CONFIG_FILE: file, AWS_PROFILE: "missing" }), undefined);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("fails with one line when nothing sets a region, instead of assuming us-east-1", () => {
        assert.deepEqual(problemsOfStack({}), [
            "No AWS region: set aws:region in the stack file (pulumi config set aws:region us-east-1), or AWS_REGION / AWS_DEFAULT_REGION, or a region in the AWS profile",
        ]);
    });

    it("knows every region of the installed provider outside the isolated partitions", () => {
        const providerRegions = Object.values(aws.Region).filter((r) => !/-iso[a-z]?-/.test(r));
        assert.deepEqual([...AWS_REGIONS].sort(), [...providerRegions].sort());
    });

    it("under the CLI's protocol (config in PULUMI_CONFIG), the program itself refuses a misspelt key", () => {
        const script = `require(${JSON.stringify(path.resolve(__dirname, "..", "..", "infra", "config.ts"))}).loadSettings()`;
        const r = spawnSync(process.execPath, ["--require", TS_HOOK, "-e", script], {
            encoding: "utf8",
            env: {
                ...process.env,
                ...NO_ENV,
                PULUMI_NODEJS_STACK: "dev",
                PULUMI_NODEJS_PROJECT: PROJECT,
                // The language host's form: "<namespace>:config:<key>" for older SDKs, cleaned by allConfig().
                PULUMI_CONFIG: JSON.stringify({ "aws:config:region": "us-east-1", [`${PROJECT}:shardcount`]: "2", [`${PROJECT}:owner`]: "me" }),
            },
        });
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, new RegExp(`Unknown configuration ${PROJECT}:shardcount: did you mean ${PROJECT}:shardCount\\?`));
    });
});

describe("config: Pulumi.yaml schema", () => {
    const root = path.resolve(__dirname, "..", "..");
    const project = parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as {
        name: string;
        main: string;
        config: Record<string, { default?: unknown }>;
    };

    it("names the project and the program the way infra/ expects", () => {
        assert.equal(project.name, PROJECT);
        assert.equal(project.main, "infra/index.ts");
    });

    it("the program accepts Pulumi.yaml's defaults, which the CLI passes as set values", () => {
        const defaults = Object.fromEntries(Object.entries(project.config).map(([k, v]) => [k, typeof v.default === "string" ? v.default : JSON.stringify(v.default)]));
        assert.deepEqual(parseWith(defaults, "dev"), parseWith({}, "dev"));
    });

    it("is what the schema renders (npm run gen:config): keys, types, descriptions and defaults come from infra/settings/schema.ts", () => {
        const committed = fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8");
        assert.equal(withPulumiConfig(committed), committed, "Pulumi.yaml's config section differs from the schema: run npm run gen:config");
    });

    it("parses back to the schema: each key's type, description and default survive YAML quoting", () => {
        const declared = (parse(pulumiConfigSection()) as { config: Record<string, { type: string; description: string; default: unknown; items?: unknown }> }).config;
        assert.deepEqual(Object.keys(declared), Object.keys(SCHEMA));
        for (const [key, def] of Object.entries(SCHEMA) as [string, Key<unknown>][]) {
            const d = declared[key];
            assert.deepEqual([d?.type, d?.description, d?.default, d?.items], [def.type, def.description, def.default, def.type === "array" ? { type: "string" } : undefined], key);
        }
    });

    it("every key of the schema has a description, and its default passes its own check", () => {
        for (const [key, def] of Object.entries(SCHEMA) as [string, Key<unknown>][]) {
            assert.ok(def.description.length > 10 && def.doc.length > 5, `${key} has no description`);
            assert.ok(def.check.safeParse(rawDefault(def)).success, `default of ${key}`);
        }
    });

    it("the policy pack's defaults (self-contained, it cannot import infra) agree with the schema's", () => {
        const schemaDefault = (policy: string, property: string) => {
            const p = policies.find((x) => x.name === policy) as { configSchema?: { properties?: Record<string, { default?: unknown }> } } | undefined;
            assert.ok(p, `the pack has ${policy}`);
            return p.configSchema?.properties?.[property]?.default;
        };
        // The stack's defaults are the least the pack accepts by default: a week of retention, 30 days of logs, one autoscaler run.
        assert.equal(schemaDefault("kinesis-stream-retention", "minRetentionHours"), SCHEMA.retentionHours.default);
        assert.equal(schemaDefault("cloudwatch-log-group-retention", "minRetentionDays"), SCHEMA.logRetentionDays.default);
        assert.equal(schemaDefault("lambda-autoscaler-concurrency", "maxReservedConcurrency"), SCHEMA.autoscalingReservedConcurrency.default);
        // The iterator-age alarm: at most this share of the retention, in the pack and in parseSettings alike.
        const share = schemaDefault("kinesis-stream-iterator-age-alarm", "maxThresholdShareOfRetention") as number;
        const limit = 24 * 3_600_000 * share;
        assert.equal(parseWith({ retentionHours: "24", iteratorAgeAlarmMs: String(limit) }).alarms.iteratorAgeMs, limit);
        assert.throws(() => parseWith({ retentionHours: "24", iteratorAgeAlarmMs: String(limit + 1) }), ConfigError);
    });

    it("each stack file only sets declared keys, and differs where environments should", () => {
        const stacks: Record<string, Record<string, unknown>> = {};
        for (const stack of ["dev", "staging", "prod"]) {
            const doc = parse(fs.readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
            for (const key of Object.keys(doc.config)) {
                const [ns, name] = key.split(":");
                if (ns === PROJECT) assert.ok(name! in project.config, `${stack} sets undeclared ${key}`);
                else assert.equal(ns, "aws", `${stack} sets ${key}`);
            }
            const values = Object.fromEntries(Object.entries(doc.config).map(([k, v]) => [k.replace(`${PROJECT}:`, ""), typeof v === "string" ? v : JSON.stringify(v)]));
            stacks[stack] = parseSettings(raw(values), stack) as unknown as Record<string, unknown>;
        }
        const dev = parseSettings(raw({}), "dev");
        const s = (n: string) => stacks[n] as unknown as typeof dev;
        assert.equal(s("dev").stream.mode, "ON_DEMAND");
        assert.equal(s("dev").stream.retentionHours, 24);
        assert.equal(s("prod").stream.mode, "PROVISIONED");
        assert.ok(s("prod").stream.retentionHours >= 168);
        assert.equal(s("prod").deletionProtection, true);
        assert.ok(s("prod").alerts.subscriptions.length > 0);
    });
});
