import * as pulumi from "@pulumi/pulumi";
import { Alerts } from "./components/alerts";
import { EncryptionKey } from "./components/encryption-key";
import { Stream } from "./components/stream";
import type { Settings } from "./config";
import { awsContext } from "./lib/aws-context";
import { physicalName } from "./lib/naming";
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

    return {
        outputContractVersion: OUTPUT_CONTRACT_VERSION,
        streamName: stream.stream.name,
        streamArn: stream.stream.arn,
        streamMode: settings.stream.mode,
        kmsKeyArn: key.keyArn,
        alertsTopicArn: alerts.topic.arn,
    };
}
