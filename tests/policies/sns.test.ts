// sns-topic-encrypted: alert topics use a customer-managed key CloudWatch may publish with.
import { assertNoViolations, assertViolations, compliantStack, UNKNOWN, unknownDiagnostic, violationsOf } from "../support/policy-harness";

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

    for (const [label, kmsMasterKeyId] of [["absent", undefined], ["empty", ""]] as const) {
        it(`reports a kmsMasterKeyId that is ${label}`, async () => {
            const s = compliantStack({ topic: { kmsMasterKeyId } });
            assertViolations(await violationsOf(s.b.resources), [{ policyName: POLICY, enforcementLevel: "mandatory", urn: s.topic.urn, message: NOT_SET }]);
        });
    }

    for (const kmsMasterKeyId of ["alias/aws/sns", "arn:aws:kms:eu-west-1:123456789012:alias/aws/sns"]) {
        it(`reports the AWS-managed key ${kmsMasterKeyId}`, async () => {
            const s = compliantStack({ topic: { kmsMasterKeyId } });
            assertViolations(await violationsOf(s.b.resources), [
                { policyName: POLICY, enforcementLevel: "mandatory", urn: s.topic.urn, message: awsManaged(kmsMasterKeyId) },
            ]);
        });
    }

    it("cannot check a kmsMasterKeyId unknown in preview: reported as advisory", async () => {
        const s = compliantStack({ topic: { kmsMasterKeyId: UNKNOWN } });
        assertViolations(await violationsOf(s.b.resources), [
            { policyName: POLICY, enforcementLevel: "advisory", urn: s.topic.urn, message: unknownDiagnostic(POLICY, "string", "kmsMasterKeyId") },
        ]);
    });
});
