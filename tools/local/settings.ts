// The local run's settings: the stack's validated settings (Pulumi.<stack>.yaml over Pulumi.yaml's
// defaults, through infra/config.ts's settingsFromConfig, exactly what the program would get) turned into
// what the emulators, the poller, the local Firehose and the consumer need.
import type { ConsumerConfig } from "../../contracts/env/consumer";
import { CONSUMER_TIMEOUT_SECONDS } from "../../infra/components/lambda-consumer";
import { settingsFromConfig, type Settings } from "../../infra/config";
import { namePrefix, physicalName } from "../../infra/lib/naming";
import { ACCOUNT_ID } from "../lib/synth-constants";
import { readStackConfig } from "../lib/synth";

/** Shards a new on-demand stream starts with (4 MiB/s and 4,000 records/s of write capacity). */
export const ON_DEMAND_INITIAL_SHARDS = 4;

/** The event source mapping as infra/components/lambda-consumer.ts configures it. */
export interface EsmSettings {
    startingPosition: "LATEST" | "TRIM_HORIZON";
    batchSize: number;
    batchingWindowSeconds: number;
    parallelizationFactor: number;
    /** -1: until the record expires. */
    maxRetryAttempts: number;
    /** -1: no limit. */
    maxRecordAgeSeconds: number;
    bisectBatchOnFunctionError: boolean;
    /** FunctionResponseTypes includes ReportBatchItemFailures. */
    reportBatchItemFailures: boolean;
    /** Filter criteria on data.event_type; empty: every record. */
    filterEventTypes: string[];
    functionTimeoutSeconds: number;
}

export interface LocalSettings {
    stack: string;
    region: string;
    accountId: string;
    /**
     * Physical names the stack gives its resources; the bucket (a random suffix in the stack) and the
     * alerts topic (auto-named) get fixed local names.
     */
    names: {
        stream: string;
        table: string;
        bucket: string;
        deliveryStream: string;
        consumerFunction: string;
        alertsTopic: string;
    };
    arns: { stream: string; consumerFunction: string };
    stream: {
        mode: Settings["stream"]["mode"];
        /** Shards of the local stream: the provisioned count, or what an on-demand stream starts with. */
        shards: number;
        retentionHours: number;
    };
    esm: EsmSettings;
    consumer: ConsumerConfig & { memoryMb: number };
    archive: { bufferSizeBytes: number; bufferIntervalMs: number };
    /** The whole validated settings, for anything else. */
    settings: Settings;
}

/** The local settings of a stack from its settings (pure). */
export function localSettingsOf(settings: Settings, region: string): LocalSettings {
    const names = {
        stream: physicalName(settings, "events"),
        table: physicalName(settings, "results"),
        bucket: `${namePrefix(settings)}-archive-local`,
        deliveryStream: `${namePrefix(settings)}-archive`,
        consumerFunction: physicalName(settings, "consumer"),
        alertsTopic: physicalName(settings, "alerts"),
    };
    const c = settings.consumer;
    return {
        stack: settings.stack,
        region,
        accountId: ACCOUNT_ID,
        names,
        arns: {
            stream: `arn:aws:kinesis:${region}:${ACCOUNT_ID}:stream/${names.stream}`,
            consumerFunction: `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${names.consumerFunction}`,
        },
        stream: {
            mode: settings.stream.mode,
            shards: settings.stream.mode === "PROVISIONED" ? (settings.stream.shardCount ?? 1) : ON_DEMAND_INITIAL_SHARDS,
            retentionHours: settings.stream.retentionHours,
        },
        esm: {
            startingPosition: c.startingPosition,
            batchSize: c.batchSize,
            batchingWindowSeconds: c.batchingWindowSeconds,
            parallelizationFactor: c.parallelizationFactor,
            maxRetryAttempts: c.maxRetryAttempts,
            maxRecordAgeSeconds: c.maxRecordAgeSeconds,
            bisectBatchOnFunctionError: true,
            reportBatchItemFailures: true,
            filterEventTypes: c.filterEventTypes,
            functionTimeoutSeconds: CONSUMER_TIMEOUT_SECONDS,
        },
        consumer: {
            tableName: names.table,
            alertsTopicArn: `arn:aws:sns:${region}:${ACCOUNT_ID}:${names.alertsTopic}`,
            fraudAmountThreshold: c.fraudAmountThreshold,
            fraudOrdersPerMinute: c.fraudOrdersPerMinute,
            resultsTtlDays: settings.results.ttlDays,
            // The quarantine lives in the archive bucket (contracts/quarantine.ts).
            quarantineBucket: names.bucket,
            memoryMb: c.memoryMb,
        },
        archive: {
            bufferSizeBytes: settings.archive.bufferSizeMb * 1024 * 1024,
            bufferIntervalMs: settings.archive.bufferIntervalSeconds * 1000,
        },
        settings,
    };
}

/** Reads and validates `Pulumi.<stack>.yaml` (throws StackFileError or ConfigError with the problem). */
export function loadLocalSettings(stack = "dev"): LocalSettings {
    const config = readStackConfig(stack);
    const region = config["aws:region"] ?? "us-east-1";
    const settings = settingsFromConfig(config, stack);
    return localSettingsOf(settings, region);
}
