// CloudWatch: log groups expire (after at least the configured days) and use the stack's key;
// alarms have actions.
import {
    assertNoViolations,
    assertViolations,
    compliantPipeline,
    set,
    TYPES,
    UNKNOWN,
    unknownDiagnostic,
    violation,
    violationsOf,
    violationsWithoutSchemaDefaults,
} from "../support/policy-harness";

const RETENTION = "cloudwatch-log-group-retention";
const ENCRYPTED = "cloudwatch-log-group-encrypted";
const ACTIONS = "cloudwatch-alarm-actions";

describe("policy cloudwatch-log-group-retention", () => {
    it("passes 30 days (the default minimum), and more", async () => {
        assertNoViolations(await violationsOf(compliantPipeline().b.resources));
        const p = compliantPipeline();
        set(p.consumer.logGroup, { retentionInDays: 3653 });
        assertNoViolations(await violationsOf(p.b.resources));
    });

    for (const [what, days, message] of [
        ["14 days", 14, "retentionInDays is 14; at least 30 days is required."],
        ["no retention (never expires)", undefined, "retentionInDays is not set (logs never expire); set at least 30 days."],
        ["0 (never expires)", 0, "retentionInDays is not set (logs never expire); set at least 30 days."],
    ] as const) {
        it(`reports ${what}, also without schema defaults`, async () => {
            for (const run of [violationsOf, violationsWithoutSchemaDefaults]) {
                const p = compliantPipeline();
                set(p.consumer.logGroup, { retentionInDays: days });
                assertViolations(await run(p.b.resources), [violation(RETENTION, p.consumer.logGroup.urn, message)]);
            }
        });
    }

    it("uses minRetentionDays from config (CloudWatch.16's 365)", async () => {
        const p = compliantPipeline();
        const found = await violationsOf(p.b.resources, { [RETENTION]: { minRetentionDays: 365 } });
        assertViolations(
            found,
            [p.archive.logGroup, p.consumer.logGroup, p.producers.logGroup].map((g) => violation(RETENTION, g.urn, "retentionInDays is 30; at least 365 days is required.")),
        );
    });

    it("cannot check a retention unknown in preview: advisory", async () => {
        const p = compliantPipeline();
        set(p.consumer.logGroup, { retentionInDays: UNKNOWN });
        assertViolations(await violationsOf(p.b.resources), [violation(RETENTION, p.consumer.logGroup.urn, unknownDiagnostic(RETENTION, "string", "retentionInDays"), "advisory")]);
    });
});

describe("policy cloudwatch-log-group-encrypted", () => {
    it("reports a log group without a key", async () => {
        const p = compliantPipeline();
        set(p.producers.logGroup, { kmsKeyId: undefined });
        assertViolations(await violationsOf(p.b.resources), [violation(ENCRYPTED, p.producers.logGroup.urn, "kmsKeyId is not set; encrypt the log group with the stack's key.")]);
    });

    it("in preview, an unknown key ARN with its dependency is left to the engine: advisory", async () => {
        const p = compliantPipeline();
        set(p.producers.logGroup, { kmsKeyId: UNKNOWN });
        assertViolations(await violationsOf(p.b.resources), [violation(ENCRYPTED, p.producers.logGroup.urn, unknownDiagnostic(ENCRYPTED, "string", "kmsKeyId"), "advisory")]);
    });
});

describe("policy cloudwatch-alarm-actions", () => {
    it("passes alarms notifying the topic, and an alarm invoking a function (the autoscaler's scale-out alarm)", async () => {
        const p = compliantPipeline();
        set(p.consumer.queueAlarm, { alarmActions: ["arn:aws:lambda:us-east-1:123456789012:function:autoscaler"], okActions: undefined });
        assertNoViolations(await violationsOf(p.b.resources));
    });

    it("reports an alarm with no action and one with actions disabled (which no longer counts for the stream); a composite alarm too", async () => {
        const p = compliantPipeline();
        const lonely = p.b.add(TYPES.alarm, "lonely", {
            namespace: "AWS/Lambda",
            metricName: "Throttles",
            dimensions: { FunctionName: "x" },
            threshold: 1,
            evaluationPeriods: 1,
            comparisonOperator: "GreaterThanThreshold",
        });
        set(p.alarm, { actionsEnabled: false });
        const composite = p.b.add("aws:cloudwatch/compositeAlarm:CompositeAlarm", "pipeline-down", { alarmName: "pipeline-down", alarmRule: "ALARM(a) AND ALARM(b)" });
        const found = await violationsOf(p.b.resources);
        assertViolations(
            found,
            [
                violation(ACTIONS, p.alarm.urn, "actionsEnabled is false; the alarm's actions never run."),
                violation(
                    "kinesis-stream-iterator-age-alarm",
                    p.stream.urn,
                    "stream orders: its iterator-age alarm needs an alarm action and a threshold of at most 302400000 ms (0.5 of 168 h retention).",
                ),
                violation(ACTIONS, composite.urn, "alarmActions is empty; notify the alerts topic (or invoke the function that acts on it)."),
                violation(ACTIONS, lonely.urn, "alarmActions is empty; notify the alerts topic (or invoke the function that acts on it)."),
            ].sort((a, b) => a.urn.localeCompare(b.urn) || a.policyName.localeCompare(b.policyName)),
        );
    });

    it("cannot check actions unknown in preview: advisory", async () => {
        const p = compliantPipeline();
        set(p.consumer.queueAlarm, { alarmActions: UNKNOWN });
        const found = await violationsOf(p.b.resources);
        assertViolations(
            found.filter((v) => v.policyName === ACTIONS),
            [violation(ACTIONS, p.consumer.queueAlarm.urn, unknownDiagnostic(ACTIONS, "string", "alarmActions"), "advisory")],
        );
    });
});
