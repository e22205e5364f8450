import type { Logger } from "@aws-lambda-powertools/logger";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { KinesisProducer, ProducerMetrics } from "../shared/producer";
import { ingestEvents } from "./ingest";
import { HttpError, parseRequest } from "./request";

export interface IngestDeps {
    producer: KinesisProducer;
    maxBodyBytes: number;
    logger: Logger;
    metrics: Metrics;
}

/** The producer counters each invocation publishes, by CloudWatch metric name. */
export const PRODUCER_METRICS = [
    ["RecordsSent", "recordsSent"],
    ["RecordsRetried", "recordsRetried"],
    ["RecordsFailed", "recordsFailed"],
    ["KinesisRecordsSent", "kinesisRecordsSent"],
    ["PotentialDuplicates", "potentialDuplicates"],
    ["LargeRecordsSpread", "largeRecordsSpread"],
    ["LargeRecordsThrottled", "largeRecordsThrottled"],
] as const satisfies readonly (readonly [string, keyof ProducerMetrics])[];

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
    statusCode,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
});

/** `POST /events`: parse, validate, write through the producer, answer per event. */
export function createHandler({ producer, maxBodyBytes, logger, metrics }: IngestDeps) {
    return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
        const before = producer.metrics();
        try {
            const request = parseRequest(event, maxBodyBytes);
            const response = await ingestEvents(request.events, request.partial, async (records) => {
                const outcomes = Promise.all(records.map((r) => producer.put(r)));
                await producer.flush();
                return outcomes;
            });
            metrics.addMetric("EventsAccepted", MetricUnit.Count, response.body.accepted);
            metrics.addMetric("EventsRejected", MetricUnit.Count, response.body.rejected);
            if (response.statusCode !== 200) logger.warn("events not written", { statusCode: response.statusCode, rejected: response.body.rejected });
            return json(response.statusCode, response.body);
        } catch (e) {
            if (!(e instanceof HttpError)) throw e;
            metrics.addMetric("RequestsRefused", MetricUnit.Count, 1);
            logger.info("request refused", { statusCode: e.statusCode, reason: e.message });
            return json(e.statusCode, { message: e.message });
        } finally {
            // The producer's counters are cumulative per container: publish this invocation's share.
            const after = producer.metrics();
            for (const [name, counter] of PRODUCER_METRICS) metrics.addMetric(name, MetricUnit.Count, after[counter] - before[counter]);
            metrics.publishStoredMetrics();
        }
    };
}
