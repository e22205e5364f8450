import * as pulumi from "@pulumi/pulumi";
import { consumerEnvironment } from "../contracts/env/consumer";
import { Alerts } from "./components/alerts";
import { Analytics } from "./components/analytics";
import { Autoscaler } from "./components/autoscaler";
import { EncryptionKey } from "./components/encryption-key";
import { FirehoseArchive } from "./components/firehose-archive";
import { KclSupport } from "./components/kcl-support";
import { LambdaConsumer } from "./components/lambda-consumer";
import { Monitoring } from "./components/monitoring";
import { Network } from "./components/network";
import { Producers } from "./components/producers";
import { Replication } from "./components/replication";
import { ResultsTable } from "./components/results-table";
import { Stream } from "./components/stream";
import type { Settings } from "./config";
import { awsContext } from "./lib/aws-context";
import { bucketPrefix, namePrefix, physicalName } from "./lib/naming";
import { carriedProviderSettings } from "./lib/provider-settings";
import { stackTags } from "./lib/tags";
import { OUTPUT_CONTRACT_VERSION, type StreamingStackOutputs } from "./outputs";

type Outputs = { [K in keyof StreamingStackOutputs]: pulumi.Input<StreamingStackOutputs[K]> };

/** Composes the components of one environment from its settings and returns the output contract. */
export function buildStack(settings: Settings, providerSettings = carriedProviderSettings()): Outputs {
    const tags = stackTags(settings);
    const context = awsContext();
    const prefix = settings.environment;
    const workload = settings.workload.recordsPerSecond > 0 ? settings.workload : undefined;
    const physicalPrefix = namePrefix(settings);

    const key = new EncryptionKey(`${prefix}-key`, {
        aliasName: physicalName(settings, "key"),
        existingKeyArn: settings.encryption.existingKeyArn,
        deletionWindowDays: settings.encryption.existingKeyArn === undefined ? settings.encryption.deletionWindowDays : undefined,
        context,
        tags,
        protect: settings.deletionProtection,
    });

    const alerts = new Alerts(`${prefix}-alerts`, {
        kmsKeyArn: key.keyArn,
        subscriptions: settings.alerts.subscriptions,
        context,
        tags,
    });

    const stream = new Stream(`${prefix}-stream`, {
        streamName: physicalName(settings, "events"),
        mode: settings.stream.mode,
        shardCount: settings.stream.shardCount,
        retentionHours: settings.stream.retentionHours,
        kmsKeyArn: key.keyArn,
        shardLevelMetrics: settings.stream.shardLevelMetrics,
        enforceConsumerDeletion: settings.stream.enforceConsumerDeletion,
        maxRecordSizeKib: settings.stream.maxRecordSizeKib,
        warmThroughputMibps: settings.stream.warmThroughputMibps,
        protect: settings.deletionProtection,
        autoscaled: settings.autoscaling.enabled,
        alarms: { topicArn: alerts.topic.arn, ...settings.alarms },
        workload,
        tags,
    });

    const network = settings.network.vpcId
        ? new Network(`${prefix}-network`, { vpcId: settings.network.vpcId, subnetIds: settings.network.subnetIds, region: context.region, accountId: context.accountId, tags })
        : undefined;
    const vpcConfig = network && settings.network.lambdasInVpc ? { subnetIds: settings.network.subnetIds, securityGroupIds: [network.lambdaSecurityGroup.id] } : undefined;

    const producers = new Producers(`${prefix}-producers`, {
        namePrefix: physicalPrefix,
        streamArn: stream.stream.arn,
        streamName: stream.stream.name,
        kmsKeyArn: key.keyArn,
        alertsTopicArn: alerts.topic.arn,
        context,
        ingest: {
            authorization: settings.ingest.authorization,
            throttleRatePerSecond: settings.ingest.throttleRatePerSecond,
            throttleBurst: settings.ingest.throttleBurst,
            maxBodyBytes: settings.ingest.maxBodyBytes,
            maxRecordSizeKib: settings.stream.maxRecordSizeKib,
            // An event source mapping filter never matches a KPL aggregate: filtered consumers get plain records.
            aggregation: settings.consumer.filterEventTypes.length === 0,
        },
        trustedPrincipals: settings.producers.trustedPrincipals,
        feeds: {
            iotTopicFilter: settings.producers.iotTopicFilter,
            logGroupNames: settings.producers.logGroupNames,
            cdcTableName: settings.producers.cdcTableName,
        },
        logRetentionDays: settings.logRetentionDays,
        alarmEvaluationPeriods: settings.alarms.evaluationPeriods,
        tags,
    });

    const results = new ResultsTable(`${prefix}-results`, {
        tableName: physicalName(settings, "results"),
        kmsKeyArn: key.keyArn,
        deletionProtection: settings.deletionProtection,
        tags,
    });

    // The archive bucket also holds the consumer's quarantine (its own prefix, lifecycle rule and grants).
    const archive = new FirehoseArchive(`${prefix}-archive`, {
        namePrefix: physicalPrefix,
        bucketPrefixes: { archive: bucketPrefix(settings, "archive"), accessLogs: bucketPrefix(settings, "logs") },
        streamArn: stream.stream.arn,
        kmsKeyArn: key.keyArn,
        alertsTopicArn: alerts.topic.arn,
        context,
        ...settings.archive,
        transform: { functionName: physicalName(settings, "firehose-transform"), iotTopicFilter: settings.producers.iotTopicFilter },
        logRetentionDays: settings.logRetentionDays,
        tags,
    });

    const c = settings.consumer;
    const consumer = new LambdaConsumer(`${prefix}-consumer`, {
        entry: "consumer",
        functionName: physicalName(settings, "consumer"),
        description: "Processes stream records into the results table and raises fraud alerts",
        streamArn: stream.stream.arn,
        kmsKeyArn: key.keyArn,
        statements: [
            {
                Sid: "WriteResults",
                Effect: "Allow",
                Action: ["dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
                Resource: results.table.arn,
            },
            { Sid: "PublishAlerts", Effect: "Allow", Action: "sns:Publish", Resource: alerts.topic.arn },
        ],
        alertsTopicArn: alerts.topic.arn,
        eventSource: {
            startingPosition: c.startingPosition,
            batchSize: c.batchSize,
            batchingWindowSeconds: c.batchingWindowSeconds,
            parallelizationFactor: c.parallelizationFactor,
            maxRetryAttempts: c.maxRetryAttempts,
            maxRecordAgeSeconds: c.maxRecordAgeSeconds,
        },
        useEfo: c.useEfo,
        filterEventTypes: c.filterEventTypes,
        quarantine: { bucketName: archive.bucket.bucket, bucketArn: archive.bucket.arn },
        environment: consumerEnvironment<pulumi.Input<string>>({
            tableName: results.table.name,
            alertsTopicArn: alerts.topic.arn,
            fraudAmountThreshold: c.fraudAmountThreshold,
            fraudOrdersPerMinute: c.fraudOrdersPerMinute,
            resultsTtlDays: settings.results.ttlDays,
        }),
        memorySize: c.memoryMb,
        vpcConfig,
        logRetentionDays: settings.logRetentionDays,
        alarms: { iteratorAgeMs: settings.alarms.iteratorAgeMs, evaluationPeriods: settings.alarms.evaluationPeriods },
        tags,
    });

    const kcl = settings.kcl.applicationName
        ? new KclSupport(`${prefix}-kcl`, {
              applicationName: settings.kcl.applicationName,
              namePrefix: physicalPrefix,
              streamArn: stream.stream.arn,
              streamName: stream.stream.name,
              kmsKeyArn: key.keyArn,
              trustedPrincipals: settings.kcl.trustedPrincipals,
              context,
              deletionProtection: settings.deletionProtection,
              alarms: { topicArn: alerts.topic.arn, millisBehindLatest: settings.alarms.iteratorAgeMs, evaluationPeriods: settings.alarms.evaluationPeriods },
              tags,
          })
        : undefined;

    const autoscaling = settings.autoscaling;
    if (autoscaling.enabled) {
        new Autoscaler(`${prefix}-autoscaler`, {
            functionName: physicalName(settings, "autoscaler"),
            streamArn: stream.stream.arn,
            streamName: physicalName(settings, "events"),
            kmsKeyArn: key.keyArn,
            alertsTopicArn: alerts.topic.arn,
            minShards: autoscaling.minShards,
            maxShards: autoscaling.maxShards,
            reservedConcurrency: autoscaling.reservedConcurrency,
            policy: autoscaling.policy,
            accountId: context.accountId,
            deletionProtection: settings.deletionProtection,
            logRetentionDays: settings.logRetentionDays,
            alarmEvaluationPeriods: settings.alarms.evaluationPeriods,
            tags,
        });
    }

    // The replica on demand (never throttled below the primary), or shaped and autoscaled like the primary.
    const replicaLikePrimary = settings.replication.capacity === "MATCH_PRIMARY";
    const replication = settings.replication.region
        ? new Replication(`${prefix}-replica`, {
              region: settings.replication.region,
              providerSettings,
              replicaStreamName: physicalName(settings, "events-replica"),
              keyAliasName: physicalName(settings, "replica-key"),
              // The replica receives every record: the same retention, metrics, record size and declared workload.
              stream: {
                  mode: replicaLikePrimary ? settings.stream.mode : "ON_DEMAND",
                  shardCount: replicaLikePrimary ? settings.stream.shardCount : undefined,
                  retentionHours: settings.stream.retentionHours,
                  shardLevelMetrics: settings.stream.shardLevelMetrics,
                  maxRecordSizeKib: settings.stream.maxRecordSizeKib,
                  // Warm throughput only with the commitment in the replica's region too (it is per
                  // Region); the primary has it only when on demand, and then so is the replica.
                  warmThroughputMibps: settings.replication.warmThroughputMibps,
                  workload,
              },
              autoscaler:
                  replicaLikePrimary && autoscaling.enabled
                      ? {
                            functionName: physicalName(settings, "replica-autoscaler"),
                            minShards: autoscaling.minShards,
                            maxShards: autoscaling.maxShards,
                            reservedConcurrency: autoscaling.reservedConcurrency,
                            policy: autoscaling.policy,
                            deletionProtection: settings.deletionProtection,
                            alarmEvaluationPeriods: settings.alarms.evaluationPeriods,
                        }
                      : undefined,
              primary: { streamArn: stream.stream.arn, kmsKeyArn: key.keyArn, alertsTopicArn: alerts.topic.arn },
              replicatorFunctionName: physicalName(settings, "replicator"),
              alertSubscriptions: settings.alerts.subscriptions,
              alarms: settings.alarms,
              maxRecordAgeSeconds: c.maxRecordAgeSeconds,
              vpcConfig,
              logRetentionDays: settings.logRetentionDays,
              protect: settings.deletionProtection,
              tags,
          })
        : undefined;

    const analytics = settings.analytics
        ? new Analytics(`${prefix}-analytics`, {
              applicationName: physicalName(settings, "analytics"),
              artifact: { bucket: settings.analytics.artifactBucket, key: settings.analytics.artifactKey },
              streamArn: stream.stream.arn,
              kmsKeyArn: key.keyArn,
              resultsTable: { name: results.table.name, arn: results.table.arn },
              context,
              parallelism: settings.analytics.parallelism,
              parallelismPerKpu: settings.analytics.parallelismPerKpu,
              autoScaling: settings.analytics.autoScaling,
              logRetentionDays: settings.logRetentionDays,
              tags,
          })
        : undefined;

    const monitoring = new Monitoring(`${prefix}-monitoring`, {
        dashboardName: physicalPrefix,
        region: context.region,
        streamName: stream.stream.name,
        consumerFunctionNames: [consumer, ...(replication ? [replication.replicator] : [])].map((x) => x.function.function.name),
        deadLetterQueueNames: [consumer, ...(replication ? [replication.replicator] : [])].map((x) => x.deadLetterQueue.name),
        deliveryStreamName: archive.deliveryStream.name,
        alertsTopicName: alerts.topic.name,
    });

    return {
        outputContractVersion: OUTPUT_CONTRACT_VERSION,
        streamName: stream.stream.name,
        streamArn: stream.stream.arn,
        streamMode: settings.stream.mode,
        kmsKeyArn: key.keyArn,
        alertsTopicArn: alerts.topic.arn,
        ingestApiUrl: producers.ingestUrl,
        producerRoleArn: producers.producerRole.arn,
        resultsTableName: results.table.name,
        archiveBucketName: archive.bucket.bucket,
        deliveryStreamName: archive.deliveryStream.name,
        consumerDlqUrl: consumer.deadLetterQueue.url,
        efoConsumerArns: pulumi.all([consumer.efoConsumer?.arn, kcl?.consumer.arn]).apply((arns) => arns.filter((a): a is string => a !== undefined)),
        kclLeaseTableName: kcl?.leaseTable.name ?? "",
        kclRoleArn: kcl?.role.arn ?? "",
        kclConsumerArn: kcl?.consumer.arn ?? "",
        kclWorkerMetricsTableName: kcl?.workerMetricsTable.name ?? "",
        kclCoordinatorStateTableName: kcl?.coordinatorStateTable.name ?? "",
        dashboardName: monitoring.dashboard.dashboardName,
        replicaStreamArn: replication?.replica.stream.arn ?? "",
        replicaRegion: settings.replication.region ?? "",
        vpcEndpointId: network?.endpoint.id ?? "",
        analyticsAppName: analytics?.application.name ?? "",
    };
}
