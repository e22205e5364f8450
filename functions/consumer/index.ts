// Lambda entry point of the stream consumer (Kinesis event source mapping with
// FunctionResponseTypes ["ReportBatchItemFailures"]). Clients, logger and metrics live at module
// scope, reused across invocations; endpoints and credentials come from the SDK's standard
// environment and config. The logic is in handler.ts.
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { config } from "./config";
import { createDocumentClient, createHandler } from "./handler";

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "consumer" });
const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? "StreamingPipeline", serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "consumer" });

export const handler = createHandler({
    config,
    doc: createDocumentClient(new DynamoDBClient({})),
    sns: new SNSClient({}),
    s3: new S3Client({}),
    logger,
    metrics,
});
