// pipeline-alarms (stack rule 3: every consumer, on-failure queue and Firehose watched, with actions)
// and pipeline-key-coherence (stack rule 4: everything encrypted with the stack's keys).
import {
    arn,
    assertNoViolations,
    assertViolations,
    compliant,
    compliantPipeline,
    PIPELINE,
    set,
    TYPES,
    UNKNOWN,
    unknownDiagnostic,
    unlink,
    violation,
    violationsOf,
    STACK_URN,
} from "../support/policy-harness";
import { pack } from "../../policies/policies";
import { runPolicies } from "../../tools/lib/policy-engine";

const ALARMS = "pipeline-alarms";
const KEYS = "pipeline-key-coherence";
const ACTIONS = "cloudwatch-alarm-actions";
const NO_ACTION = "alarmActions is empty; notify the alerts topic (or invoke the function that acts on it).";

describe("policy pipeline-alarms", () => {
    it("passes the consumer's IteratorAge, the queue's depth and the Firehose's freshness alarms, linked by dependencies", async () => {
        assertNoViolations(await violationsOf(compliantPipeline().b.resources));
    });

    it("links alarms by dimension values when there are no dependencies (stack file)", async () => {
        const p = compliantPipeline();
        for (const a of [p.consumer.iteratorAlarm, p.consumer.queueAlarm, p.archive.freshnessAlarm]) unlink(a);
        assertNoViolations(await violationsOf(p.b.resources));
    });

    describe("consumers", () => {
        it("reports a mapping's function without an IteratorAge alarm", async () => {
            const p = compliantPipeline();
            p.b.remove(p.consumer.iteratorAlarm);
            assertViolations(await violationsOf(p.b.resources), [
                violation(ALARMS, p.consumer.esm.urn, "consumer orders-consumer (function orders-consumer) has no AWS/Lambda IteratorAge alarm."),
            ]);
        });

        it("reports an IteratorAge alarm without an action, and one above half the retention", async () => {
            const message =
                "consumer orders-consumer (function orders-consumer): its AWS/Lambda IteratorAge alarm needs an alarm action and a threshold of at most 302400000 ms (0.5 of 168 h retention).";
            const p = compliantPipeline();
            set(p.consumer.iteratorAlarm, { alarmActions: [] });
            assertViolations(await violationsOf(p.b.resources), [violation(ACTIONS, p.consumer.iteratorAlarm.urn, NO_ACTION), violation(ALARMS, p.consumer.esm.urn, message)]);
            const q = compliantPipeline();
            set(q.consumer.iteratorAlarm, { threshold: 302_400_001 });
            assertViolations(await violationsOf(q.b.resources), [violation(ALARMS, q.consumer.esm.urn, message)]);
            assertNoViolations(await violationsOf(q.b.resources, { [ALARMS]: { maxThresholdShareOfRetention: 1 } }));
        });

        it("does not count an alarm on another function or another metric", async () => {
            const p = compliantPipeline();
            p.consumer.iteratorAlarm.propertyDependencies.dimensions = [p.producers.fn.urn];
            set(p.consumer.iteratorAlarm, { dimensions: { FunctionName: PIPELINE.producerFunction } });
            const q = compliantPipeline();
            set(q.consumer.iteratorAlarm, { metricName: "Errors" });
            for (const s of [p, q]) {
                assertViolations(await violationsOf(s.b.resources), [
                    violation(ALARMS, s.consumer.esm.urn, "consumer orders-consumer (function orders-consumer) has no AWS/Lambda IteratorAge alarm."),
                ]);
            }
        });

        it("wants a MillisBehindLatest alarm on an enhanced fan-out consumer no mapping reads (a KCL application's)", async () => {
            const p = compliantPipeline();
            const kcl = p.b.add(
                TYPES.streamConsumer,
                "analytics",
                { name: "analytics", streamArn: arn.stream(PIPELINE.stream) },
                { propertyDependencies: { streamArn: [p.stream] } },
            );
            assertViolations(await violationsOf(p.b.resources), [
                violation(ALARMS, kcl.urn, "enhanced fan-out consumer analytics has no AWS/Kinesis SubscribeToShardEvent.MillisBehindLatest alarm."),
            ]);
            const topicArn = compliant.topicArn(p.topic.name);
            p.b.add(
                TYPES.alarm,
                "analytics-lag",
                {
                    namespace: "AWS/Kinesis",
                    metricName: "SubscribeToShardEvent.MillisBehindLatest",
                    dimensions: { StreamName: PIPELINE.stream, ConsumerName: "analytics" },
                    statistic: "Maximum",
                    comparisonOperator: "GreaterThanOrEqualToThreshold",
                    threshold: 60_000,
                    evaluationPeriods: 5,
                    period: 60,
                    alarmActions: [topicArn],
                },
                { propertyDependencies: { dimensions: [p.stream, kcl], alarmActions: [p.topic] } },
            );
            assertNoViolations(await violationsOf(p.b.resources));
        });

        it("counts the Lambda IteratorAge alarm for a consumer a mapping reads through", async () => {
            const p = compliantPipeline();
            const efo = p.b.add(
                TYPES.streamConsumer,
                "orders-efo",
                { name: "orders-efo", streamArn: arn.stream(PIPELINE.stream) },
                { parent: p.consumer.component, propertyDependencies: { streamArn: [p.stream] } },
            );
            set(p.consumer.esm, { eventSourceArn: arn.streamConsumer(PIPELINE.stream, "orders-efo") });
            p.consumer.esm.propertyDependencies.eventSourceArn = [efo.urn];
            assertNoViolations(await violationsOf(p.b.resources));
        });

        it("reports a mapping whose function the stack does not declare", async () => {
            const p = compliantPipeline();
            set(p.consumer.esm, { functionName: "arn:aws:lambda:us-east-1:999999999999:function:theirs" });
            unlink(p.consumer.esm, "functionName");
            assertViolations(await violationsOf(p.b.resources), [
                violation(
                    ALARMS,
                    p.consumer.esm.urn,
                    "event source mapping orders-consumer invokes a function this stack does not declare: its IteratorAge alarm cannot be checked.",
                ),
                // The stack's consumer function, no longer invoked by the mapping, has nothing bounding its concurrency.
                violation(
                    "lambda-function-concurrency",
                    p.consumer.fn.urn,
                    "function orders-consumer has no reserved concurrency and no invoker of this stack bounds it (event source mapping, API stage, Firehose); reserve the concurrency it needs.",
                ),
            ]);
        });
    });

    describe("on-failure queues", () => {
        it("reports a queue without a depth alarm, and one whose alarm has no action", async () => {
            const p = compliantPipeline();
            p.b.remove(p.consumer.queueAlarm);
            assertViolations(await violationsOf(p.b.resources), [
                violation(ALARMS, p.consumer.queue.urn, "queue orders-consumer-failures receives failed batches but has no AWS/SQS ApproximateNumberOfMessagesVisible alarm."),
            ]);
            const q = compliantPipeline();
            set(q.consumer.queueAlarm, { alarmActions: [] });
            assertViolations(await violationsOf(q.b.resources), [
                violation(ACTIONS, q.consumer.queueAlarm.urn, NO_ACTION),
                violation(ALARMS, q.consumer.queue.urn, "queue orders-consumer-failures: its depth alarm has no alarm action."),
            ]);
        });

        it("accepts an ApproximateAgeOfOldestMessage alarm", async () => {
            const p = compliantPipeline();
            set(p.consumer.queueAlarm, { metricName: "ApproximateAgeOfOldestMessage", threshold: 3600 });
            assertNoViolations(await violationsOf(p.b.resources));
        });
    });

    describe("Firehoses", () => {
        it("reports a Firehose without a freshness alarm, and one whose alarm has actions disabled", async () => {
            const p = compliantPipeline();
            p.b.remove(p.archive.freshnessAlarm);
            assertViolations(await violationsOf(p.b.resources), [
                violation(ALARMS, p.archive.firehose.urn, "delivery stream orders-archive has no AWS/Firehose DeliveryTo*.DataFreshness alarm."),
            ]);
            const q = compliantPipeline();
            set(q.archive.freshnessAlarm, { actionsEnabled: false });
            assertViolations(await violationsOf(q.b.resources), [
                violation(ACTIONS, q.archive.freshnessAlarm.urn, "actionsEnabled is false; the alarm's actions never run."),
                violation(ALARMS, q.archive.firehose.urn, "delivery stream orders-archive: its freshness alarm has no alarm action."),
            ]);
        });

        it("accepts a freshness alarm written as a metric query", async () => {
            const p = compliantPipeline();
            const a = p.archive.freshnessAlarm;
            const dims = a.inputs.dimensions;
            set(a, {
                namespace: undefined,
                metricName: undefined,
                dimensions: undefined,
                statistic: undefined,
                period: undefined,
                metricQueries: [
                    { id: "f", returnData: true, metric: { namespace: "AWS/Firehose", metricName: "DeliveryToS3.DataFreshness", dimensions: dims, stat: "Maximum", period: 300 } },
                ],
            });
            a.propertyDependencies.metricQueries = a.propertyDependencies.dimensions!;
            delete a.propertyDependencies.dimensions;
            assertNoViolations(await violationsOf(p.b.resources));
        });
    });

    it("in preview, links alarms by dependency while names are unknown, and reports an unlinkable unknown name as advisory", async () => {
        const p = compliantPipeline();
        set(p.consumer.fn, { name: UNKNOWN });
        set(p.consumer.iteratorAlarm, { dimensions: { FunctionName: UNKNOWN } });
        assertViolations(
            (await violationsOf(p.b.resources)).filter((v) => v.policyName === ALARMS),
            [],
        );
        unlink(p.consumer.iteratorAlarm, "dimensions");
        assertViolations(
            (await violationsOf(p.b.resources)).filter((v) => v.policyName === ALARMS),
            [violation(ALARMS, STACK_URN, unknownDiagnostic(ALARMS, "string", "dimensions.FunctionName"), "advisory")],
        );
    });
});

describe("policy pipeline-key-coherence", () => {
    const notStackKey = (name: string, key: string) =>
        `${name} uses KMS key ${JSON.stringify(key)}, which is not a key declared in this stack; use the stack's key (an adopted key goes in externalKeyArns).`;
    const OTHER_KEY = "arn:aws:kms:us-east-1:123456789012:key/other-0000";

    it("passes when every key reference depends on the stack's key", async () => {
        assertNoViolations(await violationsOf(compliantPipeline().b.resources));
    });

    it("reports each kind of resource naming a key that is not the stack's", async () => {
        const p = compliantPipeline();
        const refs: [typeof p.stream, string, unknown][] = [
            [p.stream, "kmsKeyId", OTHER_KEY],
            [p.topic, "kmsMasterKeyId", OTHER_KEY],
            [p.consumer.queue, "kmsMasterKeyId", OTHER_KEY],
            [p.consumer.logGroup, "kmsKeyId", OTHER_KEY],
            [p.table, "serverSideEncryption", { enabled: true, kmsKeyArn: OTHER_KEY }],
            [p.archive.bucketSides.encryption, "rules", [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: OTHER_KEY }, bucketKeyEnabled: true }]],
        ];
        for (const [r, prop, value] of refs) {
            set(r, { [prop]: value });
            unlink(r, prop);
        }
        set(p.consumer.fn, { kmsKeyArn: OTHER_KEY });
        const found = (await violationsOf(p.b.resources)).filter((v) => v.policyName === KEYS);
        const expected = [...refs.map(([r]) => r), p.consumer.fn].map((r) => violation(KEYS, r.urn, notStackKey(r.name, OTHER_KEY)));
        assertViolations(
            found,
            expected.sort((a, b) => a.urn.localeCompare(b.urn)),
        );
    });

    it("accepts an alias declared in the stack, and a key listed in externalKeyArns (an adopted key)", async () => {
        const p = compliantPipeline();
        p.b.add(TYPES.alias, "app", { name: "alias/orders", targetKeyId: "app-key-id" }, { propertyDependencies: { targetKeyId: [p.key] } });
        set(p.topic, { kmsMasterKeyId: "alias/orders" });
        unlink(p.topic, "kmsMasterKeyId");
        set(p.stream, { kmsKeyId: "arn:aws:kms:us-east-1:123456789012:alias/orders" });
        unlink(p.stream, "kmsKeyId");
        set(p.consumer.queue, { kmsMasterKeyId: OTHER_KEY });
        unlink(p.consumer.queue, "kmsMasterKeyId");
        assertViolations(
            (await violationsOf(p.b.resources)).filter((v) => v.policyName === KEYS),
            [violation(KEYS, p.consumer.queue.urn, notStackKey("orders-consumer-failures", OTHER_KEY))],
        );
        assertViolations(
            (await violationsOf(p.b.resources, { [KEYS]: { externalKeyArns: [OTHER_KEY] } })).filter((v) => v.policyName === KEYS),
            [],
        );
    });

    it("accepts the literal ARN or key id of a stack key (the engine gives stack policies the key's outputs), and still reports another key's", async () => {
        const p = compliantPipeline();
        const stackKeyArn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        p.key.outputs = { ...p.key.inputs, arn: stackKeyArn, keyId: "1234abcd-12ab-34cd-56ef-1234567890ab" };
        set(p.stream, { kmsKeyId: stackKeyArn });
        unlink(p.stream, "kmsKeyId");
        set(p.topic, { kmsMasterKeyId: "1234abcd-12ab-34cd-56ef-1234567890ab" });
        unlink(p.topic, "kmsMasterKeyId");
        set(p.consumer.queue, { kmsMasterKeyId: OTHER_KEY });
        unlink(p.consumer.queue, "kmsMasterKeyId");
        assertViolations(
            (await violationsOf(p.b.resources)).filter((v) => v.policyName === KEYS),
            [violation(KEYS, p.consumer.queue.urn, notStackKey("orders-consumer-failures", OTHER_KEY))],
        );
    });

    it("reports an AWS-managed alias even when the stack declares aliases", async () => {
        const p = compliantPipeline();
        set(p.consumer.logGroup, { kmsKeyId: "alias/aws/logs" });
        unlink(p.consumer.logGroup, "kmsKeyId");
        assertViolations(await violationsOf(p.b.resources), [violation(KEYS, p.consumer.logGroup.urn, notStackKey("orders-consumer", "alias/aws/logs"))]);
    });

    it("leaves resources without a key to their own rules (SSE-S3 log bucket, unencrypted log group)", async () => {
        const p = compliantPipeline();
        set(p.producers.logGroup, { kmsKeyId: undefined });
        unlink(p.producers.logGroup, "kmsKeyId");
        assertViolations(await violationsOf(p.b.resources), [
            violation("cloudwatch-log-group-encrypted", p.producers.logGroup.urn, "kmsKeyId is not set; encrypt the log group with the stack's key."),
        ]);
    });

    it("in preview, decides by dependency while the ARN is unknown, and reports an unknown key without one as advisory", async () => {
        const p = compliantPipeline();
        set(p.consumer.queue, { kmsMasterKeyId: UNKNOWN });
        assertViolations(
            (await violationsOf(p.b.resources)).filter((v) => v.policyName === KEYS),
            [],
        );
        unlink(p.consumer.queue, "kmsMasterKeyId");
        assertViolations(
            (await violationsOf(p.b.resources)).filter((v) => v.policyName === KEYS),
            [violation(KEYS, STACK_URN, unknownDiagnostic(KEYS, "string", "kmsMasterKeyId"), "advisory")],
        );
    });

    it("on a stack export the same unseen value is a hidden secret: the stack rule fails closed naming the resource that holds it", async () => {
        const p = compliantPipeline();
        set(p.consumer.queue, { kmsMasterKeyId: UNKNOWN });
        unlink(p.consumer.queue, "kmsMasterKeyId");
        p.consumer.queue.hiddenSecrets = ["kmsMasterKeyId"];
        const found = (await runPolicies(pack, p.b.resources, {}, { valuesFinal: true })).filter((v) => v.policyName === KEYS);
        const message =
            "cannot check .kmsMasterKeyId of orders-consumer-failures: the export holds it as an encrypted secret; export with 'pulumi stack export --show-secrets' to check it (the file then holds the secrets in plain text).";
        assertViolations(found, [violation(KEYS, p.consumer.queue.urn, message)]);
    });
});
