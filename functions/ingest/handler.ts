import type { Logger } from "@aws-lambda-powertools/logger";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { KinesisProducer } from "../shared/producer";
import { ingestEvents } from "./ingest";
import { HttpError, parseRequest } from "./request";

export interface IngestDeps {
    producer: KinesisProducer;
    maxBodyBytes: number;
    logger: Logger;
    metrics: Metrics;
}

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
            const sent = after.recordsSent - before.recordsSent;
            metrics.addMetric("RecordsSent", MetricUnit.Count, sent);
            metrics.addMetric("RecordsRetried", MetricUnit.Count, after.recordsRetried - before.recordsRetried);
            metrics.addMetric("RecordsFailed", MetricUnit.Count, after.recordsFailed - before.recordsFailed);
            metrics.addMetric("KinesisRecordsSent", MetricUnit.Count, after.kinesisRecordsSent - before.kinesisRecordsSent);
            metrics.publishStoredMetrics();
        }
    };
}
