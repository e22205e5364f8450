// iam-streaming-least-privilege: roles that touch the stream get named actions on named ARNs.
import { overGrant } from "../../policies/rules/iam";
import { strict as assert } from "node:assert";
import {
    arn,
    assertHasViolation,
    assertNoViolations,
    assertViolations,
    compliantPipeline,
    compliantStack,
    PIPELINE,
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

    it('passes actions that need Resource "*" outside Kinesis and KMS (VPC network interfaces)', async () => {
        const eni = { Sid: "Eni", Effect: "Allow", Action: ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces"], Resource: "*" };
        assertNoViolations(await violationsOf(withRolePolicy(doc(producerWrite, eni)).s.b.resources));
    });

    it('passes account-level reads that take no resource ARN on "*" (ListStreams, DescribeLimits, CloudWatch metrics): "*" is the only Resource they accept', async () => {
        const account = {
            Sid: "Account",
            Effect: "Allow",
            Action: ["kinesis:ListStreams", "kinesis:DescribeLimits", "kinesis:DescribeAccountSettings", "kms:ListAliases"],
            Resource: "*",
        };
        const metrics = { Sid: "Metrics", Effect: "Allow", Action: ["cloudwatch:GetMetricData", "cloudwatch:PutMetricData"], Resource: "*" };
        const found = (await violationsOf(withRolePolicy(doc(producerWrite, account, metrics)).s.b.resources)).filter((v) => v.policyName === POLICY);
        assertViolations(found, []);
    });

    it('names only the actions that can be scoped when a statement mixes them with account-level reads, and says the reads may stay on "*"', () => {
        assert.equal(
            overGrant({ Effect: "Allow", Action: ["kinesis:ListStreams", "kinesis:GetRecords"], Resource: "*" }),
            'allows kinesis:GetRecords on Resource "*" (scope them to the stream and key ARNs; kinesis:ListStreams takes no resource ARN and may stay on "*" in a statement of its own)',
        );
    });

    it('tells a role granted account-level writes on "*" to remove them, not to scope them', async () => {
        const { s, p } = withRolePolicy(doc(producerWrite, { Sid: "Account", Effect: "Allow", Action: ["kinesis:UpdateAccountSettings", "kms:CreateKey"], Resource: "*" }));
        assertViolations(
            (await violationsOf(s.b.resources)).filter((v) => v.policyName === POLICY),
            [violation(POLICY, p.urn, "statement Account allows kinesis:UpdateAccountSettings, kms:CreateKey (account-level, not needed by a streaming role: remove them).")],
        );
        assert.equal(
            overGrant({ Effect: "Allow", Action: ["kinesis:PutRecords", "kms:GenerateRandom"], Resource: "*" }),
            'allows kinesis:PutRecords on Resource "*" (scope them to the stream and key ARNs); it also allows kms:GenerateRandom (account-level, not needed by a streaming role: remove it)',
        );
    });

    it("passes Deny statements whatever they name", async () => {
        assertNoViolations(await violationsOf(withRolePolicy(doc({ Sid: "NoDelete", Effect: "Deny", Action: "kinesis:*", Resource: "*" })).s.b.resources));
    });

    const broken: [string, Record<string, unknown>, string][] = [
        ["kinesis:*", { Sid: "All", Effect: "Allow", Action: "kinesis:*", Resource: STREAM_ARN }, "statement All allows kinesis:* (name the actions the role needs)."],
        ["*", { Sid: "Admin", Effect: "Allow", Action: "*", Resource: "*" }, "statement Admin allows * (name the actions the role needs)."],
        [
            "kms:* in a list",
            { Sid: "Keys", Effect: "Allow", Action: ["kms:Decrypt", "kms:*"], Resource: KEY_ARN },
            "statement Keys allows kms:* (name the actions the role needs).",
        ],
        [
            "PutRecords on every stream",
            { Sid: "Wide", Effect: "Allow", Action: ["kinesis:PutRecords"], Resource: "*" },
            'statement Wide allows kinesis:PutRecords on Resource "*" (scope them to the stream and key ARNs).',
        ],
        [
            "Decrypt on every key",
            { Effect: "Allow", Action: "kms:Decrypt", Resource: ["*"] },
            'statement #0 allows kms:Decrypt on Resource "*" (scope them to the stream and key ARNs).',
        ],
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
        assertViolations(await violationsOf(s.b.resources), [
            { policyName: POLICY, enforcementLevel: "mandatory", urn: p.urn, message: "statement All allows kinesis:* (name the actions the role needs)." },
        ]);
    });

    it("reports a policy that is not JSON", async () => {
        const { s, p } = withRolePolicy("{ not json");
        assertViolations(await violationsOf(s.b.resources), [{ policyName: POLICY, enforcementLevel: "mandatory", urn: p.urn, message: "policy is not a JSON policy document." }]);
    });

    it("cannot check a policy document unknown in preview: reported as advisory, not as malformed", async () => {
        const { s, p } = withRolePolicy(UNKNOWN);
        assertViolations(await violationsOf(s.b.resources), [
            { policyName: "iam-policy-resource-scope", enforcementLevel: "advisory", urn: p.urn, message: unknownDiagnostic("iam-policy-resource-scope", "string", "policy") },
            { policyName: POLICY, enforcementLevel: "advisory", urn: p.urn, message: unknownDiagnostic(POLICY, "string", "policy") },
            // The stack policy that classes roles cannot read it either (the engine's diagnostic has no URN: the tools name the stack).
            {
                policyName: "iam-streaming-role-purpose",
                enforcementLevel: "advisory",
                urn: STACK_URN,
                message: unknownDiagnostic("iam-streaming-role-purpose", "string", "policy"),
            },
        ]);
    });

    it("overGrant explains each finding and passes what is fine", () => {
        assert.equal(overGrant({ Effect: "Allow", Action: "kinesis:GetRecords", Resource: STREAM_ARN }), undefined);
        assert.equal(overGrant({ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b" }), "allows s3:* (name the actions the role needs)");
        assert.equal(overGrant({ Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*" }), undefined);
    });
});

describe("policy iam-streaming-least-privilege: wildcards of any service, wildcard ARNs, broad managed policies", () => {
    const broken: [string, Record<string, unknown>, string][] = [
        [
            "logs:* (a service wildcard outside the stream's services)",
            { Sid: "Logs", Effect: "Allow", Action: "logs:*", Resource: "arn:aws:logs:us-east-1:123456789012:log-group:x:*" },
            "statement Logs allows logs:* (name the actions the role needs).",
        ],
        [
            "kinesis:Put* (includes PutResourcePolicy)",
            { Sid: "Put", Effect: "Allow", Action: "kinesis:Put*", Resource: STREAM_ARN },
            "statement Put allows kinesis:Put* (name the actions the role needs).",
        ],
        [
            "GetRecords on every stream of the account",
            { Sid: "Read", Effect: "Allow", Action: ["kinesis:GetRecords"], Resource: "arn:aws:kinesis:us-east-1:123456789012:stream/*" },
            'statement Read allows kinesis:GetRecords on "arn:aws:kinesis:us-east-1:123456789012:stream/*" (scope them to the stream ARNs).',
        ],
    ];
    for (const [what, statement, message] of broken) {
        it(`reports ${what}`, async () => {
            const { s, p } = withRolePolicy(doc(statement));
            assertViolations(await violationsOf(s.b.resources), [{ policyName: POLICY, enforcementLevel: "mandatory", urn: p.urn, message }]);
        });
    }

    it("passes kms:GenerateDataKey* in a role policy? no: only Kinesis actions may not use partial wildcards", async () => {
        const { s } = withRolePolicy(doc(producerWrite, { Sid: "Keys", Effect: "Allow", Action: "kms:GenerateDataKey*", Resource: KEY_ARN }));
        assertNoViolations(await violationsOf(s.b.resources));
    });

    for (const managed of ["AmazonKinesisFullAccess", "AmazonS3FullAccess", "AdministratorAccess", "job-function/PowerUserAccess"]) {
        it(`reports a role attaching the AWS-managed ${managed}`, async () => {
            const s = compliantStack();
            const att = s.b.add(TYPES.rolePolicyAttachment, "producer-full", { role: "producer-role", policyArn: `arn:aws:iam::aws:policy/${managed}` });
            const name = managed.slice(managed.lastIndexOf("/") + 1);
            assertViolations(await violationsOf(s.b.resources), [
                violation(POLICY, att.urn, `attaches the AWS-managed policy ${name}, which grants far more than a streaming role needs; write a scoped role policy.`),
            ]);
        });
    }

    it("reports broad managedPolicyArns on a role, and passes a narrow AWS-managed policy", async () => {
        const s = compliantStack();
        // X-Ray's daemon policy writes only actions with no resource-level permissions (AWSLambdaBasicExecutionRole is iam-policy-resource-scope's).
        const ok = s.b.add(TYPES.rolePolicyAttachment, "xray", { role: "r", policyArn: "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess" });
        const role = s.b.add(TYPES.role, "legacy", { assumeRolePolicy: "{}", managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonKinesisFullAccess"] });
        assertViolations(await violationsOf(s.b.resources), [
            violation(POLICY, role.urn, "attaches the AWS-managed policy AmazonKinesisFullAccess, which grants far more than a streaming role needs; write a scoped role policy."),
        ]);
        assert.ok(ok);
    });
});

// iam-streaming-role-purpose (a stack policy): consumers only read, producers only write, each
// classed by how the stack uses the role (event source mapping, Firehose source) or what it reads.
describe("policy iam-streaming-role-purpose", () => {
    const PURPOSE = "iam-streaming-role-purpose";
    const REPLICA_ARN = "arn:aws:kinesis:eu-west-1:123456789012:stream/orders-events-replica";
    const statementsOf = (r: { inputs: Record<string, unknown> }) => (JSON.parse(r.inputs.policy as string) as { Statement: Record<string, unknown>[] }).Statement;
    const withStatements = (r: { inputs: Record<string, unknown> }, statements: Record<string, unknown>[]) => set(r as never, { policy: doc(...statements) });
    const consumerMessage = (why: string, sid: string, actions: string) =>
        `role orders-consumer consumes streams (${why}) but statement ${sid} allows ${actions}; a consumer gets only read actions on the streams it reads.`;
    const BY_ESM = "its function is invoked by event source mapping orders-consumer";

    it("passes the pipeline's producer, consumer and Firehose roles", async () => {
        assertNoViolations(await violationsOf(compliantPipeline().b.resources));
    });

    it("passes a consumer that also writes to another stream (a replicator)", async () => {
        const p = compliantPipeline();
        withStatements(p.consumer.rolePolicy, [
            ...statementsOf(p.consumer.rolePolicy),
            { Sid: "WriteToReplica", Effect: "Allow", Action: ["kinesis:PutRecords", "kinesis:ListShards"], Resource: REPLICA_ARN },
        ]);
        assertNoViolations(await violationsOf(p.b.resources));
    });

    it("reports a consumer (by its event source mapping) that may write to the stream it reads", async () => {
        const p = compliantPipeline();
        withStatements(p.consumer.rolePolicy, [
            ...statementsOf(p.consumer.rolePolicy),
            { Sid: "Echo", Effect: "Allow", Action: ["kinesis:PutRecord"], Resource: arn.stream(PIPELINE.stream) },
        ]);
        assertViolations(await violationsOf(p.b.resources), [violation(PURPOSE, p.consumer.rolePolicy.urn, consumerMessage(BY_ESM, "Echo", "kinesis:PutRecord"))]);
    });

    it("reports a consumer that may reshard or register consumers, even when it reads nothing itself", async () => {
        const p = compliantPipeline();
        withStatements(p.consumer.rolePolicy, [
            {
                Sid: "Manage",
                Effect: "Allow",
                Action: ["kinesis:RegisterStreamConsumer", "kinesis:DescribeStreamSummary", "kinesis:DeleteStream"],
                Resource: arn.stream(PIPELINE.stream),
            },
        ]);
        assertViolations(await violationsOf(p.b.resources), [
            violation(PURPOSE, p.consumer.rolePolicy.urn, consumerMessage(BY_ESM, "Manage", "kinesis:RegisterStreamConsumer, kinesis:DeleteStream")),
        ]);
    });

    it("classes a role by what it reads when the stack does not say how it is used (a KCL application's role)", async () => {
        const p = compliantPipeline();
        const role = p.b.add(TYPES.role, "kcl", { name: "kcl", assumeRolePolicy: "{}" });
        const kcl = p.b.add(
            TYPES.rolePolicy,
            "kcl",
            {
                role: "kcl",
                policy: doc({
                    Sid: "ReadStream",
                    Effect: "Allow",
                    Action: ["kinesis:GetShardIterator", "kinesis:GetRecords", "kinesis:RegisterStreamConsumer"],
                    Resource: arn.stream(PIPELINE.stream),
                }),
            },
            { propertyDependencies: { role: [role], policy: [p.stream] } },
        );
        assertViolations(await violationsOf(p.b.resources), [
            violation(
                PURPOSE,
                kcl.urn,
                "role kcl consumes streams (it is granted kinesis:GetShardIterator) but statement ReadStream allows kinesis:RegisterStreamConsumer; a consumer gets only read actions on the streams it reads.",
            ),
        ]);
    });

    it("reports a Firehose source role that may write to the stream", async () => {
        const p = compliantPipeline();
        withStatements(p.archive.rolePolicy, [
            { Sid: "ReadSourceStream", Effect: "Allow", Action: ["kinesis:DescribeStream", "kinesis:PutRecords"], Resource: arn.stream(PIPELINE.stream) },
        ]);
        assertViolations(await violationsOf(p.b.resources), [
            violation(
                PURPOSE,
                p.archive.rolePolicy.urn,
                "role orders-archive-firehose consumes streams (it is the source role of delivery stream orders-archive) but statement ReadSourceStream allows kinesis:PutRecords; a consumer gets only read actions on the streams it reads.",
            ),
        ]);
    });

    it("reports a producer that may also describe or delete the stream", async () => {
        const p = compliantPipeline();
        withStatements(p.producers.rolePolicy, [
            { Sid: "WriteToStream", Effect: "Allow", Action: ["kinesis:PutRecords", "kinesis:DeleteStream"], Resource: arn.stream(PIPELINE.stream) },
            { Sid: "Peek", Effect: "Allow", Action: ["kinesis:DescribeStream"], Resource: arn.stream(PIPELINE.stream) },
        ]);
        const only = "kinesis:PutRecord, kinesis:PutRecords, kinesis:ListShards, and DescribeStreamSummary on the streams it writes";
        assertViolations(await violationsOf(p.b.resources), [
            violation(
                PURPOSE,
                p.producers.rolePolicy.urn,
                `role orders-ingest produces to streams but statement Peek also allows kinesis:DescribeStream; a producer gets only ${only}.`,
            ),
            violation(
                PURPOSE,
                p.producers.rolePolicy.urn,
                `role orders-ingest produces to streams but statement WriteToStream also allows kinesis:DeleteStream; a producer gets only ${only}.`,
            ),
        ]);
    });

    it("lets a producer read the record size (DescribeStreamSummary) of exactly the streams it writes, and nothing wider", async () => {
        const learn = (Resource: unknown) => ({ Sid: "LearnRecordSize", Effect: "Allow", Action: "kinesis:DescribeStreamSummary", Resource });
        const write = { Sid: "WriteToStream", Effect: "Allow", Action: ["kinesis:PutRecords", "kinesis:ListShards"], Resource: arn.stream(PIPELINE.stream) };
        const p = compliantPipeline();
        withStatements(p.producers.rolePolicy, [write, learn(arn.stream(PIPELINE.stream))]);
        assertNoViolations(await violationsOf(p.b.resources));

        const message = (sid: string) =>
            `role orders-ingest produces to streams but statement ${sid} also allows kinesis:DescribeStreamSummary; a producer gets only kinesis:PutRecord, kinesis:PutRecords, kinesis:ListShards, and DescribeStreamSummary on the streams it writes.`;
        for (const wider of [REPLICA_ARN, "arn:aws:kinesis:us-east-1:123456789012:stream/*", "*", [arn.stream(PIPELINE.stream), REPLICA_ARN]]) {
            const q = compliantPipeline();
            withStatements(q.producers.rolePolicy, [write, learn(wider)]);
            // (Wildcards are iam-streaming-least-privilege's to report as well.)
            const own = (await violationsOf(q.b.resources)).filter((v) => v.policyName === PURPOSE);
            assertViolations(own, [violation(PURPOSE, q.producers.rolePolicy.urn, message("LearnRecordSize"))]);
        }
    });

    it("takes consumerActions and producerActions from config (a KPL producer that needs DescribeStream)", async () => {
        const p = compliantPipeline();
        withStatements(p.producers.rolePolicy, [
            { Sid: "Kpl", Effect: "Allow", Action: ["kinesis:PutRecords", "kinesis:DescribeStream", "kinesis:ListShards"], Resource: arn.stream(PIPELINE.stream) },
        ]);
        assertNoViolations(await violationsOf(p.b.resources, { [PURPOSE]: { producerActions: ["kinesis:PutRecords", "kinesis:DescribeStream", "kinesis:ListShards"] } }));
        assertViolations(await violationsWithoutSchemaDefaults(p.b.resources), [
            violation(
                PURPOSE,
                p.producers.rolePolicy.urn,
                "role orders-ingest produces to streams but statement Kpl also allows kinesis:DescribeStream; a producer gets only kinesis:PutRecord, kinesis:PutRecords, kinesis:ListShards, and DescribeStreamSummary on the streams it writes.",
            ),
        ]);
    });

    it("leaves wildcards to iam-streaming-least-privilege and ignores roles that neither read nor write (an autoscaler)", async () => {
        const p = compliantPipeline();
        withStatements(p.producers.rolePolicy, [{ Sid: "All", Effect: "Allow", Action: "kinesis:*", Resource: arn.stream(PIPELINE.stream) }]);
        const role = p.b.add(TYPES.role, "scaler", { name: "scaler", assumeRolePolicy: "{}" });
        p.b.add(
            TYPES.rolePolicy,
            "scaler",
            {
                role: "scaler",
                policy: doc({ Sid: "Reshard", Effect: "Allow", Action: ["kinesis:DescribeStreamSummary", "kinesis:UpdateShardCount"], Resource: arn.stream(PIPELINE.stream) }),
            },
            {
                propertyDependencies: { role: [role] },
            },
        );
        p.stream.ignoreChanges = ["shardCount"]; // the autoscaled stream done right (pipeline-autoscaled-shard-count)
        assertViolations(await violationsOf(p.b.resources), [violation(POLICY, p.producers.rolePolicy.urn, "statement All allows kinesis:* (name the actions the role needs).")]);
    });

    it("links role policies and functions to roles by name when there are no dependencies (stack file)", async () => {
        const p = compliantPipeline();
        for (const r of [p.consumer.rolePolicy, p.consumer.fn, p.consumer.esm]) unlink(r);
        withStatements(p.consumer.rolePolicy, [{ Sid: "Manage", Effect: "Allow", Action: ["kinesis:GetRecords", "kinesis:DeleteStream"], Resource: arn.stream(PIPELINE.stream) }]);
        assertViolations(await violationsOf(p.b.resources), [violation(PURPOSE, p.consumer.rolePolicy.urn, consumerMessage(BY_ESM, "Manage", "kinesis:DeleteStream"))]);
    });

    it("in preview, reports an unknown role policy document as advisory (and still checks the others)", async () => {
        const p = compliantPipeline();
        set(p.archive.rolePolicy, { policy: UNKNOWN });
        withStatements(p.producers.rolePolicy, [
            { Sid: "WriteToStream", Effect: "Allow", Action: ["kinesis:PutRecords", "kinesis:GetRecords"], Resource: arn.stream(PIPELINE.stream) },
        ]);
        const found = await violationsOf(p.b.resources);
        assertHasViolation(found, PURPOSE, unknownDiagnostic(PURPOSE, "string", "policy"), { urn: STACK_URN, enforcementLevel: "advisory" });
        // Granted GetRecords, the producer is a consumer that may write the stream it reads.
        assertHasViolation(
            found,
            PURPOSE,
            "role orders-ingest consumes streams (it is granted kinesis:GetRecords) but statement WriteToStream allows kinesis:PutRecords; a consumer gets only read actions on the streams it reads.",
            { urn: p.producers.rolePolicy.urn, enforcementLevel: "mandatory" },
        );
    });
});

describe("policy documents of odd shapes", () => {
    it("never crash a policy: null statements, numbers for actions, objects for resources", async () => {
        const p = compliantPipeline();
        const odd = JSON.stringify({ Version: "2012-10-17", Statement: [null, "x", { Effect: "Allow", Action: [1, "kinesis:GetRecords"], Resource: { arn: 1 } }] });
        set(p.consumer.rolePolicy, { policy: odd });
        set(p.archive.bucketSides.policy, { policy: odd });
        set(p.key, { policy: odd });
        // Only what the documents fail to say is reported: the bucket's policy no longer denies insecure transport.
        assertViolations(await violationsOf(p.b.resources), [
            violation("firehose-destination-bucket", p.archive.firehose.urn, "delivery stream orders-archive delivers to bucket orders-archive, which fails s3-bucket-tls-only."),
            violation(
                "s3-bucket-tls-only",
                p.archive.bucket.urn,
                "the policy of bucket orders-archive does not deny s3:* on the bucket and its objects when aws:SecureTransport is false.",
            ),
        ]);
    });
});
