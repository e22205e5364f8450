import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { createHandler } from "./handler";

/** Set by the stack when the IoT feed is on: its topic filter tells device messages apart. */
const iotTopicFilter = process.env.IOT_TOPIC_FILTER || undefined;

export const handler = createHandler({ options: { iotTopicFilter }, logger: new Logger(), metrics: new Metrics() });
