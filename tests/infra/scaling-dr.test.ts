import { strict as assert } from "node:assert";
import type { PolicyDocument } from "../../infra/lib/iam";
import { jsonInput, ofType, one, synthesize, type SynthResult } from "../support/stack";

const statements = (r: SynthResult, name: string) => jsonInput<PolicyDocument>(one(r, "aws:iam/rolePolicy:RolePolicy", name), "policy").Statement;

describe("autoscaler (mock runtime)", () => {
    let prod: SynthResult;
    before(async () => {
        prod = await synthesize("prod");
    });

    it("only for an autoscaled provisioned stream, which then leaves shardCount and the history tag to it", async () => {
        const stream = one(prod, "aws:kinesis/stream:Stream", "prod-stream");
        assert.deepEqual(stream.ignoreChanges, ["shardCount", 'tags["autoscaler:update-shard-count-calls"]', 'tagsAll["autoscaler:update-shard-count-calls"]']);
        const staging = await synthesize("staging");
        assert.deepEqual(ofType(staging, "streaming:kinesis:Autoscaler"), []);
        assert.deepEqual(one(staging, "aws:kinesis/stream:Stream").ignoreChanges, []);
    });

    it("a function with reserved concurrency 1 and a run lock, its settings in its environment, a role limited to this stream", () => {
        const fn = one(prod, "aws:lambda/function:Function", "prod-autoscaler");
        assert.equal(fn.inputs.reservedConcurrentExecutions, 1);
        const env = (fn.inputs.environment as { variables: Record<string, string> }).variables;
        assert.deepEqual([env.STREAM_NAME, env.AUTOSCALER_MIN_SHARDS, env.AUTOSCALER_MAX_SHARDS, env.AUTOSCALER_DRY_RUN], ["kinesis-streaming-prod-events", "2", "64", "false"]);
        const lock = one(prod, "aws:dynamodb/table:Table", "prod-autoscaler-lock");
        assert.deepEqual(
            [lock.inputs.name, lock.inputs.hashKey, lock.inputs.ttl, env.AUTOSCALER_LOCK_TABLE],
            ["kinesis-streaming-prod-autoscaler-lock", "lockId", { attributeName: "expiresAt", enabled: true }, "kinesis-streaming-prod-autoscaler-lock"],
        );
        assert.equal(env.ALERTS_TOPIC_ARN, prod.outputs.alertsTopicArn);
        assert.deepEqual(statements(prod, "prod-autoscaler").slice(1), [
            {
                Sid: "ReshardThisStream",
                Effect: "Allow",
                Action: ["kinesis:DescribeStreamSummary", "kinesis:UpdateShardCount", "kinesis:ListTagsForStream", "kinesis:AddTagsToStream", "kinesis:RemoveTagsFromStream"],
                Resource: prod.outputs.streamArn,
            },
            { Sid: "ReadStreamMetrics", Effect: "Allow", Action: "cloudwatch:GetMetricData", Resource: "*" },
            {
                Sid: "HoldRunLock",
                Effect: "Allow",
                Action: ["dynamodb:PutItem", "dynamodb:DeleteItem"],
                Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/kinesis-streaming-prod-autoscaler-lock",
            },
            { Sid: "PublishDecisions", Effect: "Allow", Action: "sns:Publish", Resource: prod.outputs.alertsTopicArn },
            { Sid: "EncryptDecisions", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: prod.outputs.kmsKeyArn },
        ]);
    });

    it("autoscalingReservedConcurrency 0 reserves none (low-quota accounts): the lock alone keeps runs apart", async () => {
        const r = await synthesize("prod", { "kinesis-streaming:autoscalingReservedConcurrency": "0" });
        const fn = one(r, "aws:lambda/function:Function", "prod-autoscaler");
        assert.equal(fn.inputs.reservedConcurrentExecutions, undefined);
        assert.equal((fn.inputs.environment as { variables: Record<string, string> }).variables.AUTOSCALER_LOCK_TABLE, "kinesis-streaming-prod-autoscaler-lock");
    });

    it("runs every minute from EventBridge Scheduler and at once when writes are throttled", () => {
        const schedule = one(prod, "aws:scheduler/schedule:Schedule", "prod-autoscaler");
        assert.equal(schedule.inputs.scheduleExpression, "rate(1 minute)");
        const target = schedule.inputs.target as { arn: string; input: string };
        assert.deepEqual([target.arn, target.input], ["arn:aws:lambda:us-east-1:123456789012:function:kinesis-streaming-prod-autoscaler", '{"trigger":"schedule"}']);
        const alarm = one(prod, "aws:cloudwatch/metricAlarm:MetricAlarm", "prod-autoscaler-scale-out");
        assert.deepEqual([alarm.inputs.metricName, alarm.inputs.alarmActions], ["WriteProvisionedThroughputExceeded", [target.arn]]);
        const permission = one(prod, "aws:lambda/permission:Permission", "prod-autoscaler-alarm");
        assert.equal(permission.inputs.principal, "lambda.alarms.cloudwatch.amazonaws.com");
    });
});

describe("replication, VPC endpoint and analytics (mock runtime)", () => {
    let dr: SynthResult;
    let staging: SynthResult;
    before(async () => {
        staging = await synthesize("staging");
        dr = await synthesize("staging", {
            "kinesis-streaming:replicaRegion": "us-west-2",
            "kinesis-streaming:vpcId": "vpc-0abc12345",
            "kinesis-streaming:vpcSubnetIds": JSON.stringify(["subnet-0aaa11111", "subnet-0bbb22222"]),
            "kinesis-streaming:lambdasInVpc": "true",
            "kinesis-streaming:analyticsArtifactBucket": "acme-flink-artifacts",
            "kinesis-streaming:analyticsArtifactKey": "jobs/enrich-1.4.0.jar",
            "kinesis-streaming:analyticsParallelism": "4",
        });
    });

    it("creates none of them unless configured, and outputs empty strings", () => {
        for (const type of ["streaming:kinesis:Replication", "streaming:network:Network", "streaming:analytics:FlinkApplication"])
            assert.deepEqual(ofType(staging, type), [], type);
        assert.deepEqual([staging.outputs.replicaStreamArn, staging.outputs.replicaRegion, staging.outputs.vpcEndpointId, staging.outputs.analyticsAppName], ["", "", "", ""]);
    });

    it("replica: its own key, topic and stream in the second region through a second provider", () => {
        const provider = one(dr, "pulumi:providers:aws");
        assert.equal(provider.inputs.region, "us-west-2");
        const streams = ofType(dr, "aws:kinesis/stream:Stream");
        assert.deepEqual(
            streams.map((s) => s.inputs.name),
            ["kinesis-streaming-staging-events", "kinesis-streaming-staging-events-replica"],
        );
        const replica = streams[1]!;
        // URNs carry the whole chain of parent types, as the engine builds them.
        assert.equal(
            replica.urn,
            "urn:pulumi:staging::kinesis-streaming::streaming:kinesis:Replication$streaming:kinesis:Stream$aws:kinesis/stream:Stream::staging-replica-stream",
        );
        // ON_DEMAND by default: never throttled below a primary that scales out.
        assert.deepEqual(
            [replica.inputs.streamModeDetails, replica.inputs.shardCount, replica.inputs.retentionPeriod, replica.inputs.encryptionType],
            [{ streamMode: "ON_DEMAND" }, undefined, 168, "KMS"],
        );
        const keys = ofType(dr, "aws:kms/key:Key");
        assert.equal(keys.length, 2);
        assert.deepEqual(replica.propertyDependencies.kmsKeyId, [keys[1]!.urn], "the replica uses the replica region's key");
        assert.ok(
            JSON.parse(keys[1]!.inputs.policy as string).Statement.some((s: { Principal?: { Service?: string } }) => s.Principal?.Service === "logs.us-west-2.amazonaws.com"),
        );
        assert.equal(dr.outputs.replicaRegion, "us-west-2");
        assert.equal(dr.outputs.replicaStreamArn, "arn:aws:kinesis:us-west-2:123456789012:stream/kinesis-streaming-staging-events-replica");
    });

    it("replicator: parallelization 1 on the primary, writing to the replica with the replica's key, safe error handling", () => {
        const esm = ofType(dr, "aws:lambda/eventSourceMapping:EventSourceMapping").find((e) => e.name === "staging-replica-replicator")!;
        assert.deepEqual(
            [esm.inputs.parallelizationFactor, esm.inputs.bisectBatchOnFunctionError, esm.inputs.maximumRetryAttempts, esm.inputs.functionResponseTypes],
            [1, true, 3, ["ReportBatchItemFailures"]],
        );
        assert.equal(esm.inputs.eventSourceArn, "arn:aws:kinesis:us-east-1:123456789012:stream/kinesis-streaming-staging-events");
        const doc = statements(dr, "staging-replica-replicator");
        assert.deepEqual(
            doc.find((s) => s.Sid === "WriteToReplica"),
            {
                Sid: "WriteToReplica",
                Effect: "Allow",
                Action: ["kinesis:PutRecord", "kinesis:PutRecords", "kinesis:ListShards"],
                Resource: "arn:aws:kinesis:us-west-2:123456789012:stream/kinesis-streaming-staging-events-replica",
            },
        );
        const env = (one(dr, "aws:lambda/function:Function", "staging-replica-replicator").inputs.environment as { variables: Record<string, string> }).variables;
        assert.deepEqual([env.REPLICA_STREAM_NAME, env.REPLICA_REGION], ["kinesis-streaming-staging-events-replica", "us-west-2"]);
        const alarms = ofType(dr, "aws:cloudwatch/metricAlarm:MetricAlarm")
            .map((a) => a.name)
            .filter((n) => n.startsWith("staging-replica-replicator"));
        assert.deepEqual(alarms.sort(), [
            "staging-replica-replicator-errors",
            "staging-replica-replicator-failures-queued",
            "staging-replica-replicator-iterator-age",
            "staging-replica-replicator-throttles",
        ]);
        // lambdasInVpc places the replicator (it runs in the primary region) in the VPC with the consumer.
        const replicator = one(dr, "aws:lambda/function:Function", "staging-replica-replicator");
        assert.deepEqual((replicator.inputs.vpcConfig as { subnetIds: string[] }).subnetIds, ["subnet-0aaa11111", "subnet-0bbb22222"]);
        assert.ok(statements(dr, "staging-replica-replicator").some((s) => s.Sid === "ManageVpcNetworkInterfaces"));
    });

    it("the replica stream's alarms use the configured thresholds, as the primary's do", async () => {
        const r = await synthesize("staging", {
            "kinesis-streaming:replicaRegion": "us-west-2",
            "kinesis-streaming:throughputExceededAlarmPercent": "7",
            "kinesis-streaming:putRecordsFailureAlarmPercent": "9",
            "kinesis-streaming:iteratorAgeAlarmMs": "120000",
        });
        const threshold = (name: string) => one(r, "aws:cloudwatch/metricAlarm:MetricAlarm", name).inputs.threshold;
        assert.deepEqual(
            ["write-throttled", "read-throttled", "put-records-failures", "iterator-age"].map((a) => threshold(`staging-replica-stream-${a}`)),
            [0.07, 0.07, 0.09, 120000],
        );
    });

    it("replicaCapacity MATCH_PRIMARY: the primary's mode and shards, and an autoscaler in the replica's region when the primary has one", async () => {
        // prod's stack file chooses MATCH_PRIMARY (its policy config allows provisioned streams only).
        const r = await synthesize("prod", { "kinesis-streaming:autoscalingReservedConcurrency": "0" });
        const replica = one(r, "aws:kinesis/stream:Stream", "prod-replica-stream");
        assert.deepEqual([replica.inputs.streamModeDetails, replica.inputs.shardCount], [{ streamMode: "PROVISIONED" }, 4]);
        assert.deepEqual(replica.ignoreChanges, ["shardCount", 'tags["autoscaler:update-shard-count-calls"]', 'tagsAll["autoscaler:update-shard-count-calls"]']);
        const fn = one(r, "aws:lambda/function:Function", "prod-replica-autoscaler");
        const env = (fn.inputs.environment as { variables: Record<string, string> }).variables;
        assert.deepEqual(
            [fn.inputs.name, env.STREAM_NAME, env.AUTOSCALER_MIN_SHARDS, env.AUTOSCALER_MAX_SHARDS, fn.inputs.reservedConcurrentExecutions],
            ["kinesis-streaming-prod-replica-autoscaler", "kinesis-streaming-prod-events-replica", "2", "64", undefined],
        );
        // In the replica's region: it publishes to the replica region's topic.
        assert.match(env.ALERTS_TOPIC_ARN!, /^arn:aws:sns:us-west-2:/);
        // The declared workload rides on the replica too, so the shard-capacity rule checks it like the primary.
        assert.equal((replica.inputs.tags as Record<string, string>)["workload:records-per-second"], "2500");
        // ON_DEMAND: no replica autoscaler.
        const onDemand = await synthesize("prod", { "kinesis-streaming:replicaCapacity": "ON_DEMAND" });
        assert.deepEqual(
            ofType(onDemand, "aws:lambda/function:Function").filter((f) => f.name === "prod-replica-autoscaler"),
            [],
        );
        assert.deepEqual(one(onDemand, "aws:kinesis/stream:Stream", "prod-replica-stream").inputs.streamModeDetails, { streamMode: "ON_DEMAND" });
    });

    it("VPC endpoint: Kinesis interface endpoint with private DNS, HTTPS from the VPC's CIDR, this account only", () => {
        const ep = one(dr, "aws:ec2/vpcEndpoint:VpcEndpoint");
        assert.deepEqual(
            [ep.inputs.serviceName, ep.inputs.vpcEndpointType, ep.inputs.privateDnsEnabled, ep.inputs.subnetIds],
            ["com.amazonaws.us-east-1.kinesis-streams", "Interface", true, ["subnet-0aaa11111", "subnet-0bbb22222"]],
        );
        const sg = one(dr, "aws:ec2/securityGroup:SecurityGroup", "staging-network-endpoint");
        assert.deepEqual(sg.inputs.ingress, [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/16"], description: "HTTPS from the VPC" }]);
        assert.deepEqual(JSON.parse(ep.inputs.policy as string).Statement[0].Condition, { StringEquals: { "aws:PrincipalAccount": "123456789012" } });
        const consumer = one(dr, "aws:lambda/function:Function", "staging-consumer");
        assert.deepEqual((consumer.inputs.vpcConfig as { subnetIds: string[] }).subnetIds, ["subnet-0aaa11111", "subnet-0bbb22222"]);
        assert.ok(statements(dr, "staging-consumer").some((s) => s.Sid === "ManageVpcNetworkInterfaces"));
        assert.equal(dr.outputs.vpcEndpointId, "staging-network-id");
    });

    it("analytics: a Flink application with checkpointing, parallelism from config, logging and a scoped role", () => {
        const app = one(dr, "aws:kinesisanalyticsv2/application:Application");
        const cfg = app.inputs.applicationConfiguration as {
            applicationCodeConfiguration: unknown;
            flinkApplicationConfiguration: { checkpointConfiguration: { checkpointingEnabled: boolean }; parallelismConfiguration: unknown };
        };
        assert.equal(app.inputs.runtimeEnvironment, "FLINK-1_20");
        assert.deepEqual(cfg.applicationCodeConfiguration, {
            codeContentType: "ZIPFILE",
            codeContent: { s3ContentLocation: { bucketArn: "arn:aws:s3:::acme-flink-artifacts", fileKey: "jobs/enrich-1.4.0.jar" } },
        });
        assert.equal(cfg.flinkApplicationConfiguration.checkpointConfiguration.checkpointingEnabled, true);
        assert.deepEqual(cfg.flinkApplicationConfiguration.parallelismConfiguration, {
            configurationType: "CUSTOM",
            parallelism: 4,
            parallelismPerKpu: 1,
            autoScalingEnabled: true,
        });
        const doc = statements(dr, "staging-analytics");
        assert.deepEqual(doc.find((s) => s.Sid === "ReadArtifact")!.Resource, "arn:aws:s3:::acme-flink-artifacts/jobs/enrich-1.4.0.jar");
        // ARNs from the deployment's partition (the mock answers "aws"), not a hard-coded one.
        assert.deepEqual(doc.find((s) => s.Sid === "DescribeLogGroups")!.Resource, "arn:aws:logs:us-east-1:123456789012:log-group:*");
        assert.equal(dr.outputs.analyticsAppName, "kinesis-streaming-staging-analytics");
    });
});
