import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { config } from "./config";
import { createHandler } from "./handler";

export const handler = createHandler({ options: { iotTopicFilter: config.iotTopicFilter }, logger: new Logger(), metrics: new Metrics() });
