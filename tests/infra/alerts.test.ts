// The alerts topic keeps what it cannot deliver: each subscription redrives to an encrypted queue only
// its topic may send to, whose depth alarms; and every bucket lifecycle aborts incomplete uploads.
import { strict as assert } from "node:assert";
import type { PolicyDocument } from "../../infra/lib/iam";
import { jsonInput, ofType, one, synthesize, type SynthResult } from "../support/stack";

const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const QUEUE = "aws:sqs/queue:Queue";
const QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";
const TOPIC = "aws:sns/topic:Topic";
const KEY = "aws:kms/key:Key";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";

describe("alerts: undelivered alerts are kept (Serverless-SNSRedrivePolicy)", () => {
    let dev: SynthResult;
    let prod: SynthResult;
    before(async () => {
        dev = await synthesize("dev");
        prod = await synthesize("prod");
    });

    // The primary region's topic and the replica region's (alarms publish only to topics of their own region).
    for (const [alerts, key, region] of [
        ["prod-alerts", "prod-key", "us-east-1"],
        ["prod-replica-alerts", "prod-replica-key", "us-west-2"],
    ] as const) {
        it(`${alerts}: each subscription redrives to the component's own encrypted queue, which only its topic may send to, over TLS`, () => {
            const topic = one(prod, TOPIC, alerts);
            const queue = one(prod, QUEUE, `${alerts}-undelivered`);
            assert.equal(queue.parent, topic.parent, "the queue is the topic's component's child (its provider, so its region)");
            assert.deepEqual(queue.propertyDependencies.kmsMasterKeyId, [one(prod, KEY, key).urn]);
            assert.equal(queue.inputs.messageRetentionSeconds, 14 * 24 * 3600);
            const subs = ofType(prod, SUBSCRIPTION).filter((s) => s.parent === topic.parent);
            assert.deepEqual(subs.map((s) => s.inputs.protocol).sort(), ["email", "https"]);
            for (const sub of subs) {
                // SNS needs the dead-letter queue in the topic's region.
                assert.deepEqual(jsonInput(sub, "redrivePolicy"), { deadLetterTargetArn: `arn:aws:sqs:${region}:123456789012:${alerts}-undelivered-mock` });
                assert.deepEqual(sub.propertyDependencies.redrivePolicy, [queue.urn]);
            }
            const policy = ofType(prod, QUEUE_POLICY).find((p) => p.propertyDependencies.queueUrl?.includes(queue.urn));
            assert.ok(policy, "the queue has a policy");
            const doc = jsonInput<PolicyDocument>(policy, "policy");
            const allow = doc.Statement.filter((s) => s.Effect === "Allow");
            assert.deepEqual(
                allow.map((s) => [s.Principal, s.Action]),
                [[{ Service: "sns.amazonaws.com" }, "sqs:SendMessage"]],
            );
            assert.deepEqual(Object.keys(allow[0]!.Condition?.ArnEquals ?? {}), ["aws:SourceArn"]);
            assert.deepEqual(policy.propertyDependencies.policy?.sort(), [queue.urn, topic.urn].sort());
            assert.ok(doc.Statement.some((s) => s.Sid === "DenyInsecureTransport" && s.Effect === "Deny"));
        });

        it(`${alerts}: an alarm fires on any undelivered alert, and the key lets SNS write to the encrypted queue`, () => {
            const queue = one(prod, QUEUE, `${alerts}-undelivered`);
            const alarm = one(prod, ALARM, `${alerts}-undelivered`);
            assert.equal(alarm.inputs.metricName, "ApproximateNumberOfMessagesVisible");
            assert.deepEqual(alarm.propertyDependencies.dimensions, [queue.urn]);
            assert.equal(alarm.inputs.threshold, 1);
            assert.deepEqual(alarm.propertyDependencies.alarmActions, [one(prod, TOPIC, alerts).urn]);
            const keyPolicy = jsonInput<PolicyDocument>(one(prod, KEY, key), "policy");
            const sns = keyPolicy.Statement.find((s) => s.Sid === "SnsSendsToEncryptedQueues");
            assert.deepEqual(sns?.Principal, { Service: "sns.amazonaws.com" });
            assert.deepEqual(sns?.Action, ["kms:Decrypt", "kms:GenerateDataKey*"]);
            assert.ok(sns?.Condition?.StringEquals?.["aws:SourceAccount"], "limited to the account");
        });
    }

    it("dev has no subscriptions, so no undelivered queue", () => {
        assert.equal(ofType(dev, SUBSCRIPTION).length, 0);
        assert.ok(!ofType(dev, QUEUE).some((q) => q.name.endsWith("-undelivered")));
    });

    it("every bucket lifecycle aborts incomplete multipart uploads of every object (CKV_AWS_300)", () => {
        const lifecycles = ofType(prod, LIFECYCLE);
        assert.equal(lifecycles.length, 2, "the archive and its access-log bucket");
        for (const l of lifecycles) {
            const rules = l.inputs.rules as { status: string; filter?: object; abortIncompleteMultipartUpload?: { daysAfterInitiation: number } }[];
            assert.ok(
                rules.some((r) => r.status === "Enabled" && r.abortIncompleteMultipartUpload?.daysAfterInitiation === 7 && Object.keys(r.filter ?? {}).length === 0),
                `${l.name} aborts incomplete uploads`,
            );
        }
    });
});
