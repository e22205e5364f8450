// sns-topic-encrypted: alert topics use a customer-managed key CloudWatch may publish with.
import { strict as assert } from "node:assert";
import {
    assertNoViolations,
    assertViolations,
    compliantStack,
    policyDoc,
    set,
    TYPES,
    UNKNOWN,
    unknownDiagnostic,
    unlink,
    violation,
    violationsOf,
    STACK_URN,
} from "../support/policy-harness";

const POLICY = "sns-topic-encrypted";
const NOT_SET = "kmsMasterKeyId is not set; encrypt the topic with the stack's customer-managed key.";
const awsManaged = (id: string) => `kmsMasterKeyId ${JSON.stringify(id)} is AWS-managed; CloudWatch alarms cannot publish to it. Use a customer-managed key.`;

describe("policy sns-topic-encrypted", () => {
    it("passes a topic encrypted with the stack's key ARN", async () => {
        assertNoViolations(await violationsOf(compliantStack().b.resources));
    });

    for (const kmsMasterKeyId of ["alias/alerts-key", "1234abcd-12ab-34cd-56ef-1234567890ab", "arn:aws:kms:us-east-1:123456789012:alias/alerts-key"]) {
        it(`passes the customer-managed key ${kmsMasterKeyId}`, async () => {
            assertNoViolations(await violationsOf(compliantStack({ topic: { kmsMasterKeyId } }).b.resources));
        });
    }

    for (const [label, kmsMasterKeyId] of [
        ["absent", undefined],
        ["empty", ""],
    ] as const) {
        it(`reports a kmsMasterKeyId that is ${label}`, async () => {
            const s = compliantStack({ topic: { kmsMasterKeyId } });
            assertViolations(await violationsOf(s.b.resources), [{ policyName: POLICY, enforcementLevel: "mandatory", urn: s.topic.urn, message: NOT_SET }]);
        });
    }

    for (const kmsMasterKeyId of ["alias/aws/sns", "arn:aws:kms:eu-west-1:123456789012:alias/aws/sns"]) {
        it(`reports the AWS-managed key ${kmsMasterKeyId}`, async () => {
            const s = compliantStack({ topic: { kmsMasterKeyId } });
            assertViolations(await violationsOf(s.b.resources), [{ policyName: POLICY, enforcementLevel: "mandatory", urn: s.topic.urn, message: awsManaged(kmsMasterKeyId) }]);
        });
    }

    it("cannot check a kmsMasterKeyId unknown in preview: reported as advisory", async () => {
        const s = compliantStack({ topic: { kmsMasterKeyId: UNKNOWN } });
        assertViolations(await violationsOf(s.b.resources), [
            { policyName: POLICY, enforcementLevel: "advisory", urn: s.topic.urn, message: unknownDiagnostic(POLICY, "string", "kmsMasterKeyId") },
        ]);
    });
});

// sns-topic-tls-only (a stack policy): the topic's policy, joined by its `arn` property dependency
// (or the topic's inline policy), denies publishing without TLS.
describe("policy sns-topic-tls-only", () => {
    const TLS = "sns-topic-tls-only";
    const TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:alerts";
    const denyTls = (action: unknown = ["sns:Publish", "sns:Subscribe"], condition: unknown = { Bool: { "aws:SecureTransport": "false" } }, principal: unknown = "*") => ({
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: principal,
        Action: action,
        Resource: TOPIC_ARN,
        Condition: condition,
    });
    const setup = () => {
        const s = compliantStack();
        return { ...s, policy: s.b.find(TYPES.topicPolicy, "alerts") };
    };

    it("passes a topic whose TopicPolicy denies sns:Publish without TLS (linked by the arn dependency)", async () => {
        const s = setup();
        assert.deepEqual(s.policy.propertyDependencies.arn, [s.topic.urn]);
        assertNoViolations(await violationsOf(s.b.resources));
    });

    const passing: [string, Record<string, unknown>][] = [
        ["a Deny of sns:* with a boolean false", denyTls("sns:*", { Bool: { "aws:SecureTransport": false } })],
        ['a Deny of "*" to { AWS: "*" } under BoolIfExists', denyTls("*", { BoolIfExists: { "aws:SecureTransport": ["false"] } }, { AWS: "*" })],
    ];
    for (const [what, statement] of passing) {
        it(`passes ${what}`, async () => {
            const s = setup();
            set(s.policy, { policy: policyDoc(statement) });
            assertNoViolations(await violationsOf(s.b.resources));
        });
    }

    it("passes the topic's inline policy without a TopicPolicy", async () => {
        const s = setup();
        s.b.remove(s.policy);
        set(s.topic, { policy: policyDoc(denyTls()) });
        assertNoViolations(await violationsOf(s.b.resources));
    });

    it("links the TopicPolicy by the topic name in its arn when there are no dependencies (stack file)", async () => {
        const s = setup();
        set(s.topic, { name: "alerts" });
        unlink(s.policy);
        assertNoViolations(await violationsOf(s.b.resources));
    });

    it("reports a topic without a policy", async () => {
        const s = setup();
        s.b.remove(s.policy);
        assertViolations(await violationsOf(s.b.resources), [
            violation(TLS, s.topic.urn, "topic alerts has no topic policy; attach one that denies sns:Publish when aws:SecureTransport is false."),
        ]);
    });

    it("reports a topic whose only TopicPolicy belongs to another topic", async () => {
        const s = setup();
        const other = s.b.topic("audit", s.key);
        s.b.remove(s.policy);
        assertNoViolations(await violationsOf(s.b.resources.filter((r) => r.urn !== s.topic.urn)));
        assertViolations(await violationsOf(s.b.resources), [
            violation(TLS, s.topic.urn, "topic alerts has no topic policy; attach one that denies sns:Publish when aws:SecureTransport is false."),
        ]);
        assert.ok(other);
    });

    const broken: [string, Record<string, unknown>][] = [
        ["only Allow statements", { Sid: "Publish", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: TOPIC_ARN }],
        ["a Deny of sns:Subscribe only", denyTls("sns:Subscribe")],
        ['a Deny when aws:SecureTransport is "true"', denyTls(undefined, { Bool: { "aws:SecureTransport": "true" } })],
        ["a Deny without a condition", { Sid: "DenyAll", Effect: "Deny", Principal: "*", Action: "sns:Publish", Resource: TOPIC_ARN }],
        ["a Deny to one account only", denyTls(["sns:Publish"], { Bool: { "aws:SecureTransport": "false" } }, { AWS: "arn:aws:iam::123456789012:root" })],
    ];
    for (const [what, statement] of broken) {
        it(`reports a policy with ${what}`, async () => {
            const s = setup();
            set(s.policy, { policy: policyDoc(statement) });
            assertViolations(await violationsOf(s.b.resources), [
                violation(TLS, s.topic.urn, "the policy of topic alerts does not deny sns:Publish when aws:SecureTransport is false."),
            ]);
        });
    }

    it("reports a policy that is not JSON like one without the Deny", async () => {
        const s = setup();
        set(s.policy, { policy: "not json" });
        assertViolations(await violationsOf(s.b.resources), [
            violation(TLS, s.topic.urn, "the policy of topic alerts does not deny sns:Publish when aws:SecureTransport is false."),
        ]);
    });

    it("in preview, links by the arn dependency while the arn is unknown, and reports an unknown policy document as advisory", async () => {
        const s = setup();
        set(s.policy, { arn: UNKNOWN });
        assertNoViolations(await violationsOf(s.b.resources));
        set(s.policy, { policy: UNKNOWN });
        assertViolations(await violationsOf(s.b.resources), [
            violation("sns-topic-policy-not-public", s.policy.urn, unknownDiagnostic("sns-topic-policy-not-public", "string", "policy"), "advisory"),
            violation(TLS, STACK_URN, unknownDiagnostic(TLS, "string", "policy"), "advisory"),
        ]);
    });

    it("in preview, an unknown inline policy does not hide a TopicPolicy that passes", async () => {
        const s = setup();
        set(s.topic, { policy: UNKNOWN });
        // (sns-topic-policy-not-public cannot read the inline policy either, and says so.)
        assertViolations(await violationsOf(s.b.resources), [
            violation("sns-topic-policy-not-public", s.topic.urn, unknownDiagnostic("sns-topic-policy-not-public", "string", "policy"), "advisory"),
        ]);
    });

    it("in preview, a TopicPolicy whose arn is unknown and that nothing links is undecided: advisory", async () => {
        const s = setup();
        unlink(s.policy);
        set(s.policy, { arn: UNKNOWN });
        assertViolations(await violationsOf(s.b.resources), [violation(TLS, STACK_URN, unknownDiagnostic(TLS, "string", "arn"), "advisory")]);
    });
});

// sns-topic-policy-not-public: no Allow to everyone or another account without a condition.
describe("policy sns-topic-policy-not-public", () => {
    const OPEN = "sns-topic-policy-not-public";
    const TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:alerts";
    const allow = (extra: Record<string, unknown>) => ({ Sid: "Grant", Effect: "Allow", Action: "sns:Publish", Resource: TOPIC_ARN, ...extra });
    const setup = (...statements: Record<string, unknown>[]) => {
        const s = compliantStack();
        const policy = s.b.find(TYPES.topicPolicy, "alerts");
        const doc = JSON.parse(policy.inputs.policy as string) as { Statement: unknown[] };
        set(policy, { policy: policyDoc(...doc.Statement.map((x) => x as object), ...statements) });
        return { ...s, policy };
    };
    const message = (why: string) => `topic policy statement Grant ${why} without a condition; name the principals or add aws:SourceArn/aws:SourceAccount/aws:PrincipalOrgID.`;

    const passing: [string, Record<string, unknown>][] = [
        ["the account's own root", allow({ Principal: { AWS: "arn:aws:iam::123456789012:root" } })],
        ["a role of the own account", allow({ Principal: { AWS: ["arn:aws:iam::123456789012:role/ops"] } })],
        ["a service limited by aws:SourceAccount", allow({ Principal: { Service: "events.amazonaws.com" }, Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } })],
        ["everyone in one organization", allow({ Principal: "*", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } } })],
        [
            "another account narrowed by a condition",
            allow({ Principal: { AWS: "210987654321" }, Condition: { ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:*:210987654321:alarm:*" } } }),
        ],
    ];
    for (const [what, statement] of passing) {
        it(`passes an Allow to ${what}`, async () => {
            assertNoViolations(await violationsOf(setup(statement).b.resources));
        });
    }

    const broken: [string, Record<string, unknown>, string][] = [
        ['Principal "*"', allow({ Principal: "*" }), "allows everyone"],
        ['{ AWS: "*" }', allow({ Principal: { AWS: ["*"] } }), "allows everyone"],
        ["NotPrincipal", allow({ NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" } }), "allows everyone but its NotPrincipal"],
        ["another account's root", allow({ Principal: { AWS: "arn:aws:iam::210987654321:root" } }), "allows account 210987654321"],
        ["another account's id", allow({ Principal: { AWS: ["arn:aws:iam::123456789012:role/ops", "210987654321"] } }), "allows account 210987654321"],
    ];
    for (const [what, statement, why] of broken) {
        it(`reports an Allow of ${what} without a condition`, async () => {
            const s = setup(statement);
            assertViolations(await violationsOf(s.b.resources), [violation(OPEN, s.policy.urn, message(why))]);
        });
    }

    it("checks a topic's inline policy, its account read from the statements' Resource", async () => {
        const s = compliantStack({ topic: { policy: policyDoc(allow({ Principal: { AWS: "arn:aws:iam::210987654321:root" } })) } });
        assertViolations(await violationsOf(s.b.resources), [violation(OPEN, s.topic.urn, message("allows account 210987654321"))]);
    });
});
