// iam-streaming-least-privilege: roles that touch the stream get named actions on named ARNs.
import { overGrant } from "../../policies/rules/iam";
import { strict as assert } from "node:assert";
import { assertNoViolations, assertViolations, compliantStack, UNKNOWN, unknownDiagnostic, violationsOf } from "../support/policy-harness";

const POLICY = "iam-streaming-least-privilege";
const STREAM_ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/s";
const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/k";

const doc = (...Statement: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const producerWrite = { Sid: "WriteToStream", Effect: "Allow", Action: ["kinesis:PutRecord", "kinesis:PutRecords", "kinesis:ListShards"], Resource: STREAM_ARN };
const keyUse = { Sid: "EncryptWithStreamKey", Effect: "Allow", Action: "kms:GenerateDataKey", Resource: KEY_ARN };

function withRolePolicy(policy: unknown, type = "aws:iam/rolePolicy:RolePolicy") {
    const s = compliantStack();
    const p = s.b.add(type, "producer", { role: "producer-role", policy });
    return { s, p };
}

describe("policy iam-streaming-least-privilege", () => {
    it("passes a producer scoped to PutRecord(s) on the stream and GenerateDataKey on the key", async () => {
        assertNoViolations(await violationsOf(withRolePolicy(doc(producerWrite, keyUse)).s.b.resources));
    });

    it("passes actions that need Resource \"*\" outside Kinesis and KMS (VPC network interfaces)", async () => {
        const eni = { Sid: "Eni", Effect: "Allow", Action: ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces"], Resource: "*" };
        assertNoViolations(await violationsOf(withRolePolicy(doc(producerWrite, eni)).s.b.resources));
    });

    it("passes Deny statements whatever they name", async () => {
        assertNoViolations(await violationsOf(withRolePolicy(doc({ Sid: "NoDelete", Effect: "Deny", Action: "kinesis:*", Resource: "*" })).s.b.resources));
    });

    const broken: [string, Record<string, unknown>, string][] = [
        ["kinesis:*", { Sid: "All", Effect: "Allow", Action: "kinesis:*", Resource: STREAM_ARN }, "statement All allows kinesis:* (name the actions the role needs)."],
        ["*", { Sid: "Admin", Effect: "Allow", Action: "*", Resource: "*" }, "statement Admin allows * (name the actions the role needs)."],
        ["kms:* in a list", { Sid: "Keys", Effect: "Allow", Action: ["kms:Decrypt", "kms:*"], Resource: KEY_ARN }, "statement Keys allows kms:* (name the actions the role needs)."],
        ["PutRecords on every stream", { Sid: "Wide", Effect: "Allow", Action: ["kinesis:PutRecords"], Resource: "*" }, 'statement Wide allows kinesis:PutRecords on Resource "*" (scope them to the stream and key ARNs).'],
        ["Decrypt on every key", { Effect: "Allow", Action: "kms:Decrypt", Resource: ["*"] }, 'statement #0 allows kms:Decrypt on Resource "*" (scope them to the stream and key ARNs).'],
        ["NotAction", { Sid: "Not", Effect: "Allow", NotAction: "iam:*", Resource: "*" }, "statement Not uses NotAction (allows everything it does not name)."],
    ];
    for (const [what, statement, message] of broken) {
        it(`reports ${what}`, async () => {
            const { s, p } = withRolePolicy(doc(statement));
            assertViolations(await violationsOf(s.b.resources), [{ policyName: POLICY, enforcementLevel: "mandatory", urn: p.urn, message }]);
        });
    }

    it("checks managed policies (aws:iam/policy:Policy) too", async () => {
        const { s, p } = withRolePolicy(doc({ Sid: "All", Effect: "Allow", Action: "kinesis:*", Resource: "*" }), "aws:iam/policy:Policy");
        assertViolations(await violationsOf(s.b.resources), [{ policyName: POLICY, enforcementLevel: "mandatory", urn: p.urn, message: "statement All allows kinesis:* (name the actions the role needs)." }]);
    });

    it("reports a policy that is not JSON", async () => {
        const { s, p } = withRolePolicy("{ not json");
        assertViolations(await violationsOf(s.b.resources), [{ policyName: POLICY, enforcementLevel: "mandatory", urn: p.urn, message: "policy is not a JSON policy document." }]);
    });

    it("cannot check a policy document unknown in preview: reported as advisory, not as malformed", async () => {
        const { s, p } = withRolePolicy(UNKNOWN);
        assertViolations(await violationsOf(s.b.resources), [{ policyName: POLICY, enforcementLevel: "advisory", urn: p.urn, message: unknownDiagnostic(POLICY, "string", "policy") }]);
    });

    it("overGrant explains each finding and passes what is fine", () => {
        assert.equal(overGrant({ Effect: "Allow", Action: "kinesis:GetRecords", Resource: STREAM_ARN }), undefined);
        assert.equal(overGrant({ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b" }), "allows s3:* (name the actions the role needs)");
        assert.equal(overGrant({ Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*" }), undefined);
    });
});
