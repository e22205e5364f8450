import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type AlarmSpec, alarmArgs, anyOccurrence } from "../lib/alarms";
import { ingestEnvironment, MAX_BODY_BYTES, MAX_RECORD_SIZE_KIB } from "../../contracts/env/ingest";
import { withDefaults } from "../lib/defaults";
import { SCHEMA } from "../settings/schema";
import type { AwsContext } from "../lib/aws-context";
import { assumedBy, fromAccount, policyDocument, streamWriteStatements } from "../lib/iam";
import { type ArgsOverrides, mergeArgs } from "../lib/merge-args";
import { StreamingFunction } from "./streaming-function";

export type IngestAuthorization = { type: "IAM" } | { type: "JWT"; issuer: string; audience: string[] };

export interface ProducersArgs {
    /** Prefix of physical names, e.g. `kinesis-streaming-prod`. */
    namePrefix: string;
    streamArn: pulumi.Input<string>;
    streamName: pulumi.Input<string>;
    kmsKeyArn: pulumi.Input<string>;
    alertsTopicArn: pulumi.Input<string>;
    context: AwsContext;
    ingest: {
        /** Who may call `POST /events`. @default { type: "IAM" } */
        authorization?: IngestAuthorization;
        /** Steady-state requests per second of the API stage. @default 100 */
        throttleRatePerSecond?: number;
        /** @default 200 */
        throttleBurst?: number;
        /** Largest accepted body; larger gets HTTP 413. @default 1048576 */
        maxBodyBytes?: number;
        /** The stream's MaxRecordSizeInKiB, given to the ingest function's producer. @default 1024 */
        maxRecordSizeKib?: number;
        /** KPL-aggregate what the API writes; off when the consumer filters by event type (no aggregate matches a filter). @default true */
        aggregation?: boolean;
    };
    /** Principals allowed to assume the external producer role; empty = this account. @default [] */
    trustedPrincipals?: string[];
    feeds?: {
        /** IoT topic filter (e.g. `devices/+/telemetry`) whose messages go to the stream. */
        iotTopicFilter?: string;
        /** Log groups whose events are subscribed to the stream. */
        logGroupNames?: string[];
        /** DynamoDB table whose item changes stream to Kinesis (CDC). */
        cdcTableName?: string;
    };
    logRetentionDays?: number;
    alarmEvaluationPeriods?: number;
    /**
     * Any other `aws.lambda.Function` argument of the ingest function (README, "Overriding resource
     * arguments"). Forced: its role and log group (as every `StreamingFunction`). @default {}
     */
    functionArgs?: ArgsOverrides<aws.lambda.FunctionArgs>;
    /** Any other `aws.apigatewayv2.Api` argument of the ingest API. Forced: `protocolType: "HTTP"`. @default {} */
    apiArgs?: ArgsOverrides<aws.apigatewayv2.ApiArgs>;
    /**
     * Any other `aws.apigatewayv2.Stage` argument of its `$default` stage, over `ingest`'s throttling.
     * Forced: the API and `accessLogSettings.destinationArn` (the encrypted access log group). @default {}
     */
    stageArgs?: ArgsOverrides<aws.apigatewayv2.StageArgs>;
    tags: Record<string, string>;
}

export const PRODUCERS_DEFAULTS = {
    throttleRatePerSecond: SCHEMA.ingestThrottleRatePerSecond.default,
    throttleBurst: SCHEMA.ingestThrottleBurst.default,
    maxBodyBytes: MAX_BODY_BYTES.default as number,
    maxRecordSizeKib: MAX_RECORD_SIZE_KIB.default as number,
    aggregation: true,
};

/**
 * Everything that writes to the stream: the ingest HTTP API and its Lambda, a role external
 * producers assume, and the optional IoT, CloudWatch Logs and DynamoDB CDC feeds. Each writer has
 * its own role with PutRecord(s) on this stream and GenerateDataKey on its key, nothing more.
 */
export class Producers extends pulumi.ComponentResource {
    public readonly api: aws.apigatewayv2.Api;
    public readonly ingestUrl: pulumi.Output<string>;
    public readonly ingestFunction: StreamingFunction;
    public readonly producerRole: aws.iam.Role;

    constructor(name: string, args: ProducersArgs, opts?: pulumi.ComponentResourceOptions) {
        super("streaming:producers:Producers", name, {}, opts);
        const write = streamWriteStatements(args.streamArn, args.kmsKeyArn);
        const { accountId, partition } = args.context;
        const ingest = withDefaults(PRODUCERS_DEFAULTS, args.ingest);

        this.ingestFunction = new StreamingFunction(
            `${name}-ingest`,
            {
                entry: "ingest",
                functionName: `${args.namePrefix}-ingest`,
                description: "POST /events: validates events and writes them to the stream",
                statements: write,
                environment: {
                    ...ingestEnvironment({
                        streamName: args.streamName,
                        maxBodyBytes: ingest.maxBodyBytes,
                        aggregation: ingest.aggregation,
                        maxRecordSizeKib: ingest.maxRecordSizeKib,
                    }),
                    POWERTOOLS_SERVICE_NAME: "ingest",
                    POWERTOOLS_METRICS_NAMESPACE: "StreamingPipeline",
                },
                kmsKeyArn: args.kmsKeyArn,
                logRetentionDays: args.logRetentionDays,
                functionArgs: args.functionArgs,
                tags: args.tags,
            },
            { parent: this },
        );

        this.api = new aws.apigatewayv2.Api(
            name,
            mergeArgs<aws.apigatewayv2.ApiArgs>(
                { protocolType: "HTTP", name: `${args.namePrefix}-ingest`, description: "Event ingest API", tags: args.tags },
                args.apiArgs,
                ["protocolType"],
                { component: "Producers", arg: "apiArgs", resource: this },
            ),
            { parent: this },
        );
        const accessLogs = new aws.cloudwatch.LogGroup(
            `${name}-api-access`,
            { name: pulumi.interpolate`/aws/apigateway/${args.namePrefix}-ingest`, retentionInDays: args.logRetentionDays ?? 30, kmsKeyId: args.kmsKeyArn, tags: args.tags },
            { parent: this },
        );
        const integration = new aws.apigatewayv2.Integration(
            name,
            { apiId: this.api.id, integrationType: "AWS_PROXY", integrationUri: this.ingestFunction.function.invokeArn, payloadFormatVersion: "2.0", timeoutMilliseconds: 29_000 },
            { parent: this },
        );
        const auth = args.ingest.authorization ?? { type: "IAM" as const };
        const authorizer =
            auth.type === "JWT"
                ? new aws.apigatewayv2.Authorizer(
                      name,
                      {
                          apiId: this.api.id,
                          authorizerType: "JWT",
                          identitySources: ["$request.header.Authorization"],
                          jwtConfiguration: { issuer: auth.issuer, audiences: auth.audience },
                          name: "jwt",
                      },
                      { parent: this },
                  )
                : undefined;
        new aws.apigatewayv2.Route(
            name,
            {
                apiId: this.api.id,
                routeKey: "POST /events",
                target: pulumi.interpolate`integrations/${integration.id}`,
                authorizationType: auth.type === "JWT" ? "JWT" : "AWS_IAM",
                authorizerId: authorizer?.id,
            },
            { parent: this },
        );
        const stage = new aws.apigatewayv2.Stage(
            name,
            mergeArgs<aws.apigatewayv2.StageArgs>(
                {
                    apiId: this.api.id,
                    name: "$default",
                    autoDeploy: true,
                    defaultRouteSettings: { throttlingRateLimit: ingest.throttleRatePerSecond, throttlingBurstLimit: ingest.throttleBurst },
                    accessLogSettings: {
                        destinationArn: accessLogs.arn,
                        format: JSON.stringify({
                            requestId: "$context.requestId",
                            ip: "$context.identity.sourceIp",
                            caller: "$context.identity.caller",
                            route: "$context.routeKey",
                            status: "$context.status",
                            latencyMs: "$context.responseLatency",
                            error: "$context.integrationErrorMessage",
                        }),
                    },
                    tags: args.tags,
                },
                args.stageArgs,
                ["apiId", "accessLogSettings.destinationArn"],
                { component: "Producers", arg: "stageArgs", resource: this },
            ),
            { parent: this },
        );
        new aws.lambda.Permission(
            name,
            {
                action: "lambda:InvokeFunction",
                function: this.ingestFunction.function.name,
                principal: "apigateway.amazonaws.com",
                sourceArn: pulumi.interpolate`${this.api.executionArn}/*/*`,
            },
            { parent: this },
        );
        this.ingestUrl = pulumi.interpolate`${stage.invokeUrl}events`;

        const trusted = args.trustedPrincipals && args.trustedPrincipals.length > 0 ? args.trustedPrincipals : [pulumi.interpolate`arn:${partition}:iam::${accountId}:root`];
        this.producerRole = new aws.iam.Role(
            `${name}-external`,
            {
                description: "Assumed by producer applications outside this stack to write to the stream",
                assumeRolePolicy: pulumi.jsonStringify(policyDocument({ Sid: "TrustedProducers", Effect: "Allow", Principal: { AWS: trusted }, Action: "sts:AssumeRole" })),
                maxSessionDuration: 3600,
                tags: args.tags,
            },
            { parent: this },
        );
        // External producers write directly (KPL, our client) or through the IAM-authorized ingest API.
        const callIngestApi = {
            Sid: "CallIngestApi",
            Effect: "Allow" as const,
            Action: "execute-api:Invoke",
            Resource: pulumi.interpolate`${this.api.executionArn}/*/POST/events`,
        };
        // Our producer library reads the stream's MaxRecordSizeInKiB before its first record over 1 MiB;
        // an external producer has no stack config to take it from (the ingest function does).
        const learnRecordSize = { Sid: "LearnRecordSize", Effect: "Allow" as const, Action: "kinesis:DescribeStreamSummary", Resource: args.streamArn };
        new aws.iam.RolePolicy(
            `${name}-external`,
            { role: this.producerRole.id, policy: pulumi.jsonStringify(policyDocument(...write, learnRecordSize, callIngestApi)) },
            { parent: this },
        );

        const feeds = args.feeds ?? {};
        if (feeds.iotTopicFilter) this.iotFeed(name, feeds.iotTopicFilter, args);
        if (feeds.logGroupNames && feeds.logGroupNames.length > 0) this.logsFeed(name, feeds.logGroupNames, args);
        if (feeds.cdcTableName) {
            new aws.dynamodb.KinesisStreamingDestination(
                `${name}-cdc`,
                { tableName: feeds.cdcTableName, streamArn: args.streamArn, approximateCreationDateTimePrecision: "MILLISECOND" },
                { parent: this },
            );
        }

        const periods = args.alarmEvaluationPeriods ?? 5;
        const alarms: [string, AlarmSpec][] = [
            [
                "ingest-errors",
                anyOccurrence(
                    `The ingest function ${args.namePrefix}-ingest is failing (Lambda Errors)`,
                    "AWS/Lambda",
                    "Errors",
                    { FunctionName: this.ingestFunction.function.name },
                    periods,
                ),
            ],
            ["api-5xx", anyOccurrence("The ingest API returns server errors (5xx)", "AWS/ApiGateway", "5xx", { ApiId: this.api.id, Stage: "$default" }, periods)],
        ];
        for (const [suffix, spec] of alarms) {
            new aws.cloudwatch.MetricAlarm(`${name}-${suffix}`, alarmArgs(spec, args.alertsTopicArn, args.tags), { parent: this });
        }
        this.registerOutputs({ ingestUrl: this.ingestUrl, producerRoleArn: this.producerRole.arn });
    }

    /** IoT Core rule: device messages on the topic filter go to the stream, keyed by topic. */
    private iotFeed(name: string, topicFilter: string, args: ProducersArgs): void {
        const errors = new aws.cloudwatch.LogGroup(
            `${name}-iot-errors`,
            { name: `/aws/iot/${args.namePrefix}-rule-errors`, retentionInDays: args.logRetentionDays ?? 30, kmsKeyId: args.kmsKeyArn, tags: args.tags },
            { parent: this },
        );
        const ruleName = `${args.namePrefix}-to-kinesis`.replace(/[^A-Za-z0-9_]/g, "_");
        const { accountId, region, partition } = args.context;
        // The IoT guide's confused-deputy condition: this account, and this rule only.
        const trust = { ...fromAccount(accountId), ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:${partition}:iot:${region}:${accountId}:rule/${ruleName}` } };
        const role = new aws.iam.Role(`${name}-iot`, { assumeRolePolicy: pulumi.jsonStringify(assumedBy("iot.amazonaws.com", trust)), tags: args.tags }, { parent: this });
        new aws.iam.RolePolicy(
            `${name}-iot`,
            {
                role: role.id,
                policy: pulumi.jsonStringify(
                    policyDocument(
                        ...streamWriteStatements(args.streamArn, args.kmsKeyArn, ["kinesis:PutRecord"]),
                        // The IoT CloudWatch Logs action needs all three (IoT developer guide).
                        {
                            Sid: "WriteRuleErrors",
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                            Resource: pulumi.interpolate`${errors.arn}:*`,
                        },
                    ),
                ),
            },
            { parent: this },
        );
        new aws.iot.TopicRule(
            `${name}-iot`,
            {
                name: ruleName,
                description: `Device messages on ${topicFilter} to the stream`,
                enabled: true,
                sql: `SELECT * FROM '${topicFilter}'`,
                sqlVersion: "2016-03-23",
                // biome-ignore lint/suspicious/noTemplateCurlyInString: an IoT SQL substitution template, not a JavaScript one.
                kineses: [{ roleArn: role.arn, streamName: args.streamName, partitionKey: "${topic()}" }],
                errorAction: { cloudwatchLogs: { logGroupName: errors.name, roleArn: role.arn } },
                tags: args.tags,
            },
            { parent: this },
        );
    }

    /** CloudWatch Logs subscription filters: every event of the log groups goes to the stream. */
    private logsFeed(name: string, logGroupNames: string[], args: ProducersArgs): void {
        const { region, accountId, partition } = args.context;
        // The CloudWatch Logs guide's trust: the service, acting for this account's log groups only.
        const trust = { StringLike: { "aws:SourceArn": pulumi.interpolate`arn:${partition}:logs:${region}:${accountId}:*` } };
        const role = new aws.iam.Role(`${name}-logs`, { assumeRolePolicy: pulumi.jsonStringify(assumedBy("logs.amazonaws.com", trust)), tags: args.tags }, { parent: this });
        const policy = new aws.iam.RolePolicy(
            `${name}-logs`,
            { role: role.id, policy: pulumi.jsonStringify(policyDocument(...streamWriteStatements(args.streamArn, args.kmsKeyArn, ["kinesis:PutRecord"]))) },
            { parent: this },
        );
        for (const logGroup of logGroupNames) {
            new aws.cloudwatch.LogSubscriptionFilter(
                `${name}-logs-${logGroup.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "")}`,
                { logGroup, name: `${args.namePrefix}-to-kinesis`, filterPattern: "", destinationArn: args.streamArn, roleArn: role.arn, distribution: "Random" },
                // PutSubscriptionFilter test-delivers a record at once: the role's policy must be in place.
                { parent: this, dependsOn: [role, policy] },
            );
        }
    }
}
