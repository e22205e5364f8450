import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from "aws-lambda";
import { KinesisProducer } from "../shared/producer";
import { config } from "./config";
import { replicate } from "./replicate";

const logger = new Logger();
const metrics = new Metrics();

// The replica lives in another region: the client targets it; the producer owns the retries.
const producer = new KinesisProducer({
    client: new KinesisClient({ region: config.replicaRegion, maxAttempts: 1 }),
    streamName: config.replicaStreamName,
    // One entry per key in flight: a key's records reach the replica in order.
    ordered: true,
    maxBufferedTimeMs: 0,
    recordTtlMs: 20_000,
});

export const handler = async (event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> => {
    const result = await replicate(event.Records, producer);
    metrics.addMetric("RecordsReplicated", MetricUnit.Count, result.copied);
    metrics.addMetric("RecordsNotReplicated", MetricUnit.Count, result.failed);
    metrics.publishStoredMetrics();
    if (result.failed > 0)
        logger.warn("records not replicated; the batch is retried from the first failure", { failed: result.failed, from: result.response.batchItemFailures[0]?.itemIdentifier });
    return result.response;
};
