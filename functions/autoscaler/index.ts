// Lambda entry point of the shard autoscaler. SDK clients and configuration at module scope (one
// set per container); no @pulumi import. Environment: see config.ts (`autoscalerEnvironment`).
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { SNSClient } from "@aws-sdk/client-sns";
import { loadConfig } from "./config";
import { createHandler } from "./handler";

export const handler = createHandler({
    kinesis: new KinesisClient({}),
    cloudwatch: new CloudWatchClient({}),
    sns: new SNSClient({}),
    // A bad environment fails the cold start with every problem listed.
    config: loadConfig(process.env),
    logger: new Logger({ serviceName: "autoscaler" }),
    metrics: new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? "KinesisStreaming", serviceName: "autoscaler" }),
});
