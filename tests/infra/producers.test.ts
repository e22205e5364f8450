import { strict as assert } from "node:assert";
import type { PolicyDocument } from "../../infra/lib/iam";
import { buildBundle, lambdaArchive } from "../../infra/lib/bundle";
import { jsonInput, ofType, one, synthesize, type SynthResult } from "../support/stack";

const STREAM_ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/kinesis-streaming-prod-events";
const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000";
const WRITE = [
    { Sid: "WriteToStream", Effect: "Allow", Action: ["kinesis:PutRecord", "kinesis:PutRecords", "kinesis:ListShards"], Resource: STREAM_ARN },
    { Sid: "EncryptWithStreamKey", Effect: "Allow", Action: "kms:GenerateDataKey", Resource: KEY_ARN },
];
const PUT_RECORD_ONLY = [{ ...WRITE[0], Action: ["kinesis:PutRecord"] }, WRITE[1]];

const policyOf = (r: SynthResult, name: string) => jsonInput<PolicyDocument>(one(r, "aws:iam/rolePolicy:RolePolicy", name), "policy");
const trustOf = (r: SynthResult, name: string) => jsonInput<PolicyDocument>(one(r, "aws:iam/role:Role", name), "assumeRolePolicy");

describe("Producers component", () => {
    let prod: SynthResult;
    let feeds: SynthResult;
    before(async () => {
        prod = await synthesize("prod");
        feeds = await synthesize("prod", {
            "kinesis-streaming:iotTopicFilter": "devices/+/telemetry",
            "kinesis-streaming:logsSubscriptionLogGroups": JSON.stringify(["/app/orders", "/app/web"]),
            "kinesis-streaming:cdcTableName": "orders",
            "kinesis-streaming:producerTrustedPrincipals": JSON.stringify(["arn:aws:iam::210987654321:role/order-service"]),
            "kinesis-streaming:ingestAuthorization": "JWT",
            "kinesis-streaming:ingestJwtIssuer": "https://auth.example.com/",
            "kinesis-streaming:ingestJwtAudience": JSON.stringify(["ingest"]),
            "kinesis-streaming:consumerFilterEventTypes": JSON.stringify(["order"]),
        });
    });

    it("the ingest function is the esbuild bundle on nodejs22.x / arm64 with its own encrypted log group", () => {
        const fn = one(prod, "aws:lambda/function:Function", "prod-producers-ingest");
        assert.equal(fn.inputs.name, "kinesis-streaming-prod-ingest");
        assert.equal(fn.inputs.runtime, "nodejs22.x");
        assert.deepEqual(fn.inputs.architectures, ["arm64"]);
        assert.equal(fn.inputs.handler, "index.handler");
        assert.deepEqual(fn.inputs.environment, {
            variables: {
                NODE_OPTIONS: "--enable-source-maps",
                STREAM_NAME: "kinesis-streaming-prod-events",
                MAX_BODY_BYTES: "1048576",
                INGEST_AGGREGATION: "true",
                MAX_RECORD_SIZE_KIB: "1024",
                POWERTOOLS_SERVICE_NAME: "ingest",
                POWERTOOLS_METRICS_NAMESPACE: "StreamingPipeline",
            },
        });
        assert.deepEqual((fn.inputs.code as { __pulumiArchive?: boolean }).__pulumiArchive, true);
        const logs = one(prod, "aws:cloudwatch/logGroup:LogGroup", "prod-producers-ingest");
        assert.deepEqual([logs.inputs.name, logs.inputs.retentionInDays, logs.inputs.kmsKeyId], ["/aws/lambda/kinesis-streaming-prod-ingest", 30, KEY_ARN]);
        assert.deepEqual(fn.inputs.loggingConfig, { logFormat: "JSON", logGroup: "/aws/lambda/kinesis-streaming-prod-ingest" });
        assert.ok(fn.dependencies.includes(logs.urn), "function waits for its log group");
    });

    it("bundles deterministically: minified, with a source map, identical on a re-run", async () => {
        const a = buildBundle("ingest");
        const b = buildBundle("ingest");
        assert.equal(a.code, b.code);
        assert.equal(a.sourceMap, b.sourceMap);
        assert.match(a.code, /\/\/# sourceMappingURL=index\.js\.map\s*$/);
        assert.ok(!a.code.includes("createHandler"), "minified: internal names are mangled");
        const map = JSON.parse(a.sourceMap) as { sources: string[] };
        assert.ok(map.sources.includes("../../ingest/index.ts"), map.sources.slice(0, 5).join(","));
        assert.ok(
            map.sources.every((s) => !s.startsWith("/")),
            "no absolute paths in the source map",
        );
        assert.deepEqual(Object.keys(await lambdaArchive("ingest").assets), ["index.js", "index.js.map"]);
    });

    it("the ingest role may only write to this stream and use its key (plus its own logs)", () => {
        const doc = policyOf(prod, "prod-producers-ingest");
        assert.deepEqual(doc.Statement, [
            {
                Sid: "WriteOwnLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/kinesis-streaming-prod-ingest:*",
            },
            ...WRITE,
        ]);
        assert.deepEqual(trustOf(prod, "prod-producers-ingest").Statement, [
            { Sid: "AssumedByService", Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
        ]);
    });

    it("the external producer role has the same least privilege, may read the stream's record size, and trusts this account by default", () => {
        assert.deepEqual(policyOf(prod, "prod-producers-external").Statement, [
            ...WRITE,
            // So an external producer on our library can learn the stream's record size (and nothing else).
            { Sid: "LearnRecordSize", Effect: "Allow", Action: "kinesis:DescribeStreamSummary", Resource: WRITE[0]!.Resource },
            { Sid: "CallIngestApi", Effect: "Allow", Action: "execute-api:Invoke", Resource: "arn:aws:execute-api:us-east-1:123456789012:prod-producers-api-id/*/POST/events" },
        ]);
        assert.deepEqual(trustOf(prod, "prod-producers-external").Statement[0]!.Principal, { AWS: ["arn:aws:iam::123456789012:root"] });
        assert.deepEqual(trustOf(feeds, "prod-producers-external").Statement[0]!.Principal, { AWS: ["arn:aws:iam::210987654321:role/order-service"] });
    });

    it("POST /events is IAM-authorized by default, JWT when configured, throttled and access-logged", () => {
        const route = one(prod, "aws:apigatewayv2/route:Route");
        assert.deepEqual([route.inputs.routeKey, route.inputs.authorizationType, route.inputs.authorizerId], ["POST /events", "AWS_IAM", undefined]);
        assert.deepEqual(ofType(prod, "aws:apigatewayv2/authorizer:Authorizer"), []);
        const jwt = one(feeds, "aws:apigatewayv2/authorizer:Authorizer");
        assert.deepEqual(jwt.inputs.jwtConfiguration, { issuer: "https://auth.example.com/", audiences: ["ingest"] });
        assert.equal(one(feeds, "aws:apigatewayv2/route:Route").inputs.authorizationType, "JWT");
        const stage = one(prod, "aws:apigatewayv2/stage:Stage");
        assert.deepEqual(stage.inputs.defaultRouteSettings, { throttlingRateLimit: 100, throttlingBurstLimit: 200 });
        assert.equal(
            (stage.inputs.accessLogSettings as { destinationArn: string }).destinationArn,
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/kinesis-streaming-prod-ingest",
        );
        const permission = one(prod, "aws:lambda/permission:Permission", "prod-producers");
        assert.equal(permission.inputs.sourceArn, "arn:aws:execute-api:us-east-1:123456789012:prod-producers-api-id/*/*");
        assert.equal(prod.outputs.ingestApiUrl, "https://prod-producers-api-id.execute-api.us-east-1.amazonaws.com/events");
    });

    it("the ingest API writes unaggregated records when the consumer filters by event type (no KPL aggregate matches a filter)", () => {
        const env = (r: SynthResult) => (one(r, "aws:lambda/function:Function", "prod-producers-ingest").inputs.environment as { variables: Record<string, string> }).variables;
        assert.equal(env(prod).INGEST_AGGREGATION, "true");
        assert.equal(env(feeds).INGEST_AGGREGATION, "false");
    });

    it("creates no feed unless configured", () => {
        for (const type of [
            "aws:iot/topicRule:TopicRule",
            "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
            "aws:dynamodb/kinesisStreamingDestination:KinesisStreamingDestination",
        ]) {
            assert.deepEqual(ofType(prod, type), [], type);
        }
    });

    it("IoT feed: a topic rule keyed by topic, a role with PutRecord only, errors to an encrypted log group", () => {
        const rule = one(feeds, "aws:iot/topicRule:TopicRule");
        assert.equal(rule.inputs.sql, "SELECT * FROM 'devices/+/telemetry'");
        assert.deepEqual(rule.inputs.kineses, [
            // biome-ignore lint/suspicious/noTemplateCurlyInString: an IoT SQL substitution template, not a JavaScript one.
            { roleArn: "arn:aws:iam::123456789012:role/prod-producers-iot-mock", streamName: "kinesis-streaming-prod-events", partitionKey: "${topic()}" },
        ]);
        assert.deepEqual(policyOf(feeds, "prod-producers-iot").Statement, [
            ...PUT_RECORD_ONLY,
            {
                Sid: "WriteRuleErrors",
                Effect: "Allow",
                // The IoT CloudWatch Logs action needs DescribeLogStreams too.
                Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                Resource: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/iot/kinesis-streaming-prod-rule-errors:*",
            },
        ]);
        assert.deepEqual(rule.inputs.errorAction, {
            cloudwatchLogs: { logGroupName: "/aws/iot/kinesis-streaming-prod-rule-errors", roleArn: "arn:aws:iam::123456789012:role/prod-producers-iot-mock" },
        });
        // The IoT guide's confused-deputy conditions: this account and this rule.
        assert.deepEqual(trustOf(feeds, "prod-producers-iot").Statement[0]!.Condition, {
            StringEquals: { "aws:SourceAccount": "123456789012" },
            ArnLike: { "aws:SourceArn": "arn:aws:iot:us-east-1:123456789012:rule/kinesis_streaming_prod_to_kinesis" },
        });
        assert.equal(rule.inputs.name, "kinesis_streaming_prod_to_kinesis");
    });

    it("Logs feed: one subscription filter per log group through a role CloudWatch Logs assumes", () => {
        const filters = ofType(feeds, "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter");
        assert.deepEqual(
            filters.map((f) => [f.name, f.inputs.logGroup, f.inputs.destinationArn]),
            [
                ["prod-producers-logs-app-orders", "/app/orders", STREAM_ARN],
                ["prod-producers-logs-app-web", "/app/web", STREAM_ARN],
            ],
        );
        assert.deepEqual(policyOf(feeds, "prod-producers-logs").Statement, PUT_RECORD_ONLY);
        // The CloudWatch Logs guide's trust: the service acting for this account's log groups.
        const trust = trustOf(feeds, "prod-producers-logs").Statement[0]!;
        assert.deepEqual([trust.Principal, trust.Condition], [{ Service: "logs.amazonaws.com" }, { StringLike: { "aws:SourceArn": "arn:aws:logs:us-east-1:123456789012:*" } }]);
        // PutSubscriptionFilter test-delivers at once: each filter waits for the role's policy, not only the role.
        const policy = one(feeds, "aws:iam/rolePolicy:RolePolicy", "prod-producers-logs");
        for (const f of filters) assert.ok(f.dependencies.includes(policy.urn), f.name);
    });

    it("CDC feed: the table streams its changes to this stream", () => {
        const cdc = one(feeds, "aws:dynamodb/kinesisStreamingDestination:KinesisStreamingDestination");
        assert.deepEqual(cdc.inputs, { tableName: "orders", streamArn: STREAM_ARN, approximateCreationDateTimePrecision: "MILLISECOND" });
    });

    it("alarms on ingest function errors and API 5xx, notifying the alerts topic", () => {
        const alarms = ofType(prod, "aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.name.startsWith("prod-producers"));
        assert.deepEqual(
            alarms.map((a) => [a.name, a.inputs.namespace, a.inputs.metricName, a.inputs.dimensions]),
            [
                ["prod-producers-api-5xx", "AWS/ApiGateway", "5xx", { ApiId: "prod-producers-id", Stage: "$default" }],
                ["prod-producers-ingest-errors", "AWS/Lambda", "Errors", { FunctionName: "kinesis-streaming-prod-ingest" }],
            ].sort(),
        );
        for (const a of alarms) assert.deepEqual(a.inputs.alarmActions, [prod.outputs.alertsTopicArn]);
    });
});
