// sns-subscription-redrive: every alert subscription keeps what SNS could not deliver in a queue.
import { assertNoViolations, assertViolations, compliant, compliantStack, set, TYPES, UNKNOWN, unknownDiagnostic, violation, violationsOf } from "../support/policy-harness";
import { arn } from "../support/policy-harness/stack-model";

const POLICY = "sns-subscription-redrive";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const fix = "SNS discards what it cannot deliver. Set redrivePolicy to { deadLetterTargetArn: <an encrypted SQS queue only the topic may send to> }.";

/** The compliant stack with an undelivered-alerts queue (encrypted, TLS-only) and one subscription redriving to it. */
function withSubscription(protocol: string, endpoint: string, overrides: Record<string, unknown> = {}) {
    const s = compliantStack();
    const queue = s.b.add(
        TYPES.queue,
        "alerts-undelivered",
        compliant.queue("alerts-undelivered", compliant.keyArn(s.key.name), { policy: compliant.queueTlsOnly("alerts-undelivered") }),
        {
            propertyDependencies: { kmsMasterKeyId: [s.key] },
        },
    );
    const sub = s.b.add(
        SUBSCRIPTION,
        `alerts-${protocol}`,
        { topic: compliant.topicArn(s.topic.name), protocol, endpoint, redrivePolicy: JSON.stringify({ deadLetterTargetArn: arn.queue("alerts-undelivered") }), ...overrides },
        { propertyDependencies: { topic: [s.topic], redrivePolicy: [queue] } },
    );
    return { s, sub };
}

describe("policy sns-subscription-redrive", () => {
    for (const [protocol, endpoint] of [
        ["email", "oncall@example.com"],
        ["https", "https://events.pagerduty.com/integration/x/enqueue"],
        ["sqs", arn.queue("their-queue")],
    ]) {
        it(`passes a ${protocol} subscription with a dead-letter queue`, async () => {
            assertNoViolations(await violationsOf(withSubscription(protocol!, endpoint!).s.b.resources));
        });
    }

    const broken: [string, Record<string, unknown>, string][] = [
        ["no redrivePolicy", { redrivePolicy: undefined }, "has no redrivePolicy"],
        ["a redrivePolicy that is not JSON", { redrivePolicy: "arn:aws:sqs:us-east-1:123456789012:q" }, "has a redrivePolicy that is not JSON"],
        [
            "a dead-letter target that is not a queue",
            { redrivePolicy: JSON.stringify({ deadLetterTargetArn: compliant.topicArn("other") }) },
            "has a redrivePolicy without an SQS deadLetterTargetArn",
        ],
    ];
    for (const [what, patch, problem] of broken) {
        it(`reports ${what}`, async () => {
            const { s, sub } = withSubscription("https", "https://events.pagerduty.com/integration/x/enqueue");
            set(sub, patch);
            assertViolations(await violationsOf(s.b.resources), [violation(POLICY, sub.urn, `https subscription ${problem}; ${fix}`)]);
        });
    }

    it("cannot check a redrive policy unknown in preview: advisory", async () => {
        const { s, sub } = withSubscription("email", "oncall@example.com", { redrivePolicy: UNKNOWN });
        assertViolations(await violationsOf(s.b.resources), [violation(POLICY, sub.urn, unknownDiagnostic(POLICY, "string", "redrivePolicy"), "advisory")]);
    });
});
