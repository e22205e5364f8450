import * as pulumi from "@pulumi/pulumi";
import { Alerts } from "./components/alerts";
import { EncryptionKey } from "./components/encryption-key";
import { Producers } from "./components/producers";
import { Stream } from "./components/stream";
import type { Settings } from "./config";
import { awsContext } from "./lib/aws-context";
import { namePrefix, physicalName } from "./lib/naming";
import { stackTags } from "./lib/tags";
import { OUTPUT_CONTRACT_VERSION, type StreamingStackOutputs } from "./outputs";

type Outputs = { [K in keyof StreamingStackOutputs]: pulumi.Input<StreamingStackOutputs[K]> };

/** Composes the components of one environment from its settings and returns the output contract. */
export function buildStack(settings: Settings): Outputs {
    const tags = stackTags(settings);
    const context = awsContext();
    const prefix = `${settings.environment}`;

    const key = new EncryptionKey(`${prefix}-key`, {
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
        protect: settings.deletionProtection,
        alarms: { topicArn: alerts.topic.arn, ...settings.alarms },
        tags,
    });

    const producers = new Producers(`${prefix}-producers`, {
        namePrefix: namePrefix(settings),
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

    return {
        outputContractVersion: OUTPUT_CONTRACT_VERSION,
        streamName: stream.stream.name,
        streamArn: stream.stream.arn,
        streamMode: settings.stream.mode,
        kmsKeyArn: key.keyArn,
        alertsTopicArn: alerts.topic.arn,
        ingestApiUrl: producers.ingestUrl,
        producerRoleArn: producers.producerRole.arn,
    };
}
