import type { Logger } from "@aws-lambda-powertools/logger";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { FirehoseTransformationResult } from "aws-lambda";
import { parseFirehoseEvent, transformEvent } from "./firehose";
import type { TransformOptions } from "./transform";

export interface TransformDeps {
    options: TransformOptions;
    logger: Pick<Logger, "info" | "warn">;
    metrics: Pick<Metrics, "addMetric" | "publishStoredMetrics">;
}

/** The Firehose transformation handler: the response, one log line per failed record, metrics per invocation. */
export function createHandler({ options, logger, metrics }: TransformDeps) {
    return async (event: unknown): Promise<FirehoseTransformationResult> => {
        const summary = transformEvent(parseFirehoseEvent(event), options);
        // Firehose stores only a fixed message with a failed record: the reason is in this log.
        for (const f of summary.failed) logger.warn("record not transformed: written raw under the error prefix", { recordId: f.recordId, reason: f.reason });
        metrics.addMetric("RecordsTransformed", MetricUnit.Count, summary.ok);
        metrics.addMetric("RecordsDropped", MetricUnit.Count, summary.dropped);
        metrics.addMetric("RecordsFailed", MetricUnit.Count, summary.failed.length);
        metrics.addMetric("EventsArchived", MetricUnit.Count, summary.events);
        metrics.publishStoredMetrics();
        logger.info("records transformed", {
            records: summary.response.records.length,
            ok: summary.ok,
            dropped: summary.dropped,
            failed: summary.failed.length,
            byFeed: summary.byFeed,
        });
        return summary.response;
    };
}
