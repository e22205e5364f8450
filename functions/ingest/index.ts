import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { KinesisProducer } from "../shared/producer";
import { config } from "./config";
import { createHandler } from "./handler";

// Module scope: the client's connections and the producer's shard map outlive one invocation.
export const handler = createHandler({
    producer: new KinesisProducer({
        // The producer owns retries (per failed entry, bounded by the record TTL), not the SDK.
        client: new KinesisClient({ maxAttempts: 1 }),
        streamName: config.streamName,
        // A request waits for its own records anyway: send at once instead of buffering 100 ms.
        maxBufferedTimeMs: 0,
        // Stay well inside API Gateway's 29 s integration timeout.
        recordTtlMs: 10_000,
        aggregation: { enabled: config.aggregation },
        // From the stack's config: no DescribeStreamSummary (the role need not allow it).
        maxRecordSizeKib: config.maxRecordSizeKib,
    }),
    maxBodyBytes: config.maxBodyBytes,
    logger: new Logger(),
    metrics: new Metrics(),
});
