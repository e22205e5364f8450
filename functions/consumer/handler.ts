import { BatchProcessor, EventType } from "@aws-lambda-powertools/batch";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SNSClient } from "@aws-sdk/client-sns";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";
import { QUARANTINED_METRIC } from "../../contracts/quarantine";
import type { EventItem } from "../shared/results-table";
import { FraudDetector } from "./fraud-detector";
import { ItemWriter, type BatchWriterOptions } from "./batch-writer";
import type { ConsumerConfig } from "../../contracts/env/consumer";
import { decodeRecord, poisonOf, shardIdOf, type PoisonRecord } from "./decode";
import { InOrderPerKey } from "./in-order";
import { actionScore, userSegment } from "./enrich";
import { buildEventItem, expiresAtOf, itemSize, MAX_ITEM_BYTES, MergedWrites, type Enrichment } from "./items";
import { quarantine, QuarantineWriteError } from "./quarantine";

/** The part of Powertools' Logger the handler uses. */
export interface ConsumerLogger {
    info(message: string, ...extra: Record<string, unknown>[]): void;
    warn(message: string, ...extra: Record<string, unknown>[]): void;
    error(message: string, ...extra: Record<string, unknown>[]): void;
    addContext?(context: Context): void;
}

/** The part of Powertools' Metrics the handler uses. */
export interface ConsumerMetrics {
    addMetric(name: string, unit: "Count", value: number): unknown;
    publishStoredMetrics(): void;
}

export interface ConsumerDeps {
    config: ConsumerConfig;
    /** Built with createDocumentClient so items marshal the same way everywhere. */
    doc: Pick<DynamoDBDocumentClient, "send">;
    sns: Pick<SNSClient, "send">;
    /** Where poison records are quarantined (config.quarantineBucket). */
    s3: Pick<S3Client, "send">;
    logger: ConsumerLogger;
    metrics: ConsumerMetrics;
    /** @default Date.now */
    now?: () => number;
    writer?: Partial<BatchWriterOptions>;
}

/** Time kept back from the invocation's deadline to return the response after the last write retry. */
export const RESPONSE_RESERVE_MS = 2_000;
/** Items whose write failure is detailed in the log line (all are counted). */
const LOGGED_FAILURES = 20;
/** The longest a Lambda invocation lasts: the deadline when there is no context (local runs). */
const MAX_INVOCATION_MS = 900_000;

/** Undefined attributes (absent optional fields) are left out; Sets and NumberValues marshal natively. */
export function createDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
    return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * The consumer: per record (Powertools BatchProcessor, in parallel) decode, deaggregate, adapt,
 * validate, enrich and apply the fraud rule; a record's items go to BatchWriteItem as soon as the
 * record has succeeded, so the writes overlap the fraud rule's round trips of the records still in
 * progress; then the failures: the records the processor failed plus the records whose items were
 * not written.
 *
 * Failures are sorted: a user record that can never be processed (not decodable, bad aggregate
 * checksum, not JSON, schema-invalid, an item DynamoDB cannot hold for its size) is permanent and
 * goes to the quarantine at once, and is not reported, so its valid neighbours in the aggregate are
 * written now and the shard is not held back by retries that cannot help. Everything else
 * (throttling, 5xx, timeouts, an alert in flight) is transient: its Kinesis record is reported and
 * retried, its items being idempotent. If the quarantine write itself fails, the record is reported.
 */
export function createHandler(deps: ConsumerDeps): (event: KinesisStreamEvent, context?: Context) => Promise<KinesisStreamBatchResponse> {
    const { config, doc, logger, metrics } = deps;
    const now = deps.now ?? Date.now;
    const expiresAt = (e: { occurred_at: string }): number => expiresAtOf(e.occurred_at, config.resultsTtlDays);
    const quarantineOptions = { s3: deps.s3, bucket: config.quarantineBucket, ...(config.quarantineKmsKeyArn !== undefined ? { kmsKeyArn: config.quarantineKmsKeyArn } : {}), now };
    const fraud = new FraudDetector({
        doc,
        sns: deps.sns,
        tableName: config.tableName,
        topicArn: config.alertsTopicArn,
        thresholds: { amount: config.fraudAmountThreshold, ordersPerMinute: config.fraudOrdersPerMinute },
        expiresAt,
        now,
        warn: (message, details) => logger.warn(message, details),
    });

    return async (event, context) => {
        if (context) logger.addContext?.(context);
        const started = now();
        const deadline = started + (context ? context.getRemainingTimeInMillis() : MAX_INVOCATION_MS);
        const processedAt = new Date(started).toISOString();
        let userRecords = 0;
        let alerts = 0;
        let quarantined = 0;

        // A user's orders are assessed one at a time in stream order (see in-order.ts); all else runs in parallel.
        const inOrder = new InOrderPerKey(event.Records.length);
        const indexOf = new Map(event.Records.map((r, i) => [r, i]));
        const merged = new MergedWrites();
        const writer = new ItemWriter(doc, config.tableName, { now, ...deps.writer }, deadline - RESPONSE_RESERVE_MS);

        const processRecord = async (record: KinesisStreamRecord): Promise<EventItem[]> => {
            const where = { shardId: shardIdOf(record.eventID), sequenceNumber: record.kinesis.sequenceNumber };
            const index = indexOf.get(record);
            try {
                const decoded = decodeRecord(record);
                userRecords += decoded.userRecords;
                const events = decoded.users.flatMap((u) => u.events);
                const orders = events.flatMap((d) => (d.event.event_type === "order" ? [{ order: d.event, meta: d.meta }] : []));
                const tasks = orders.map(({ order, meta }) => ({ key: order.payload.user_id, task: () => fraud.assess(order, meta, deadline) }));
                const outcomes = index === undefined ? await Promise.all(tasks.map((t) => t.task())) : tasks.length > 0 ? await inOrder.run(index, tasks) : [];
                const fraudOf = new Map(orders.map((o, i) => [o.order, outcomes[i]!]));

                const items: EventItem[] = [];
                const poison: PoisonRecord[] = [...decoded.poison];
                for (const { user, events: userEvents } of decoded.users) {
                    const built: EventItem[] = [];
                    let tooBig: string | undefined;
                    for (const d of userEvents) {
                        const e = d.event;
                        let enrichment: Enrichment = {};
                        if (e.event_type === "user_action") {
                            enrichment = { user_segment: userSegment(e.payload.action_type), action_score: actionScore(e.payload.action_type) };
                        } else if (e.event_type === "order") {
                            const outcome = fraudOf.get(e)!;
                            if (outcome.alert === "published") alerts++;
                            enrichment = { fraud_suspected: outcome.reasons.length > 0, fraud_reasons: outcome.reasons, orders_in_minute: outcome.ordersInMinute };
                        }
                        const item = buildEventItem(d, enrichment, processedAt, config.resultsTtlDays);
                        const size = itemSize(item);
                        if (size > MAX_ITEM_BYTES) tooBig ??= `event ${e.event_id} makes an item of about ${size} bytes, over DynamoDB's ${MAX_ITEM_BYTES}`;
                        built.push(item);
                    }
                    if (tooBig === undefined) items.push(...built);
                    else poison.push(poisonOf(user, "schema-invalid", tooBig));
                }

                const written = await Promise.allSettled(poison.map((p) => quarantine(quarantineOptions, record, decoded.shardId, p)));
                written.forEach((w, i) => {
                    const p = poison[i]!;
                    const sub = p.subSequenceNumber === null ? {} : { subSequenceNumber: p.subSequenceNumber };
                    if (w.status === "fulfilled") {
                        quarantined++;
                        logger.warn("Malformed record quarantined", { ...where, ...sub, reasonCode: p.reasonCode, reason: p.reason, key: w.value });
                    }
                });
                const unquarantined = written.find((w) => w.status === "rejected");
                if (unquarantined) throw unquarantined.reason;
                // Nothing can fail the record from here on: its items are written now.
                for (const item of merged.add(record.kinesis.sequenceNumber, items)) writer.add(item);
                return items;
            } catch (e) {
                const err = e as Error;
                logger.error(e instanceof QuarantineWriteError ? "Malformed record not quarantined" : "Record failed", { ...where, reason: err.message, error: err.name });
                throw e;
            } finally {
                if (index !== undefined) inOrder.skip(index);
            }
        };

        const processor = new BatchProcessor(EventType.KinesisDataStreams);
        // A batch of nothing but bad records is reported record by record too, not thrown.
        processor.register(event.Records, processRecord, { throwOnFullBatchFailure: false });
        const results = await processor.process();

        let itemsTotal = 0;
        for (const [status, result] of results) if (status === "success") itemsTotal += (result as EventItem[]).length;
        const written = await writer.finish();
        const writes = merged.writes;

        const failed = new Set(processor.response().batchItemFailures.map((f) => f.itemIdentifier));
        const rejected = failed.size;
        const unwritten = new Set<string>();
        for (const i of written.failed) for (const owner of writes[i]!.owners) unwritten.add(owner);
        if (unwritten.size > 0) {
            // One line, however many: the first LOGGED_FAILURES items with their reasons.
            const items = written.failed
                .slice(0, LOGGED_FAILURES)
                .map((i) => ({ eventId: writes[i]!.item.event_id, sequenceNumbers: writes[i]!.owners, reason: written.reasons.get(i) }));
            logger.error("Items not written", { count: written.failed.length, sequenceNumbers: [...unwritten], items });
        }
        for (const s of unwritten) failed.add(s);

        const batchItemFailures = event.Records.filter((r) => failed.has(r.kinesis.sequenceNumber)).map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber }));

        metrics.addMetric("KinesisRecords", "Count", event.Records.length);
        metrics.addMetric("UserRecords", "Count", userRecords);
        metrics.addMetric("EventsWritten", "Count", writes.length - written.failed.length);
        metrics.addMetric("DuplicateEvents", "Count", itemsTotal - writes.length);
        metrics.addMetric("RecordsFailed", "Count", rejected);
        metrics.addMetric("RecordsNotWritten", "Count", unwritten.size);
        metrics.addMetric("WriteRetries", "Count", written.retriedItems);
        metrics.addMetric("FraudAlerts", "Count", alerts);
        metrics.addMetric(QUARANTINED_METRIC, "Count", quarantined);
        metrics.publishStoredMetrics();
        logger.info("Batch processed", {
            records: event.Records.length,
            userRecords,
            items: writes.length,
            duplicates: itemsTotal - writes.length,
            writeCalls: written.calls,
            failed: batchItemFailures.length,
            quarantined,
            alerts,
        });
        return { batchItemFailures };
    };
}
