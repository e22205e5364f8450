// Lambda entry point of the shard autoscaler. SDK clients and configuration at module scope (one
// set per container); no @pulumi import. Environment: contracts/env/autoscaler.ts.
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { SNSClient } from "@aws-sdk/client-sns";
import { config } from "./config";
import { createHandler } from "./handler";
import { dynamoLock } from "./lock";

/** A run takes at most the function's timeout (60 s); the lock outlives it a little. */
const LOCK_TTL_MS = 90_000;

export const handler = createHandler({
    kinesis: new KinesisClient({}),
    cloudwatch: new CloudWatchClient({}),
    sns: new SNSClient({}),
    config,
    // One lock per stream, owned by this container (which runs one invocation at a time).
    lock: config.lockTable
        ? dynamoLock(new DynamoDBClient({}), config.lockTable, config.streamName, LOCK_TTL_MS, `${process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? "local"}:${process.pid}`)
        : undefined,
    logger: new Logger({ serviceName: "autoscaler" }),
    metrics: new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? "KinesisStreaming", serviceName: "autoscaler" }),
});
