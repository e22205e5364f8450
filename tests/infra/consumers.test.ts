import { strict as assert } from "node:assert";
import { QUARANTINE_BUCKET_ENV, QUARANTINE_PREFIX, QUARANTINED_METRIC } from "../../contracts/quarantine";
import { ARCHIVE_DATA_ROOTS, ARCHIVE_ERROR_PREFIX, ARCHIVE_PREFIX, checkTransformArgs } from "../../infra/components/firehose-archive";
import type { PolicyDocument } from "../../infra/lib/iam";
import { jsonInput, ofType, one, synthesize, type SynthResult } from "../support/stack";

const STREAM_ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/kinesis-streaming-staging-events";
const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000";
const TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/kinesis-streaming-staging-results";
const TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:staging-alerts-mock";
const TRANSFORM_ARN = "arn:aws:lambda:us-east-1:123456789012:function:kinesis-streaming-staging-firehose-transform";
const DLQ_ARN = "arn:aws:sqs:us-east-1:123456789012:staging-consumer-failures-mock";
const ARCHIVE_BUCKET = "kinesis-staging-archive-mock";
const ARCHIVE_ARN = `arn:aws:s3:::${ARCHIVE_BUCKET}`;

interface LifecycleRule {
    id: string;
    status: string;
    filter: { prefix?: string };
    transitions?: unknown;
    expiration?: unknown;
    noncurrentVersionExpiration?: unknown;
    abortIncompleteMultipartUpload?: unknown;
}

const statements = (r: SynthResult, name: string) => jsonInput<PolicyDocument>(one(r, "aws:iam/rolePolicy:RolePolicy", name), "policy").Statement;
const byBucket = (r: SynthResult, type: string, bucketUrn: string) => ofType(r, type).filter((x) => (x.propertyDependencies.bucket ?? []).includes(bucketUrn));

describe("consumers and sinks (mock runtime)", () => {
    let staging: SynthResult;
    let efo: SynthResult;
    let kept: SynthResult;
    before(async () => {
        staging = await synthesize("staging");
        kept = await synthesize("staging", { "kinesis-streaming:quarantineRetentionDays": "7" });
        efo = await synthesize("staging", {
            "kinesis-streaming:consumerUseEfo": "true",
            "kinesis-streaming:consumerFilterEventTypes": JSON.stringify(["order", "user_action"]),
            "kinesis-streaming:kclApplicationName": "orders-analytics",
        });
    });

    // The properties that keep a poison record from blocking a shard or vanishing, in every variant of
    // the mapping (polling and EFO): asserted as rules, not as a copy of the inputs.
    for (const variant of ["polling", "EFO"] as const) {
        it(`the ${variant} event source mapping is safe: bisect, bounded retries, records discarded before retention ends, partial batches, on-failure queue`, () => {
            const r = variant === "polling" ? staging : efo;
            const esm = one(r, "aws:lambda/eventSourceMapping:EventSourceMapping").inputs;
            const retentionSeconds = (one(r, "aws:kinesis/stream:Stream").inputs.retentionPeriod as number) * 3600;
            assert.equal(esm.functionName, "arn:aws:lambda:us-east-1:123456789012:function:kinesis-streaming-staging-consumer");
            if (variant === "polling") assert.equal(esm.eventSourceArn, STREAM_ARN);
            assert.equal(esm.bisectBatchOnFunctionError, true, "a failing batch is split down to the bad record");
            const retries = esm.maximumRetryAttempts as number;
            assert.ok(Number.isInteger(retries) && retries >= 0 && retries <= 10_000, `maximumRetryAttempts ${retries} must be bounded (-1 retries forever)`);
            const age = esm.maximumRecordAgeInSeconds as number;
            assert.ok(
                Number.isInteger(age) && age >= 60 && age < retentionSeconds,
                `maximumRecordAgeInSeconds ${age} must be bounded and below the retention (${retentionSeconds} s), so records are sent to the on-failure queue before they expire`,
            );
            assert.deepEqual(esm.functionResponseTypes, ["ReportBatchItemFailures"]);
            assert.deepEqual(esm.destinationConfig, { onFailure: { destinationArn: DLQ_ARN } });
            assert.equal(esm.startingPosition, "TRIM_HORIZON", "a new mapping starts from the oldest record, skipping none");
            // Within Lambda's limits for a Kinesis source.
            const batchSize = esm.batchSize as number;
            const window = esm.maximumBatchingWindowInSeconds as number;
            const factor = esm.parallelizationFactor as number;
            assert.ok(batchSize >= 1 && batchSize <= 10_000 && window >= 0 && window <= 300 && factor >= 1 && factor <= 10, JSON.stringify({ batchSize, window, factor }));
        });
    }

    it("with EFO the mapping reads through a dedicated stream consumer, with filter criteria", () => {
        const consumer = ofType(efo, "aws:kinesis/streamConsumer:StreamConsumer").find((c) => c.inputs.name === "kinesis-streaming-staging-consumer")!;
        const esm = one(efo, "aws:lambda/eventSourceMapping:EventSourceMapping");
        assert.deepEqual(esm.propertyDependencies.eventSourceArn, [consumer.urn]);
        assert.deepEqual(esm.inputs.filterCriteria, { filters: [{ pattern: JSON.stringify({ data: { event_type: ["order", "user_action"] } }) }] });
        const read = statements(efo, "staging-consumer").find((s) => s.Sid === "ReadThroughEfoConsumer")!;
        assert.deepEqual(read.Action, ["kinesis:SubscribeToShard", "kinesis:DescribeStreamConsumer"]);
    });

    it("the consumer role reads only this stream and writes only its table, topic and queue", () => {
        assert.deepEqual(statements(staging, "staging-consumer"), [
            {
                Sid: "WriteOwnLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/kinesis-streaming-staging-consumer:*",
            },
            {
                Sid: "ReadStream",
                Effect: "Allow",
                Action: ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:GetShardIterator", "kinesis:GetRecords"],
                Resource: STREAM_ARN,
            },
            { Sid: "DecryptStream", Effect: "Allow", Action: "kms:Decrypt", Resource: KEY_ARN },
            { Sid: "SendFailedBatches", Effect: "Allow", Action: "sqs:SendMessage", Resource: DLQ_ARN },
            {
                Sid: "EncryptFailedBatches",
                Effect: "Allow",
                Action: "kms:GenerateDataKey",
                Resource: KEY_ARN,
                Condition: { StringEquals: { "kms:ViaService": "sqs.us-east-1.amazonaws.com" } },
            },
            { Sid: "WriteQuarantine", Effect: "Allow", Action: "s3:PutObject", Resource: `${ARCHIVE_ARN}/quarantine/*` },
            {
                Sid: "EncryptQuarantine",
                Effect: "Allow",
                Action: "kms:GenerateDataKey",
                Resource: KEY_ARN,
                Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:EncryptionContext:aws:s3:arn": ARCHIVE_ARN } },
            },
            {
                Sid: "WriteResults",
                Effect: "Allow",
                Action: ["dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
                Resource: TABLE_ARN,
            },
            { Sid: "PublishAlerts", Effect: "Allow", Action: "sns:Publish", Resource: TOPIC_ARN },
        ]);
        const env = (one(staging, "aws:lambda/function:Function", "staging-consumer").inputs.environment as { variables: Record<string, string> }).variables;
        assert.deepEqual(
            [
                env.RESULTS_TABLE,
                env.ALERTS_TOPIC_ARN,
                env.FRAUD_AMOUNT_THRESHOLD,
                env.FRAUD_ORDERS_PER_MINUTE,
                env.RESULTS_TTL_DAYS,
                env[QUARANTINE_BUCKET_ENV],
                env.POWERTOOLS_SERVICE_NAME,
            ],
            ["kinesis-streaming-staging-results", TOPIC_ARN, "10000", "5", "90", ARCHIVE_BUCKET, "kinesis-streaming-staging-consumer"],
        );
    });

    it("the on-failure queue is encrypted, keeps 14 days, refuses non-TLS and alarms on any message", () => {
        const q = one(staging, "aws:sqs/queue:Queue", "staging-consumer-failures");
        assert.deepEqual([q.inputs.kmsMasterKeyId, q.inputs.messageRetentionSeconds], [KEY_ARN, 1_209_600]);
        const doc = jsonInput<PolicyDocument>(one(staging, "aws:sqs/queuePolicy:QueuePolicy", "staging-consumer-failures"), "policy");
        assert.deepEqual(doc.Statement[0]!.Condition, { Bool: { "aws:SecureTransport": "false" } });
        const alarm = one(staging, "aws:cloudwatch/metricAlarm:MetricAlarm", "staging-consumer-failures-queued");
        assert.deepEqual(
            [alarm.inputs.metricName, alarm.inputs.statistic, alarm.inputs.threshold, alarm.inputs.dimensions],
            ["ApproximateNumberOfMessagesVisible", "Maximum", 1, { QueueName: "staging-consumer-failures-mock" }],
        );
        const names = ofType(staging, "aws:cloudwatch/metricAlarm:MetricAlarm")
            .map((a) => a.name)
            .filter((n) => n.startsWith("staging-consumer"));
        assert.deepEqual(names.sort(), [
            "staging-consumer-errors",
            "staging-consumer-failures-queued",
            "staging-consumer-iterator-age",
            "staging-consumer-quarantined",
            "staging-consumer-throttles",
        ]);
    });

    it("any quarantined record raises an alarm on the consumer's Powertools metric, notifying the alerts topic", () => {
        const alarm = one(staging, "aws:cloudwatch/metricAlarm:MetricAlarm", "staging-consumer-quarantined").inputs;
        assert.deepEqual(
            [alarm.namespace, alarm.metricName, alarm.dimensions, alarm.statistic, alarm.comparisonOperator, alarm.threshold, alarm.evaluationPeriods, alarm.alarmActions],
            ["StreamingPipeline", QUARANTINED_METRIC, { service: "kinesis-streaming-staging-consumer" }, "Sum", "GreaterThanOrEqualToThreshold", 1, 1, [TOPIC_ARN]],
        );
    });

    it("the results table: on-demand, PITR, SSE with the stack's key, TTL, keys for the dashboard queries", () => {
        const t = one(staging, "aws:dynamodb/table:Table");
        assert.deepEqual(
            [
                t.inputs.billingMode,
                t.inputs.hashKey,
                t.inputs.rangeKey,
                t.inputs.pointInTimeRecovery,
                t.inputs.serverSideEncryption,
                t.inputs.ttl,
                t.inputs.deletionProtectionEnabled,
            ],
            ["PAY_PER_REQUEST", "pk", "sk", { enabled: true }, { enabled: true, kmsKeyArn: KEY_ARN }, { attributeName: "expires_at", enabled: true }, false],
        );
        assert.deepEqual(t.inputs.globalSecondaryIndexes, [{ name: "by-type-time", hashKey: "gsi1pk", rangeKey: "gsi1sk", projectionType: "ALL" }]);
    });

    it("the archive bucket has every guard, joined to it by property dependency; access logs go to an SSE-S3 log bucket", () => {
        const [logBucket, bucket] = ofType(staging, "aws:s3/bucket:Bucket");
        assert.deepEqual([logBucket!.name, bucket!.name], ["staging-archive-access-logs", "staging-archive"]);
        const sse = byBucket(staging, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", bucket!.urn)[0]!;
        assert.deepEqual(sse.inputs.rules, [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY_ARN }, bucketKeyEnabled: true }]);
        const logSse = byBucket(staging, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", logBucket!.urn)[0]!;
        assert.deepEqual(logSse.inputs.rules, [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: false }]);
        for (const b of [bucket!, logBucket!]) {
            assert.deepEqual(byBucket(staging, "aws:s3/bucketVersioning:BucketVersioning", b.urn)[0]!.inputs.versioningConfiguration, { status: "Enabled" });
            const pab = byBucket(staging, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", b.urn)[0]!.inputs;
            assert.deepEqual([pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets], [true, true, true, true]);
            const policy = JSON.parse(byBucket(staging, "aws:s3/bucketPolicy:BucketPolicy", b.urn)[0]!.inputs.policy as string) as PolicyDocument;
            assert.ok(policy.Statement.some((s) => s.Effect === "Deny" && JSON.stringify(s.Condition) === JSON.stringify({ Bool: { "aws:SecureTransport": "false" } })));
            assert.equal(byBucket(staging, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", b.urn).length, 1);
        }
        const logging = byBucket(staging, "aws:s3/bucketLogging:BucketLogging", bucket!.urn);
        assert.equal(logging.length, 1);
        assert.deepEqual(logging[0]!.propertyDependencies.targetBucket, [logBucket!.urn]);
        assert.deepEqual(byBucket(staging, "aws:s3/bucketLogging:BucketLogging", logBucket!.urn), [], "a log bucket does not log to itself");
        // S3 log delivery may write only this account's logs of the archive bucket (the S3 guide's conditions).
        const delivery = (JSON.parse(byBucket(staging, "aws:s3/bucketPolicy:BucketPolicy", logBucket!.urn)[0]!.inputs.policy as string) as PolicyDocument).Statement[0]!;
        assert.deepEqual(
            [delivery.Principal, delivery.Condition],
            [
                { Service: "logging.s3.amazonaws.com" },
                { StringEquals: { "aws:SourceAccount": "123456789012" }, ArnLike: { "aws:SourceArn": "arn:aws:s3:::kinesis-staging-archive-mock" } },
            ],
        );
        assert.deepEqual([logBucket!.inputs.bucketPrefix, bucket!.inputs.bucketPrefix], ["kinesis-staging-logs-", "kinesis-staging-archive-"]);
    });

    it("the archive's tiering and expiry cover only what Firehose writes; the quarantine is only expired, after its own retention", () => {
        const rulesOf = (r: SynthResult) => {
            const bucket = one(r, "aws:s3/bucket:Bucket", "staging-archive");
            return byBucket(r, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", bucket.urn)[0]!.inputs.rules as LifecycleRule[];
        };
        const rules = rulesOf(staging);
        assert.deepEqual(ARCHIVE_DATA_ROOTS, ["events/", "errors/"]);
        const tiered = rules.filter((r) => r.transitions !== undefined);
        assert.deepEqual(
            tiered.map((r) => [r.filter, r.transitions, r.expiration]),
            ARCHIVE_DATA_ROOTS.map((prefix) => [{ prefix }, [{ days: 30, storageClass: "STANDARD_IA" }], { days: 365 }]),
        );
        // No rule that tiers or expires the archive reaches a quarantine key.
        for (const r of rules.filter((x) => x.transitions !== undefined || (x.expiration !== undefined && x.id !== "expire-quarantine"))) {
            assert.ok(r.filter.prefix !== undefined && !QUARANTINE_PREFIX.startsWith(r.filter.prefix), `${r.id} must not apply under ${QUARANTINE_PREFIX}`);
        }
        const quarantine = rules.find((r) => r.filter.prefix === QUARANTINE_PREFIX)!;
        assert.deepEqual(
            [quarantine.status, quarantine.transitions, quarantine.expiration, quarantine.noncurrentVersionExpiration],
            ["Enabled", undefined, { days: 30 }, { noncurrentDays: 1 }],
        );
        assert.deepEqual(rules.find((r) => r.abortIncompleteMultipartUpload !== undefined)!.filter, {});
        assert.deepEqual(rulesOf(kept).find((r) => r.filter.prefix === QUARANTINE_PREFIX)!.expiration, { days: 7 });
    });

    it("Firehose reads the stream into the bucket: buffering, GZIP, dynamic partitioning, error prefix, logging", () => {
        const f = one(staging, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream");
        assert.equal(f.inputs.destination, "extended_s3");
        assert.equal((f.inputs.kinesisSourceConfiguration as { kinesisStreamArn: string }).kinesisStreamArn, STREAM_ARN);
        const s3 = f.inputs.extendedS3Configuration as Record<string, unknown>;
        assert.deepEqual(
            [s3.bufferingSize, s3.bufferingInterval, s3.compressionFormat, s3.prefix, s3.errorOutputPrefix, s3.dynamicPartitioningConfiguration],
            [64, 60, "GZIP", ARCHIVE_PREFIX, ARCHIVE_ERROR_PREFIX, { enabled: true }],
        );
        assert.equal(ARCHIVE_PREFIX, "events/event_type=!{partitionKeyFromLambda:event_type}/dt=!{partitionKeyFromLambda:event_date}/");
        const processors = (s3.processingConfiguration as { processors: { type: string; parameters: { parameterName: string; parameterValue: string }[] }[] }).processors;
        assert.deepEqual(
            processors.map((p) => p.type),
            ["Lambda", "AppendDelimiterToRecord"],
        );
        // The delivery stream's own role invokes the function.
        const roleArn = (f.inputs.kinesisSourceConfiguration as { roleArn: string }).roleArn;
        assert.match(roleArn, /^arn:aws:iam::123456789012:role\/.*archive-firehose/);
        assert.deepEqual(processors[0]!.parameters, [
            { parameterName: "LambdaArn", parameterValue: `${TRANSFORM_ARN}:$LATEST` },
            { parameterName: "RoleArn", parameterValue: roleArn },
            { parameterName: "BufferSizeInMBs", parameterValue: "0.25" },
            { parameterName: "BufferIntervalInSeconds", parameterValue: "60" },
            { parameterName: "NumberOfRetries", parameterValue: "3" },
        ]);
        assert.deepEqual(s3.cloudwatchLoggingOptions, { enabled: true, logGroupName: "/aws/kinesisfirehose/kinesis-streaming-staging-archive", logStreamName: "S3Delivery" });
        const role = statements(staging, "staging-archive-firehose");
        assert.deepEqual(
            role.find((s) => s.Sid === "DecryptSourceStream"),
            {
                Sid: "DecryptSourceStream",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: KEY_ARN,
                Condition: { StringEquals: { "kms:ViaService": "kinesis.us-east-1.amazonaws.com" } },
            },
        );
        assert.deepEqual(role.find((s) => s.Sid === "ReadSourceStream")!.Resource, STREAM_ARN);
        // The Firehose guide's trust condition: sts:ExternalId = the account id.
        const trust = jsonInput<PolicyDocument>(one(staging, "aws:iam/role:Role", "staging-archive-firehose"), "assumeRolePolicy").Statement[0]!;
        assert.deepEqual([trust.Principal, trust.Condition], [{ Service: "firehose.amazonaws.com" }, { StringEquals: { "sts:ExternalId": "123456789012" } }]);
        assert.deepEqual(
            role.find((s) => s.Sid === "InvokeTransform"),
            {
                Sid: "InvokeTransform",
                Effect: "Allow",
                Action: ["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"],
                Resource: `${TRANSFORM_ARN}:$LATEST`,
            },
        );
        const fresh = one(staging, "aws:cloudwatch/metricAlarm:MetricAlarm", "staging-archive-freshness");
        assert.deepEqual(
            [fresh.inputs.metricName, fresh.inputs.threshold, fresh.inputs.dimensions],
            ["DeliveryToS3.DataFreshness", 900, { DeliveryStreamName: "kinesis-streaming-staging-archive" }],
        );
    });

    it("the transformation Lambda: the bundle of functions/firehose-transform, its own encrypted log group, a role that may only log", () => {
        const fn = one(staging, "aws:lambda/function:Function", "staging-archive-transform");
        assert.deepEqual(
            [fn.inputs.name, fn.inputs.runtime, fn.inputs.architectures, fn.inputs.timeout, fn.inputs.handler],
            ["kinesis-streaming-staging-firehose-transform", "nodejs22.x", ["arm64"], 60, "index.handler"],
        );
        const env = (fn.inputs.environment as { variables: Record<string, string> }).variables;
        assert.equal(env.POWERTOOLS_SERVICE_NAME, "firehose-transform");
        assert.equal(env.IOT_TOPIC_FILTER, undefined, "staging has no IoT feed");
        const logs = one(staging, "aws:cloudwatch/logGroup:LogGroup", "staging-archive-transform");
        assert.deepEqual([logs.inputs.name, logs.inputs.kmsKeyId], ["/aws/lambda/kinesis-streaming-staging-firehose-transform", KEY_ARN]);
        assert.deepEqual(
            statements(staging, "staging-archive-transform").map((s) => s.Sid),
            ["WriteOwnLogs"],
        );
        assert.equal(one(staging, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").propertyDependencies.extendedS3Configuration?.includes(fn.urn), true);
        const failing = one(staging, "aws:cloudwatch/metricAlarm:MetricAlarm", "staging-archive-transform-failing");
        assert.deepEqual(
            [
                failing.inputs.namespace,
                failing.inputs.metricName,
                failing.inputs.statistic,
                failing.inputs.comparisonOperator,
                failing.inputs.threshold,
                failing.inputs.dimensions,
                failing.inputs.alarmActions,
            ],
            ["AWS/Firehose", "ExecuteProcessing.Success", "Minimum", "LessThanThreshold", 1, { DeliveryStreamName: "kinesis-streaming-staging-archive" }, [TOPIC_ARN]],
        );
    });

    it("the transformation Lambda learns the IoT feed's topic filter", async () => {
        const iot = await synthesize("staging", { "kinesis-streaming:iotTopicFilter": "devices/+/telemetry" });
        const fn = one(iot, "aws:lambda/function:Function", "staging-archive-transform");
        assert.equal((fn.inputs.environment as { variables: Record<string, string> }).variables.IOT_TOPIC_FILTER, "devices/+/telemetry");
    });

    it("refuses Lambda processor settings outside Firehose's ranges", () => {
        assert.doesNotThrow(() => checkTransformArgs({ bufferSizeMb: 0.2, bufferIntervalSeconds: 0, retries: 0 }));
        assert.throws(() => checkTransformArgs({ bufferSizeMb: 4, bufferIntervalSeconds: 60, retries: 3 }), /^Error: transform.bufferSizeMb 4 must be 0.2-3 \(MiB\)$/);
        assert.throws(
            () => checkTransformArgs({ bufferSizeMb: 1, bufferIntervalSeconds: 901, retries: -1 }),
            /bufferIntervalSeconds 901 must be an integer 0-900; transform.retries -1 must be a whole number/,
        );
    });

    it("KCL 3.x support: an EFO consumer, the lease table with its leaseOwner index, the worker-metrics and coordinator-state tables, the KCL guide's permissions", () => {
        assert.deepEqual(ofType(staging, "streaming:kcl:KclSupport"), []);
        const tables = ofType(efo, "aws:dynamodb/table:Table")
            .filter((t) => t.name.startsWith("staging-kcl"))
            .sort((a, b) => a.name.localeCompare(b.name));
        assert.deepEqual(
            tables.map((t) => [
                t.name,
                t.inputs.name,
                t.inputs.hashKey,
                t.inputs.billingMode,
                t.inputs.pointInTimeRecovery,
                (t.inputs.serverSideEncryption as { kmsKeyArn: string }).kmsKeyArn,
            ]),
            [
                ["staging-kcl", "kinesis-streaming-staging-orders-analytics-leases", "leaseKey", "PAY_PER_REQUEST", { enabled: true }, KEY_ARN],
                ["staging-kcl-coordinator-state", "kinesis-streaming-staging-orders-analytics-CoordinatorState", "key", "PAY_PER_REQUEST", { enabled: true }, KEY_ARN],
                ["staging-kcl-worker-metrics", "kinesis-streaming-staging-orders-analytics-WorkerMetricStats", "wid", "PAY_PER_REQUEST", { enabled: true }, KEY_ARN],
            ],
        );
        // The index KCL 3.x would otherwise add to the lease table itself.
        assert.deepEqual(tables[0]!.inputs.globalSecondaryIndexes, [
            { name: "LeaseOwnerToLeaseKeyIndex", hashKey: "leaseOwner", rangeKey: "leaseKey", projectionType: "KEYS_ONLY" },
        ]);
        assert.deepEqual(tables[0]!.inputs.attributes, [
            { name: "leaseKey", type: "S" },
            { name: "leaseOwner", type: "S" },
        ]);
        const doc = statements(efo, "staging-kcl");
        assert.deepEqual(
            doc.map((s) => s.Sid),
            ["ReadStream", "SubscribeThroughEfo", "DecryptStream", "ManageLeases", "FindOwnLeases", "ManageWorkerMetricsAndCoordinatorState", "PublishKclMetrics"],
        );
        const arnOf = (name: string) => `arn:aws:dynamodb:us-east-1:123456789012:table/${name}`;
        assert.deepEqual(doc.find((s) => s.Sid === "ManageLeases")!.Action, [
            "dynamodb:CreateTable",
            "dynamodb:DescribeTable",
            "dynamodb:UpdateTable",
            "dynamodb:Scan",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
        ]);
        assert.deepEqual(
            doc.find((s) => s.Sid === "FindOwnLeases"),
            { Sid: "FindOwnLeases", Effect: "Allow", Action: "dynamodb:Query", Resource: `${arnOf("kinesis-streaming-staging-orders-analytics-leases")}/index/*` },
        );
        assert.deepEqual(doc.find((s) => s.Sid === "ManageWorkerMetricsAndCoordinatorState")!.Resource, [
            arnOf("kinesis-streaming-staging-orders-analytics-WorkerMetricStats"),
            arnOf("kinesis-streaming-staging-orders-analytics-CoordinatorState"),
        ]);
        assert.deepEqual(doc.find((s) => s.Sid === "PublishKclMetrics")!.Condition, { StringEquals: { "cloudwatch:namespace": "orders-analytics" } });
        assert.deepEqual(efo.outputs.efoConsumerArns, [
            "arn:aws:kinesis:us-east-1:123456789012:stream/mock/consumer/kinesis-streaming-staging-consumer:1700000000",
            "arn:aws:kinesis:us-east-1:123456789012:stream/mock/consumer/orders-analytics:1700000000",
        ]);
        assert.deepEqual(
            [efo.outputs.kclLeaseTableName, efo.outputs.kclWorkerMetricsTableName, efo.outputs.kclCoordinatorStateTableName, efo.outputs.kclConsumerArn],
            [
                "kinesis-streaming-staging-orders-analytics-leases",
                "kinesis-streaming-staging-orders-analytics-WorkerMetricStats",
                "kinesis-streaming-staging-orders-analytics-CoordinatorState",
                "arn:aws:kinesis:us-east-1:123456789012:stream/mock/consumer/orders-analytics:1700000000",
            ],
        );
        assert.deepEqual(
            [staging.outputs.kclLeaseTableName, staging.outputs.kclWorkerMetricsTableName, staging.outputs.kclConsumerArn, staging.outputs.efoConsumerArns],
            ["", "", "", []],
        );
    });

    it("one dashboard: stream, consumers, failure queues, archive and alerts", () => {
        const d = one(staging, "aws:cloudwatch/dashboard:Dashboard");
        assert.equal(d.inputs.dashboardName, "kinesis-streaming-staging");
        const body = JSON.parse(d.inputs.dashboardBody as string) as { widgets: { properties: { title: string; metrics: unknown[][] } }[] };
        assert.deepEqual(
            body.widgets.map((w) => w.properties.title),
            [
                "Stream: incoming",
                "Stream: throttled (share of requests)",
                "Stream: iterator age",
                "Consumers: invocations and errors",
                "Consumers: duration and iterator age",
                "Failure queues: batches waiting",
                "Archive: freshness and delivery success",
                "Alerts sent",
            ],
        );
        assert.deepEqual(body.widgets[0]!.properties.metrics[0]!.slice(0, 4), ["AWS/Kinesis", "IncomingBytes", "StreamName", "kinesis-streaming-staging-events"]);
        assert.equal(staging.outputs.dashboardName, "kinesis-streaming-staging");
    });
});
