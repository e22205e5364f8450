// iam-policy-resource-scope: no iam:PassRole on any role, no write of any service on Resource "*",
// except the few writes that have no resource-level permissions.
import { strict as assert } from "node:assert";
import { LAMBDA_VPC_WRITES, NO_RESOURCE_LEVEL_WRITES, unscopedGrants } from "../../policies/rules/iam";
import { assertNoViolations, assertViolations, compliantPipeline, compliantStack, policyDoc, set, TYPES, violation, violationsOf } from "../support/policy-harness";

const POLICY = "iam-policy-resource-scope";
const allow = (Action: string | string[], Resource: string | string[], extra: Record<string, unknown> = {}) => ({ Sid: "S", Effect: "Allow", Action, Resource, ...extra });
const PASS_ROLE = "allows iam:PassRole on any role: whoever holds it can hand any role (an administrator's included) to a service; name the role ARNs it passes";

describe("policy iam-policy-resource-scope", () => {
    it("passes the pipeline's roles", async () => {
        assertNoViolations(await violationsOf(compliantPipeline().b.resources));
    });

    const passing: [string, Record<string, unknown>][] = [
        [
            'cloudwatch:PutMetricData on "*" narrowed to a namespace (no resource-level permissions)',
            allow("cloudwatch:PutMetricData", "*", { Condition: { StringEquals: { "cloudwatch:namespace": "analytics-app" } } }),
        ],
        ['X-Ray trace writes and reads on "*"', allow(["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules"], "*")],
        ["the network-interface actions of a VPC function's execution role", allow([...LAMBDA_VPC_WRITES, "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"], "*")],
        ['reads and lists on "*"', allow(["cloudwatch:GetMetricData", "sts:GetCallerIdentity", "ec2:DescribeSubnets", "tag:GetResources"], "*")],
        [
            "writes scoped to their resources",
            allow(["dynamodb:PutItem", "sqs:SendMessage"], ["arn:aws:dynamodb:us-east-1:123456789012:table/t", "arn:aws:sqs:us-east-1:123456789012:q"]),
        ],
        ["iam:PassRole on a named role", allow("iam:PassRole", "arn:aws:iam::123456789012:role/firehose-delivery")],
        ['a Deny on "*"', { Sid: "D", Effect: "Deny", Action: "s3:DeleteObject", Resource: "*" }],
    ];
    for (const [what, statement] of passing) {
        it(`passes ${what}`, async () => {
            const p = compliantPipeline();
            set(p.consumer.rolePolicy, { policy: policyDoc(statement) });
            const found = await violationsOf(p.b.resources);
            assertViolations(
                found.filter((v) => v.policyName === POLICY),
                [],
            );
        });
    }

    const broken: [string, Record<string, unknown>, string[]][] = [
        ['iam:PassRole on "*"', allow("iam:PassRole", "*"), [`statement S ${PASS_ROLE}.`]],
        ["iam:PassRole on every role of an account", allow("iam:PassRole", "arn:aws:iam::123456789012:role/*"), [`statement S ${PASS_ROLE}.`]],
        [
            'writes and permissions management of other services on "*"',
            allow(["s3:PutObject", "dynamodb:DeleteItem", "iam:AttachRolePolicy", "sns:Publish", "ec2:CreateTags", "dynamodb:GetItem"], "*"),
            ['statement S allows s3:PutObject, dynamodb:DeleteItem, iam:AttachRolePolicy, sns:Publish, ec2:CreateTags on Resource "*"; scope them to the ARNs the role uses.'],
        ],
        [
            'logs writes on "*" (they take a log group ARN)',
            allow(["logs:CreateLogStream", "logs:PutLogEvents"], "*"),
            ['statement S allows logs:CreateLogStream, logs:PutLogEvents on Resource "*"; scope them to the ARNs the role uses.'],
        ],
        [
            "a write through NotResource, with iam:PassRole",
            { Sid: "S", Effect: "Allow", Action: ["sqs:SendMessage", "iam:PassRole"], NotResource: "arn:aws:sqs:us-east-1:123456789012:other" },
            [`statement S ${PASS_ROLE}.`, "statement S allows sqs:SendMessage on NotResource (every resource it does not name); scope it to the ARNs the role uses."],
        ],
    ];
    for (const [what, statement, messages] of broken) {
        it(`reports ${what}`, async () => {
            const p = compliantPipeline();
            set(p.consumer.rolePolicy, { policy: policyDoc(statement) });
            const found = (await violationsOf(p.b.resources)).filter((v) => v.policyName === POLICY);
            assertViolations(
                found,
                messages.map((m) => violation(POLICY, p.consumer.rolePolicy.urn, m)),
            );
        });
    }

    it("reads aws.iam.Policy documents and a role's inlinePolicies", async () => {
        const s = compliantStack();
        const managed = s.b.add("aws:iam/policy:Policy", "deployer", { policy: policyDoc(allow("iam:PassRole", "*")) });
        const role = s.b.add(TYPES.role, "inline", {
            assumeRolePolicy: policyDoc({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }),
            inlinePolicies: [{ name: "writer", policy: policyDoc(allow("s3:PutObject", "*")) }],
        });
        assertViolations(
            (await violationsOf(s.b.resources)).filter((v) => v.policyName === POLICY),
            [
                violation(POLICY, managed.urn, `statement S ${PASS_ROLE}.`),
                violation(POLICY, role.urn, 'inline policy writer: statement S allows s3:PutObject on Resource "*"; scope it to the ARNs the role uses.'),
            ],
        );
    });

    it('reports the AWS-managed Lambda execution policies that write logs on "*", attached or in managedPolicyArns', async () => {
        const s = compliantStack();
        const att = s.b.add(TYPES.rolePolicyAttachment, "basic", { role: "r", policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" });
        const role = s.b.add(TYPES.role, "legacy", { assumeRolePolicy: "{}", managedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole"] });
        s.b.add(TYPES.rolePolicyAttachment, "xray", { role: "r", policyArn: "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess" });
        const logs = "logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents";
        assertViolations(
            (await violationsOf(s.b.resources)).filter((v) => v.policyName === POLICY),
            [
                violation(
                    POLICY,
                    role.urn,
                    `attaches the AWS-managed policy AWSLambdaKinesisExecutionRole, which allows ${logs} on Resource "*"; write a role policy scoped to the function's own log group.`,
                ),
                violation(
                    POLICY,
                    att.urn,
                    `attaches the AWS-managed policy AWSLambdaBasicExecutionRole, which allows ${logs} on Resource "*"; write a role policy scoped to the function's own log group.`,
                ),
            ],
        );
    });

    it("keeps its exceptions small and to actions without resource-level permissions (plus Lambda's VPC interfaces)", () => {
        assert.deepEqual(NO_RESOURCE_LEVEL_WRITES, ["cloudwatch:PutMetricData", "xray:PutTraceSegments", "xray:PutTelemetryRecords"]);
        assert.equal(LAMBDA_VPC_WRITES.length, 4);
        // Kinesis/KMS actions and wildcard actions are iam-streaming-least-privilege's, so not reported twice.
        assert.deepEqual(unscopedGrants(allow(["kinesis:PutRecord", "kms:Decrypt", "s3:*"], "*")), []);
    });
});
