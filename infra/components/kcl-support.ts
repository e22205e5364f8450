import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { alarmArgs } from "../lib/alarms";
import type { AwsContext } from "../lib/aws-context";
import { policyDocument } from "../lib/iam";
import { type ArgsOverrides, mergeArgs } from "../lib/merge-args";

export interface KclSupportArgs {
    /** The KCL application name: names the EFO consumer, the lease table and the metrics namespace. */
    applicationName: string;
    /** Prefix of physical names, e.g. `kinesis-streaming-prod`. */
    namePrefix: string;
    streamArn: pulumi.Input<string>;
    streamName: pulumi.Input<string>;
    kmsKeyArn: pulumi.Input<string>;
    /** Principals that may assume the application's role; empty = this account. @default [] */
    trustedPrincipals?: string[];
    context: AwsContext;
    /** DynamoDB deletion protection on the lease table. @default false */
    deletionProtection?: boolean;
    /** The lag alarm on the application's EFO consumer. */
    alarms: { topicArn: pulumi.Input<string>; millisBehindLatest: number; evaluationPeriods: number };
    /**
     * Any other `aws.dynamodb.Table` argument, applied to each of the three metadata tables (README,
     * "Overriding resource arguments"); arrays (`attributes`, `globalSecondaryIndexes`) replace whole.
     * Forced: each table's KCL key (`hashKey`), point-in-time recovery and SSE with the stack's key. @default {}
     */
    tableArgs?: ArgsOverrides<aws.dynamodb.TableArgs>;
    tags: Record<string, string>;
}

/** The lease table's index KCL 3.x queries for a worker's leases (it would add it itself otherwise). */
export const LEASE_OWNER_INDEX = "LeaseOwnerToLeaseKeyIndex";

/**
 * What another team needs to run a KCL 3.x consumer application on this stream: its own enhanced
 * fan-out consumer (2 MiB/s per shard, not shared); the three metadata tables KCL 3.x would
 * otherwise create unencrypted and without PITR (the lease table with its leaseOwner index, the
 * worker-metrics table and the coordinator-state table, with the keys KCL 3.x gives them); and a
 * role with the permissions the KCL guide lists, on these tables only. KCL 2.x uses the lease table
 * alone (and ignores the index), so the same tables serve an application not yet migrated.
 */
export class KclSupport extends pulumi.ComponentResource {
    public readonly consumer: aws.kinesis.StreamConsumer;
    public readonly leaseTable: aws.dynamodb.Table;
    public readonly workerMetricsTable: aws.dynamodb.Table;
    public readonly coordinatorStateTable: aws.dynamodb.Table;
    public readonly role: aws.iam.Role;

    constructor(name: string, args: KclSupportArgs, opts?: pulumi.ComponentResourceOptions) {
        super("streaming:kcl:KclSupport", name, {}, opts);
        const { accountId, partition } = args.context;
        this.consumer = new aws.kinesis.StreamConsumer(name, { name: args.applicationName, streamArn: args.streamArn }, { parent: this });
        const protect = args.deletionProtection ?? false;
        const table = (logicalName: string, suffix: string, key: string, extra: Partial<aws.dynamodb.TableArgs> = {}) =>
            new aws.dynamodb.Table(
                logicalName,
                mergeArgs<aws.dynamodb.TableArgs>(
                    {
                        // KCL names them after the application; prefixed here so stacks don't collide (the application is configured with these names).
                        name: `${args.namePrefix}-${args.applicationName}-${suffix}`,
                        billingMode: "PAY_PER_REQUEST",
                        hashKey: key,
                        attributes: [{ name: key, type: "S" }],
                        pointInTimeRecovery: { enabled: true },
                        serverSideEncryption: { enabled: true, kmsKeyArn: args.kmsKeyArn },
                        deletionProtectionEnabled: protect,
                        tags: args.tags,
                        ...extra,
                    },
                    args.tableArgs,
                    ["hashKey", "pointInTimeRecovery", "serverSideEncryption"],
                    { component: "KclSupport", arg: "tableArgs", resource: this },
                ),
                { parent: this, protect },
            );
        // The lease table keeps its logical name, so adding KCL 3.x support does not replace it.
        this.leaseTable = table(name, "leases", "leaseKey", {
            attributes: [
                { name: "leaseKey", type: "S" },
                { name: "leaseOwner", type: "S" },
            ],
            globalSecondaryIndexes: [{ name: LEASE_OWNER_INDEX, hashKey: "leaseOwner", rangeKey: "leaseKey", projectionType: "KEYS_ONLY" }],
        });
        this.workerMetricsTable = table(`${name}-worker-metrics`, "WorkerMetricStats", "wid");
        this.coordinatorStateTable = table(`${name}-coordinator-state`, "CoordinatorState", "key");
        const trusted = args.trustedPrincipals && args.trustedPrincipals.length > 0 ? args.trustedPrincipals : [pulumi.interpolate`arn:${partition}:iam::${accountId}:root`];
        this.role = new aws.iam.Role(
            name,
            {
                description: `Assumed by the KCL application ${args.applicationName}`,
                assumeRolePolicy: pulumi.jsonStringify(policyDocument({ Sid: "TrustedKclWorkers", Effect: "Allow", Principal: { AWS: trusted }, Action: "sts:AssumeRole" })),
                tags: args.tags,
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            name,
            {
                role: this.role.id,
                policy: pulumi.jsonStringify(
                    policyDocument(
                        // No RegisterStreamConsumer: the consumer exists; the application is configured with its ARN.
                        {
                            Sid: "ReadStream",
                            Effect: "Allow",
                            Action: ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:GetShardIterator", "kinesis:GetRecords"],
                            Resource: args.streamArn,
                        },
                        { Sid: "SubscribeThroughEfo", Effect: "Allow", Action: ["kinesis:SubscribeToShard", "kinesis:DescribeStreamConsumer"], Resource: this.consumer.arn },
                        { Sid: "DecryptStream", Effect: "Allow", Action: "kms:Decrypt", Resource: args.kmsKeyArn },
                        // The KCL guide's DynamoDB permissions, on this application's tables only. CreateTable is
                        // listed there because KCL creates missing tables; here they exist, so it only describes them.
                        {
                            Sid: "ManageLeases",
                            Effect: "Allow",
                            Action: [
                                "dynamodb:CreateTable",
                                "dynamodb:DescribeTable",
                                "dynamodb:UpdateTable",
                                "dynamodb:Scan",
                                "dynamodb:GetItem",
                                "dynamodb:PutItem",
                                "dynamodb:UpdateItem",
                                "dynamodb:DeleteItem",
                            ],
                            Resource: this.leaseTable.arn,
                        },
                        { Sid: "FindOwnLeases", Effect: "Allow", Action: "dynamodb:Query", Resource: pulumi.interpolate`${this.leaseTable.arn}/index/*` },
                        {
                            Sid: "ManageWorkerMetricsAndCoordinatorState",
                            Effect: "Allow",
                            Action: [
                                "dynamodb:CreateTable",
                                "dynamodb:DescribeTable",
                                "dynamodb:Scan",
                                "dynamodb:GetItem",
                                "dynamodb:PutItem",
                                "dynamodb:UpdateItem",
                                "dynamodb:DeleteItem",
                            ],
                            Resource: [this.workerMetricsTable.arn, this.coordinatorStateTable.arn],
                        },
                        {
                            // PutMetricData has no resource-level permissions: scope it to the application's namespace.
                            Sid: "PublishKclMetrics",
                            Effect: "Allow",
                            Action: "cloudwatch:PutMetricData",
                            Resource: "*",
                            Condition: { StringEquals: { "cloudwatch:namespace": args.applicationName } },
                        },
                    ),
                ),
            },
            { parent: this },
        );
        new aws.cloudwatch.MetricAlarm(
            `${name}-lag`,
            alarmArgs(
                {
                    description: `The KCL application ${args.applicationName} is falling behind (SubscribeToShardEvent.MillisBehindLatest over ${args.alarms.millisBehindLatest} ms)`,
                    namespace: "AWS/Kinesis",
                    metricName: "SubscribeToShardEvent.MillisBehindLatest",
                    dimensions: { StreamName: args.streamName, ConsumerName: this.consumer.name },
                    statistic: "Maximum",
                    comparisonOperator: "GreaterThanOrEqualToThreshold",
                    threshold: args.alarms.millisBehindLatest,
                    evaluationPeriods: args.alarms.evaluationPeriods,
                    // No data while the application is stopped: that is the application team's to watch.
                    treatMissingData: "notBreaching",
                },
                args.alarms.topicArn,
                args.tags,
            ),
            { parent: this },
        );
        this.registerOutputs({
            consumerArn: this.consumer.arn,
            leaseTableName: this.leaseTable.name,
            workerMetricsTableName: this.workerMetricsTable.name,
            coordinatorStateTableName: this.coordinatorStateTable.name,
            roleArn: this.role.arn,
        });
    }
}
