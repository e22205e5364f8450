import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsContext } from "../lib/aws-context";
import { assumedBy, fromAccount, policyDocument } from "../lib/iam";
import { type ArgsOverrides, mergeArgs } from "../lib/merge-args";

export interface AnalyticsArgs {
    applicationName: string;
    /** The application artifact the user builds (JAR or ZIP) in S3. */
    artifact: { bucket: string; key: string };
    streamArn: pulumi.Input<string>;
    kmsKeyArn: pulumi.Input<string>;
    /** Results go to the results table (the application reads its name from its properties). */
    resultsTable: { name: pulumi.Input<string>; arn: pulumi.Input<string> };
    /** Account, region and partition (ARNs are built with the partition, not a hard-coded `aws`). */
    context: AwsContext;
    parallelism: number;
    parallelismPerKpu: number;
    autoScaling: boolean;
    logRetentionDays?: number;
    /**
     * Any other `aws.kinesisanalyticsv2.Application` argument (README, "Overriding resource arguments");
     * `applicationConfiguration` merges key by key at every depth. Forced: the application's role, its
     * log stream and checkpointing (`...checkpointConfiguration.checkpointingEnabled`). @default {}
     */
    applicationArgs?: ArgsOverrides<aws.kinesisanalyticsv2.ApplicationArgs>;
    tags: Record<string, string>;
}

/**
 * An optional Managed Service for Apache Flink application reading the stream: checkpointing on
 * (exactly-once state after a restart; cdk-nag KDA3), parallelism and autoscaling from config,
 * logs to an encrypted log group, a role that reads this stream, the artifact and the key and
 * writes the results table. The stream ARN and table name reach the job as runtime properties.
 */
export class Analytics extends pulumi.ComponentResource {
    public readonly application: aws.kinesisanalyticsv2.Application;

    constructor(name: string, args: AnalyticsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("streaming:analytics:FlinkApplication", name, {}, opts);
        const logGroup = new aws.cloudwatch.LogGroup(
            name,
            { name: `/aws/kinesis-analytics/${args.applicationName}`, retentionInDays: args.logRetentionDays ?? 30, kmsKeyId: args.kmsKeyArn, tags: args.tags },
            { parent: this },
        );
        const logStream = new aws.cloudwatch.LogStream(name, { name: "application", logGroupName: logGroup.name }, { parent: this });
        const { accountId, region, partition } = args.context;
        const bucketArn = pulumi.interpolate`arn:${partition}:s3:::${args.artifact.bucket}`;
        const role = new aws.iam.Role(
            name,
            { assumeRolePolicy: pulumi.jsonStringify(assumedBy("kinesisanalytics.amazonaws.com", fromAccount(accountId))), tags: args.tags },
            { parent: this },
        );
        const rolePolicy = new aws.iam.RolePolicy(
            name,
            {
                role: role.id,
                policy: pulumi.jsonStringify(
                    policyDocument(
                        {
                            Sid: "ReadStream",
                            Effect: "Allow",
                            Action: ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:GetShardIterator", "kinesis:GetRecords"],
                            Resource: args.streamArn,
                        },
                        { Sid: "DecryptStream", Effect: "Allow", Action: "kms:Decrypt", Resource: args.kmsKeyArn },
                        { Sid: "ReadArtifact", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: pulumi.interpolate`${bucketArn}/${args.artifact.key}` },
                        {
                            Sid: "WriteResults",
                            Effect: "Allow",
                            Action: ["dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DescribeTable"],
                            Resource: args.resultsTable.arn,
                        },
                        {
                            Sid: "WriteApplicationLog",
                            Effect: "Allow",
                            Action: ["logs:PutLogEvents", "logs:DescribeLogStreams"],
                            Resource: pulumi.interpolate`${logGroup.arn}:log-stream:*`,
                        },
                        {
                            Sid: "DescribeLogGroups",
                            Effect: "Allow",
                            Action: "logs:DescribeLogGroups",
                            Resource: pulumi.interpolate`arn:${partition}:logs:${region}:${accountId}:log-group:*`,
                        },
                    ),
                ),
            },
            { parent: this },
        );
        this.application = new aws.kinesisanalyticsv2.Application(
            name,
            mergeArgs<aws.kinesisanalyticsv2.ApplicationArgs>(
                {
                    name: args.applicationName,
                    runtimeEnvironment: "FLINK-1_20",
                    serviceExecutionRole: role.arn,
                    startApplication: true,
                    applicationConfiguration: {
                        applicationCodeConfiguration: {
                            codeContentType: "ZIPFILE",
                            codeContent: { s3ContentLocation: { bucketArn, fileKey: args.artifact.key } },
                        },
                        applicationSnapshotConfiguration: { snapshotsEnabled: true },
                        flinkApplicationConfiguration: {
                            checkpointConfiguration: { configurationType: "CUSTOM", checkpointingEnabled: true, checkpointInterval: 60_000, minPauseBetweenCheckpoints: 5_000 },
                            monitoringConfiguration: { configurationType: "CUSTOM", logLevel: "INFO", metricsLevel: "APPLICATION" },
                            parallelismConfiguration: {
                                configurationType: "CUSTOM",
                                parallelism: args.parallelism,
                                parallelismPerKpu: args.parallelismPerKpu,
                                autoScalingEnabled: args.autoScaling,
                            },
                        },
                        environmentProperties: {
                            propertyGroups: [
                                {
                                    propertyGroupId: "StreamingPipeline",
                                    propertyMap: { "input.stream.arn": args.streamArn, "output.table.name": args.resultsTable.name, "aws.region": region },
                                },
                            ],
                        },
                    },
                    cloudwatchLoggingOptions: { logStreamArn: pulumi.interpolate`${logGroup.arn}:log-stream:${logStream.name}` },
                    tags: args.tags,
                },
                args.applicationArgs,
                ["serviceExecutionRole", "cloudwatchLoggingOptions", "applicationConfiguration.flinkApplicationConfiguration.checkpointConfiguration.checkpointingEnabled"],
                { component: "Analytics", arg: "applicationArgs", resource: this },
            ),
            { parent: this, dependsOn: [rolePolicy] },
        );
        this.registerOutputs({ applicationName: this.application.name });
    }
}
