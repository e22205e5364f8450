import { strict as assert } from "node:assert";
import { SHARD_LEVEL_METRICS } from "../../infra/config";
import type { PolicyDocument } from "../../infra/lib/iam";
import { jsonInput, ofType, one, synthesize, type SynthResult } from "../support/stack";

const STREAM = "aws:kinesis/stream:Stream";
const KEY = "aws:kms/key:Key";
const TOPIC = "aws:sns/topic:Topic";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

describe("stack program (mock runtime)", () => {
    let dev: SynthResult;
    let prod: SynthResult;
    before(async () => {
        dev = await synthesize("dev");
        prod = await synthesize("prod");
    });

    it("dev: an on-demand, KMS-encrypted stream with 24 h retention and no shard count", () => {
        const s = one(dev, STREAM, "dev-stream");
        assert.deepEqual(
            { ...s.inputs, tags: undefined },
            {
                name: "kinesis-streaming-dev-events",
                streamModeDetails: { streamMode: "ON_DEMAND" },
                retentionPeriod: 24,
                encryptionType: "KMS",
                kmsKeyId: dev.outputs.kmsKeyArn,
                shardLevelMetrics: [...SHARD_LEVEL_METRICS],
                enforceConsumerDeletion: true,
                maxRecordSizeInKib: 1024,
                tags: undefined,
            },
        );
        assert.equal(s.protect, false);
        assert.deepEqual(s.ignoreChanges, []);
    });

    it("prod: a provisioned, protected stream of 4 shards with a week of retention", () => {
        const s = one(prod, STREAM, "prod-stream");
        assert.deepEqual(s.inputs.streamModeDetails, { streamMode: "PROVISIONED" });
        assert.equal(s.inputs.shardCount, 4);
        assert.equal(s.inputs.retentionPeriod, 168);
        assert.equal(s.protect, true);
        assert.equal(one(prod, KEY, "prod-key").protect, true);
    });

    it("the stream uses the stack's key by property dependency, not a copied string", () => {
        const s = one(prod, STREAM, "prod-stream");
        assert.deepEqual(s.propertyDependencies.kmsKeyId, [one(prod, KEY, "prod-key").urn]);
        assert.deepEqual(one(prod, TOPIC, "prod-alerts").propertyDependencies.kmsMasterKeyId, [one(prod, KEY, "prod-key").urn]);
    });

    it("tags every taggable resource with project, environment, owner and cost centre", async () => {
        const expected = { Project: "kinesis-streaming", Environment: "prod", Owner: "platform-team", CostCenter: "cc-1001", ManagedBy: "pulumi" };
        const mustTag = [
            STREAM,
            KEY,
            TOPIC,
            ALARM,
            "aws:cloudwatch/logGroup:LogGroup",
            "aws:iam/role:Role",
            "aws:lambda/function:Function",
            "aws:apigatewayv2/api:Api",
            "aws:apigatewayv2/stage:Stage",
        ];
        const custom = prod.resources.filter((r) => r.custom);
        for (const type of mustTag)
            assert.ok(
                custom.some((r) => r.type === type),
                `no ${type} in the stack`,
            );
        // Streams also carry the declared workload (prod: 2,500 records/s of 1,024 bytes) for the shard-capacity policy.
        const workload = { "workload:records-per-second": "2500", "workload:average-record-bytes": "1024" };
        for (const r of custom.filter((x) => mustTag.includes(x.type)))
            assert.deepEqual(r.inputs.tags, r.type === STREAM ? { ...expected, ...workload } : expected, `${r.type} ${r.name}`);
        assert.deepEqual(
            one(dev, STREAM, "dev-stream").inputs.tags,
            { ...expected, Environment: "dev", "workload:records-per-second": "100", "workload:average-record-bytes": "1024" },
            "dev declares the local demo's workload",
        );
        const undeclared = await synthesize("dev", { "kinesis-streaming:workloadRecordsPerSecond": "0", "kinesis-streaming:workloadAverageRecordBytes": "0" });
        assert.deepEqual(one(undeclared, STREAM, "dev-stream").inputs.tags, { ...expected, Environment: "dev" }, "no workload declared: no workload tags");
    });

    it("the key rotates and its policy lets the account, CloudWatch alarms, SNS (undelivered alerts) and CloudWatch Logs use it", () => {
        const key = one(prod, KEY, "prod-key");
        assert.equal(key.inputs.enableKeyRotation, true);
        assert.equal(key.inputs.deletionWindowInDays, 30);
        const doc = jsonInput<PolicyDocument>(key, "policy");
        assert.deepEqual(
            doc.Statement.map((s) => [s.Sid, s.Principal, s.Action]),
            [
                ["AccountAdministersKeyThroughIam", { AWS: "arn:aws:iam::123456789012:root" }, "kms:*"],
                ["CloudWatchAlarmsPublishToEncryptedTopic", { Service: "cloudwatch.amazonaws.com" }, ["kms:Decrypt", "kms:GenerateDataKey*"]],
                [
                    "CloudWatchLogsEncryptAccountLogGroups",
                    { Service: "logs.us-east-1.amazonaws.com" },
                    ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                ],
                ["SnsSendsToEncryptedQueues", { Service: "sns.amazonaws.com" }, ["kms:Decrypt", "kms:GenerateDataKey*"]],
            ],
        );
        assert.deepEqual(doc.Statement[1]!.Condition, { StringEquals: { "aws:SourceAccount": "123456789012" } });
        assert.deepEqual(doc.Statement[2]!.Condition, { ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:123456789012:log-group:*" } });
        assert.deepEqual(doc.Statement[3]!.Condition, { StringEquals: { "aws:SourceAccount": "123456789012" } });
    });

    it("the alerts topic is on the customer key; its policy lets CloudWatch publish and denies non-TLS", () => {
        const topic = one(prod, TOPIC, "prod-alerts");
        assert.equal(topic.inputs.kmsMasterKeyId, prod.outputs.kmsKeyArn);
        const policy = one(prod, "aws:sns/topicPolicy:TopicPolicy", "prod-alerts");
        const doc = jsonInput<PolicyDocument>(policy, "policy");
        const topicArn = prod.outputs.alertsTopicArn;
        assert.deepEqual(
            doc.Statement.find((s) => s.Sid === "CloudWatchAlarmsPublish"),
            {
                Sid: "CloudWatchAlarmsPublish",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: "sns:Publish",
                Resource: topicArn,
                Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
            },
        );
        assert.deepEqual(
            doc.Statement.find((s) => s.Sid === "DenyInsecureTransport"),
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: ["sns:Publish", "sns:Subscribe"],
                Resource: topicArn,
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        );
    });

    it("subscribes the configured endpoints with the protocol their form implies", () => {
        const subs = ofType(prod, "aws:sns/topicSubscription:TopicSubscription")
            .filter((r) => r.name.startsWith("prod-alerts-"))
            .map((r) => [r.name, r.inputs.protocol, r.inputs.endpoint]);
        assert.deepEqual(subs, [
            ["prod-alerts-email-streaming-oncall-example-com", "email", "streaming-oncall@example.com"],
            ["prod-alerts-https-events-pagerduty-com-integration-example-enqueue", "https", "https://events.pagerduty.com/integration/example/enqueue"],
        ]);
        assert.deepEqual(ofType(dev, "aws:sns/topicSubscription:TopicSubscription"), []);
    });

    it("alarms on iterator age, write and read throttling and PutRecords failures, each on this stream and notifying the topic", () => {
        const alarms = ofType(prod, ALARM).filter((a) => a.parent === one(prod, "streaming:kinesis:Stream", "prod-stream").urn);
        const byName = Object.fromEntries(alarms.map((a) => [a.name, a.inputs]));
        assert.deepEqual(Object.keys(byName), ["prod-stream-iterator-age", "prod-stream-write-throttled", "prod-stream-read-throttled", "prod-stream-put-records-failures"]);
        const topic = prod.outputs.alertsTopicArn;
        for (const a of alarms) {
            assert.deepEqual(a.inputs.alarmActions, [topic], a.name);
            assert.deepEqual(a.inputs.okActions, [topic], a.name);
            assert.equal(a.inputs.evaluationPeriods, 3, a.name);
        }
        const age = byName["prod-stream-iterator-age"]!;
        assert.deepEqual(
            [age.namespace, age.metricName, age.statistic, age.comparisonOperator, age.threshold, age.dimensions],
            ["AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", "Maximum", "GreaterThanOrEqualToThreshold", 60000, { StreamName: "kinesis-streaming-prod-events" }],
        );
        assert.deepEqual([byName["prod-stream-write-throttled"]!.metricName, byName["prod-stream-write-throttled"]!.threshold], ["WriteProvisionedThroughputExceeded", 0.01]);
        assert.deepEqual([byName["prod-stream-read-throttled"]!.metricName, byName["prod-stream-read-throttled"]!.statistic], ["ReadProvisionedThroughputExceeded", "Average"]);
        const failures = byName["prod-stream-put-records-failures"] as {
            metricQueries: { id: string; expression?: string; metric?: { metricName: string; dimensions: unknown } }[];
            threshold: number;
        };
        assert.deepEqual(
            failures.metricQueries.map((q) => q.metric?.metricName ?? q.expression),
            ["PutRecords.FailedRecords", "PutRecords.TotalRecords", "IF(total > 0, failed / total, 0)"],
        );
        assert.deepEqual(failures.metricQueries[0]!.metric!.dimensions, { StreamName: "kinesis-streaming-prod-events" });
        assert.equal(failures.threshold, 0.01);
    });

    it("exports the version 1 output contract with values from the resources", () => {
        assert.deepEqual(prod.outputs, {
            outputContractVersion: 1,
            streamName: "kinesis-streaming-prod-events",
            streamArn: "arn:aws:kinesis:us-east-1:123456789012:stream/kinesis-streaming-prod-events",
            streamMode: "PROVISIONED",
            kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000",
            alertsTopicArn: "arn:aws:sns:us-east-1:123456789012:prod-alerts-mock",
            ingestApiUrl: "https://prod-producers-api-id.execute-api.us-east-1.amazonaws.com/events",
            producerRoleArn: "arn:aws:iam::123456789012:role/prod-producers-external-mock",
            resultsTableName: "kinesis-streaming-prod-results",
            archiveBucketName: "kinesis-prod-archive-mock",
            deliveryStreamName: "kinesis-streaming-prod-archive",
            consumerDlqUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/prod-consumer-failures-mock",
            efoConsumerArns: [
                "arn:aws:kinesis:us-east-1:123456789012:stream/mock/consumer/kinesis-streaming-prod-consumer:1700000000",
                "arn:aws:kinesis:us-east-1:123456789012:stream/mock/consumer/analytics-app:1700000000",
            ],
            kclLeaseTableName: "kinesis-streaming-prod-analytics-app-leases",
            kclRoleArn: "arn:aws:iam::123456789012:role/prod-kcl-mock",
            kclConsumerArn: "arn:aws:kinesis:us-east-1:123456789012:stream/mock/consumer/analytics-app:1700000000",
            kclWorkerMetricsTableName: "kinesis-streaming-prod-analytics-app-WorkerMetricStats",
            kclCoordinatorStateTableName: "kinesis-streaming-prod-analytics-app-CoordinatorState",
            dashboardName: "kinesis-streaming-prod",
            replicaStreamArn: "arn:aws:kinesis:us-west-2:123456789012:stream/kinesis-streaming-prod-events-replica",
            replicaRegion: "us-west-2",
            vpcEndpointId: "",
            analyticsAppName: "",
        });
    });

    it("the key's alias carries the project prefix, so two projects' prod keys never collide", () => {
        assert.equal(one(prod, "aws:kms/alias:Alias", "prod-key").inputs.name, "alias/kinesis-streaming-prod-key");
        assert.equal(one(prod, "aws:kms/alias:Alias", "prod-replica-key").inputs.name, "alias/kinesis-streaming-prod-replica-key");
    });

    it("adopts an existing key instead of creating one", async () => {
        const arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        const r = await synthesize("dev", { "kinesis-streaming:kmsKeyArn": arn });
        assert.deepEqual(ofType(r, KEY), []);
        assert.equal(one(r, STREAM).inputs.kmsKeyId, arn);
        assert.equal(one(r, TOPIC).inputs.kmsMasterKeyId, arn);
        assert.equal(r.outputs.kmsKeyArn, arn);
    });

    it("a bad config value stops the program before any resource is registered", async () => {
        await assert.rejects(synthesize("dev", { "kinesis-streaming:retentionHours": "10" }), /retentionHours = "10": must be an integer from 24 to 8760/);
    });
});
