import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AlertSubscription } from "../config";
import { awsContext } from "../lib/aws-context";
import { streamWriteStatements } from "../lib/iam";
import { Alerts } from "./alerts";
import { EncryptionKey } from "./encryption-key";
import { LambdaConsumer } from "./lambda-consumer";
import { Stream, type StreamArgs } from "./stream";

export interface ReplicationArgs {
    region: string;
    replicaStreamName: string;
    /** Shape of the replica: the primary's mode, shards and retention. */
    stream: Pick<StreamArgs, "mode" | "shardCount" | "retentionHours" | "shardLevelMetrics" | "workload">;
    primary: { streamArn: pulumi.Input<string>; kmsKeyArn: pulumi.Input<string>; alertsTopicArn: pulumi.Input<string> };
    replicatorFunctionName: string;
    /** Who hears the replica region's alarms (the primary's subscribers, usually). */
    alertSubscriptions: AlertSubscription[];
    alarms: { iteratorAgeMs: number; evaluationPeriods: number };
    maxRecordAgeSeconds: number;
    logRetentionDays?: number;
    protect: boolean;
    tags: Record<string, string>;
}

/**
 * Disaster recovery: a replica stream in a second region with its own key and alerts topic (alarms
 * publish only to topics of their own region), fed by a replicator Lambda reading the primary with
 * parallelization 1, so records of one shard, and so of one partition key, arrive in order.
 */
export class Replication extends pulumi.ComponentResource {
    public readonly provider: aws.Provider;
    public readonly replica: Stream;
    public readonly replicator: LambdaConsumer;

    constructor(name: string, args: ReplicationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("streaming:kinesis:Replication", name, {}, opts);
        this.provider = new aws.Provider(`${name}-${args.region}`, { region: args.region as aws.Region }, { parent: this });
        const inReplica = { parent: this, providers: { aws: this.provider } };
        const context = awsContext({ provider: this.provider, parent: this });

        const key = new EncryptionKey(`${name}-key`, { context, tags: args.tags, protect: args.protect }, inReplica);
        const alerts = new Alerts(`${name}-alerts`, { kmsKeyArn: key.keyArn, subscriptions: args.alertSubscriptions, context, tags: args.tags }, inReplica);
        this.replica = new Stream(
            `${name}-stream`,
            {
                streamName: args.replicaStreamName,
                ...args.stream,
                kmsKeyArn: key.keyArn,
                protect: args.protect,
                alarms: { topicArn: alerts.topic.arn, ...args.alarms },
                tags: args.tags,
            },
            inReplica,
        );

        this.replicator = new LambdaConsumer(
            `${name}-replicator`,
            {
                entry: "replicator",
                functionName: args.replicatorFunctionName,
                description: `Copies every record of the stream to its replica in ${args.region}`,
                streamArn: args.primary.streamArn,
                kmsKeyArn: args.primary.kmsKeyArn,
                statements: streamWriteStatements(this.replica.stream.arn, key.keyArn).map((s, i) => ({ ...s, Sid: i === 0 ? "WriteToReplica" : "EncryptWithReplicaKey" })),
                alertsTopicArn: args.primary.alertsTopicArn,
                eventSource: { parallelizationFactor: 1, startingPosition: "TRIM_HORIZON", batchSize: 500, maxRecordAgeSeconds: args.maxRecordAgeSeconds },
                environment: { REPLICA_STREAM_NAME: this.replica.stream.name, REPLICA_REGION: args.region },
                logRetentionDays: args.logRetentionDays,
                alarms: args.alarms,
                tags: args.tags,
            },
            { parent: this },
        );
        this.registerOutputs({ replicaStreamArn: this.replica.stream.arn });
    }
}
