import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { replicatorEnvironment } from "../../contracts/env/replicator";
import type { AlertSubscription } from "../config";
import { awsContext } from "../lib/aws-context";
import { streamWriteStatements } from "../lib/iam";
import { Alerts } from "./alerts";
import { Autoscaler, type AutoscalerArgs } from "./autoscaler";
import { EncryptionKey } from "./encryption-key";
import { LambdaConsumer, type LambdaConsumerArgs } from "./lambda-consumer";
import { Stream, type StreamAlarmArgs, type StreamArgs } from "./stream";

export interface ReplicationArgs {
    region: string;
    /** The stack's `aws:` provider settings but the region (credentials, roles, allowed accounts, default tags). */
    providerSettings?: Omit<aws.ProviderArgs, "region">;
    replicaStreamName: string;
    /** Alias of the replica region's key, without `alias/`. */
    keyAliasName: string;
    /**
     * Shape of the replica: ON_DEMAND (keeps up with any primary), or the primary's mode and shards;
     * the primary's record size (or it would refuse the copies); warm throughput only for an on-demand
     * replica in a region where the account has the minimum throughput billing commitment (per Region).
     */
    stream: Pick<StreamArgs, "mode" | "shardCount" | "retentionHours" | "shardLevelMetrics" | "workload" | "maxRecordSizeKib" | "warmThroughputMibps">;
    /** An autoscaler for a provisioned replica, as the primary's (in the replica's region). */
    autoscaler?: Pick<AutoscalerArgs, "functionName" | "minShards" | "maxShards" | "reservedConcurrency" | "policy" | "deletionProtection" | "alarmEvaluationPeriods">;
    primary: { streamArn: pulumi.Input<string>; kmsKeyArn: pulumi.Input<string>; alertsTopicArn: pulumi.Input<string> };
    replicatorFunctionName: string;
    /** Who hears the replica region's alarms (the primary's subscribers, usually). */
    alertSubscriptions: AlertSubscription[];
    /** The stack's alarm settings: the replica stream's alarms use every one, as the primary's do. */
    alarms: Omit<StreamAlarmArgs, "topicArn"> & { iteratorAgeMs: number; evaluationPeriods: number };
    maxRecordAgeSeconds: number;
    /** The replicator runs in the primary region: in the VPC with the consumer when `lambdasInVpc`. */
    vpcConfig?: LambdaConsumerArgs["vpcConfig"];
    logRetentionDays?: number;
    protect: boolean;
    /** Any other `aws.kinesis.Stream` argument of the replica (README, "Overriding resource arguments"); forced as `Stream`'s. @default {} */
    streamArgs?: StreamArgs["streamArgs"];
    tags: Record<string, string>;
}

/**
 * Disaster recovery: a replica stream in a second region with its own key and alerts topic (alarms
 * publish only to topics of their own region), fed by a replicator Lambda reading the primary with
 * parallelization 1, so records of one shard, and so of one partition key, arrive in order. The
 * replica's provider carries the stack's `aws:` settings over, so it deploys as the stack does.
 */
export class Replication extends pulumi.ComponentResource {
    public readonly provider: aws.Provider;
    public readonly replica: Stream;
    public readonly replicator: LambdaConsumer;
    public readonly autoscaler?: Autoscaler;

    constructor(name: string, args: ReplicationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("streaming:kinesis:Replication", name, {}, opts);
        this.provider = new aws.Provider(`${name}-${args.region}`, { ...args.providerSettings, region: args.region as aws.Region }, { parent: this });
        const inReplica = { parent: this, providers: { aws: this.provider } };
        const context = awsContext({ provider: this.provider, parent: this });

        const key = new EncryptionKey(`${name}-key`, { aliasName: args.keyAliasName, context, tags: args.tags, protect: args.protect }, inReplica);
        const alerts = new Alerts(`${name}-alerts`, { kmsKeyArn: key.keyArn, subscriptions: args.alertSubscriptions, context, tags: args.tags }, inReplica);
        this.replica = new Stream(
            `${name}-stream`,
            {
                streamName: args.replicaStreamName,
                ...args.stream,
                kmsKeyArn: key.keyArn,
                protect: args.protect,
                autoscaled: args.autoscaler !== undefined,
                alarms: { topicArn: alerts.topic.arn, ...args.alarms },
                streamArgs: args.streamArgs,
                tags: args.tags,
            },
            inReplica,
        );
        if (args.autoscaler) {
            this.autoscaler = new Autoscaler(
                `${name}-autoscaler`,
                {
                    ...args.autoscaler,
                    streamArn: this.replica.stream.arn,
                    streamName: args.replicaStreamName,
                    kmsKeyArn: key.keyArn,
                    alertsTopicArn: alerts.topic.arn,
                    accountId: context.accountId,
                    logRetentionDays: args.logRetentionDays,
                    tags: args.tags,
                },
                inReplica,
            );
        }

        this.replicator = new LambdaConsumer(
            `${name}-replicator`,
            {
                entry: "replicator",
                functionName: args.replicatorFunctionName,
                description: `Copies every record of the stream to its replica in ${args.region}`,
                streamArn: args.primary.streamArn,
                kmsKeyArn: args.primary.kmsKeyArn,
                statements: [
                    ...streamWriteStatements(this.replica.stream.arn, key.keyArn).map((s, i) => ({ ...s, Sid: i === 0 ? "WriteToReplica" : "EncryptWithReplicaKey" })),
                    // The replicator's producer reads the replica's MaxRecordSizeInKiB (DescribeStreamSummary)
                    // before copying its first record over 1 MiB; without it such records could not be copied.
                    { Sid: "LearnReplicaRecordSize", Effect: "Allow", Action: "kinesis:DescribeStreamSummary", Resource: this.replica.stream.arn },
                ],
                alertsTopicArn: args.primary.alertsTopicArn,
                eventSource: { parallelizationFactor: 1, startingPosition: "TRIM_HORIZON", batchSize: 500, maxRecordAgeSeconds: args.maxRecordAgeSeconds },
                environment: replicatorEnvironment<pulumi.Input<string>>({ replicaStreamName: this.replica.stream.name, replicaRegion: args.region }),
                vpcConfig: args.vpcConfig,
                logRetentionDays: args.logRetentionDays,
                alarms: { iteratorAgeMs: args.alarms.iteratorAgeMs, evaluationPeriods: args.alarms.evaluationPeriods },
                tags: args.tags,
            },
            { parent: this },
        );
        this.registerOutputs({ replicaStreamArn: this.replica.stream.arn });
    }
}
