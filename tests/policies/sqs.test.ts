// sqs-queue-encrypted (every queue, the stack's key) and sqs-dlq-retention (a stack policy: queues
// that receive failed batches keep them for the replay window).
import { strict as assert } from "node:assert";
import {
    arn,
    assertNoViolations,
    assertViolations,
    compliant,
    compliantPipeline,
    denyInsecureTransport,
    policyDoc,
    set,
    TYPES,
    UNKNOWN,
    unknownDiagnostic,
    unlink,
    violation,
    violationsOf,
    violationsWithoutSchemaDefaults,
    STACK_URN,
} from "../support/policy-harness";

const ENCRYPTED = "sqs-queue-encrypted";
const RETENTION = "sqs-dlq-retention";
const retentionMessage = (seconds: number, window = 72) =>
    `queue orders-consumer-failures keeps failed-batch messages ${seconds} s; the ${window} h replay window needs messageRetentionSeconds of at least ${window * 3600}.`;

describe("policy sqs-queue-encrypted", () => {
    it("passes the on-failure queue encrypted with the stack's key", async () => {
        assertNoViolations(await violationsOf(compliantPipeline().b.resources));
    });

    const broken: [string, Record<string, unknown>, string][] = [
        ["no key", { kmsMasterKeyId: undefined }, "kmsMasterKeyId is not set; encrypt the queue with the stack's key."],
        ["SSE-SQS instead of KMS", { kmsMasterKeyId: undefined, sqsManagedSseEnabled: true }, "queue uses SSE-SQS; set kmsMasterKeyId to the stack's key."],
    ];
    for (const [what, patch, message] of broken) {
        it(`reports ${what}`, async () => {
            const p = compliantPipeline();
            set(p.consumer.queue, patch);
            assertViolations(await violationsOf(p.b.resources), [violation(ENCRYPTED, p.consumer.queue.urn, message)]);
        });
    }

    it("reports the AWS-managed alias/aws/sqs (and pipeline-key-coherence, which wants a key of the stack)", async () => {
        const p = compliantPipeline();
        set(p.consumer.queue, { kmsMasterKeyId: "alias/aws/sqs" });
        unlink(p.consumer.queue, "kmsMasterKeyId");
        assertViolations(await violationsOf(p.b.resources), [
            violation(
                "pipeline-key-coherence",
                p.consumer.queue.urn,
                'orders-consumer-failures uses KMS key "alias/aws/sqs", which is not a key declared in this stack; use the stack\'s key (an adopted key goes in externalKeyArns).',
            ),
            violation(ENCRYPTED, p.consumer.queue.urn, 'kmsMasterKeyId "alias/aws/sqs" is AWS-managed; use the stack\'s customer-managed key.'),
        ]);
    });

    it("cannot check a key unknown in preview without its dependency: advisory", async () => {
        const p = compliantPipeline();
        set(p.consumer.queue, { kmsMasterKeyId: UNKNOWN });
        assertViolations(await violationsOf(p.b.resources), [violation(ENCRYPTED, p.consumer.queue.urn, unknownDiagnostic(ENCRYPTED, "string", "kmsMasterKeyId"), "advisory")]);
    });
});

describe("policy sqs-dlq-retention", () => {
    it("passes an on-failure queue keeping 14 days, and exactly the 72 h replay window", async () => {
        assertNoViolations(await violationsOf(compliantPipeline().b.resources));
        const p = compliantPipeline();
        set(p.consumer.queue, { messageRetentionSeconds: 72 * 3600 });
        assertNoViolations(await violationsOf(p.b.resources));
    });

    it("reports an on-failure queue keeping one second less than 72 h, also without schema defaults", async () => {
        for (const run of [violationsOf, violationsWithoutSchemaDefaults]) {
            const p = compliantPipeline();
            set(p.consumer.queue, { messageRetentionSeconds: 72 * 3600 - 1 });
            assertViolations(await run(p.b.resources), [violation(RETENTION, p.consumer.queue.urn, retentionMessage(72 * 3600 - 1))]);
        }
    });

    it("counts an unset messageRetentionSeconds as SQS's default of 4 days (passes 72 h, fails 120 h)", async () => {
        const p = compliantPipeline();
        set(p.consumer.queue, { messageRetentionSeconds: undefined });
        assertNoViolations(await violationsOf(p.b.resources));
        assertViolations(await violationsOf(p.b.resources, { [RETENTION]: { replayWindowHours: 120 } }), [
            violation(RETENTION, p.consumer.queue.urn, retentionMessage(345_600, 120)),
        ]);
    });

    it("uses replayWindowHours from config (dev: 23 h)", async () => {
        const p = compliantPipeline();
        set(p.consumer.queue, { messageRetentionSeconds: 23 * 3600 });
        assertNoViolations(await violationsOf(p.b.resources, { [RETENTION]: { replayWindowHours: 23 } }));
        assertViolations(await violationsOf(p.b.resources), [violation(RETENTION, p.consumer.queue.urn, retentionMessage(23 * 3600))]);
    });

    it("ignores queues that receive no failed batches", async () => {
        const p = compliantPipeline();
        p.b.add(
            TYPES.queue,
            "work",
            {
                name: "work",
                kmsMasterKeyId: "arn:aws:kms:us-east-1:123456789012:key/app-key-0000-0000-0000-000000000000",
                messageRetentionSeconds: 60,
                policy: compliant.queueTlsOnly("work"),
            },
            { propertyDependencies: { kmsMasterKeyId: [p.key] } },
        );
        assertNoViolations(await violationsOf(p.b.resources));
    });

    it("finds the on-failure queue by its ARN when there are no dependencies (stack file)", async () => {
        const p = compliantPipeline();
        unlink(p.consumer.esm, "destinationConfig");
        set(p.consumer.queue, { messageRetentionSeconds: 3600 });
        assertViolations(await violationsOf(p.b.resources), [violation(RETENTION, p.consumer.queue.urn, retentionMessage(3600))]);
    });

    it("checks a redrive dead-letter queue (redrivePolicy)", async () => {
        const p = compliantPipeline();
        const dlq = p.b.add(TYPES.queue, "work-dlq", compliant.queue("work-dlq", "k", { messageRetentionSeconds: 3600, policy: compliant.queueTlsOnly("work-dlq") }), {
            propertyDependencies: { kmsMasterKeyId: [p.key] },
        });
        p.b.add(
            TYPES.queue,
            "work",
            {
                name: "work",
                kmsMasterKeyId: "k",
                policy: compliant.queueTlsOnly("work"),
                redrivePolicy: JSON.stringify({ deadLetterTargetArn: arn.queue("work-dlq"), maxReceiveCount: 5 }),
            },
            { propertyDependencies: { kmsMasterKeyId: [p.key], redrivePolicy: [dlq] } },
        );
        assertViolations(await violationsOf(p.b.resources), [
            violation("pipeline-alarms", dlq.urn, "queue work-dlq receives failed batches but has no AWS/SQS ApproximateNumberOfMessagesVisible alarm."),
            violation(RETENTION, dlq.urn, "queue work-dlq keeps failed-batch messages 3600 s; the 72 h replay window needs messageRetentionSeconds of at least 259200."),
        ]);
    });

    it("cannot check a retention unknown in preview: advisory", async () => {
        const p = compliantPipeline();
        set(p.consumer.queue, { messageRetentionSeconds: UNKNOWN });
        assertViolations(await violationsOf(p.b.resources), [violation(RETENTION, STACK_URN, unknownDiagnostic(RETENTION, "string", "messageRetentionSeconds"), "advisory")]);
    });
});

// sqs-queue-policy (a stack policy): every queue's policy, joined by its `queueUrl` property
// dependency (or the queue's inline policy), refuses clear text and opens the queue to nobody.
describe("policy sqs-queue-policy", () => {
    const QP = "sqs-queue-policy";
    const QUEUE_ARN = arn.queue("orders-consumer-failures");
    const allow = (extra: Record<string, unknown>) => ({ Sid: "Grant", Effect: "Allow", Action: "sqs:SendMessage", Resource: QUEUE_ARN, ...extra });
    const withStatements = (...statements: Record<string, unknown>[]) => {
        const p = compliantPipeline();
        set(p.consumer.queuePolicy, { policy: policyDoc(...statements, denyInsecureTransport("sqs:*", QUEUE_ARN)) });
        return p;
    };
    const NO_TLS = "the policy of queue orders-consumer-failures does not deny sqs:SendMessage when aws:SecureTransport is false.";

    it("passes the on-failure queue whose QueuePolicy denies sqs:* without TLS (linked by the queueUrl dependency)", async () => {
        const p = compliantPipeline();
        assert.deepEqual(p.consumer.queuePolicy.propertyDependencies.queueUrl, [p.consumer.queue.urn]);
        assertNoViolations(await violationsOf(p.b.resources));
    });

    it("passes an Allow to another account's role, and one to everyone narrowed by a condition", async () => {
        const p = withStatements(
            allow({ Principal: { AWS: "arn:aws:iam::210987654321:role/replayer" } }),
            allow({ Sid: "FromTopic", Principal: "*", Condition: { ArnEquals: { "aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:alerts" } } }),
        );
        assertNoViolations(await violationsOf(p.b.resources));
    });

    it("passes the queue's inline policy, and links a QueuePolicy by the URL's queue name in a stack file", async () => {
        const p = compliantPipeline();
        p.b.remove(p.consumer.queuePolicy);
        set(p.consumer.queue, { policy: compliant.queueTlsOnly("orders-consumer-failures") });
        assertNoViolations(await violationsOf(p.b.resources));
        const q = compliantPipeline();
        unlink(q.consumer.queuePolicy);
        assertNoViolations(await violationsOf(q.b.resources));
    });

    it("reports a queue without a policy", async () => {
        const p = compliantPipeline();
        p.b.remove(p.consumer.queuePolicy);
        assertViolations(await violationsOf(p.b.resources), [
            violation(QP, p.consumer.queue.urn, "queue orders-consumer-failures has no queue policy; attach one that denies sqs:* when aws:SecureTransport is false."),
        ]);
    });

    for (const [what, statement] of [
        ["a Deny without the TLS condition", { Sid: "DenyAll", Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: QUEUE_ARN }],
        ["a TLS Deny of sqs:ReceiveMessage only", denyInsecureTransport("sqs:ReceiveMessage", QUEUE_ARN)],
    ] as const) {
        it(`reports a policy with only ${what}`, async () => {
            const p = compliantPipeline();
            set(p.consumer.queuePolicy, { policy: policyDoc(statement) });
            assertViolations(await violationsOf(p.b.resources), [violation(QP, p.consumer.queue.urn, NO_TLS)]);
        });
    }

    const wide: [string, Record<string, unknown>, string][] = [
        ['Principal "*" without a condition', allow({ Principal: "*" }), "allows everyone without a condition"],
        ['{ AWS: "*" } without a condition', allow({ Principal: { AWS: ["*"] } }), "allows everyone without a condition"],
        ["NotPrincipal", allow({ NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" } }), "allows everyone but its NotPrincipal"],
        ["sqs:* to one account", allow({ Principal: { AWS: "arn:aws:iam::210987654321:root" }, Action: "sqs:*" }), "allows every SQS action"],
        ['"*" to one account', allow({ Principal: { AWS: "arn:aws:iam::210987654321:root" }, Action: ["sqs:SendMessage", "*"] }), "allows every SQS action"],
    ];
    for (const [what, statement, why] of wide) {
        it(`reports an Allow of ${what}`, async () => {
            const p = withStatements(statement);
            assertViolations(await violationsOf(p.b.resources), [
                violation(QP, p.consumer.queue.urn, `the policy of queue orders-consumer-failures ${why} (statement Grant); name the principals and actions.`),
            ]);
        });
    }

    it("in preview, reports an unknown policy document as advisory", async () => {
        const p = compliantPipeline();
        set(p.consumer.queuePolicy, { policy: UNKNOWN });
        assertViolations(await violationsOf(p.b.resources), [violation(QP, STACK_URN, unknownDiagnostic(QP, "string", "policy"), "advisory")]);
    });
});
