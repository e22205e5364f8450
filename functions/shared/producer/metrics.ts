import type { ProducerMetrics } from "./types";

type Counter = Exclude<keyof ProducerMetrics, "aggregationRatio" | "outstanding">;

/** The producer's cumulative counters; plain numbers, no metrics library (Powertools is the caller's choice). */
export class MetricsCounters {
    private readonly counts: Record<Counter, number> = {
        recordsPut: 0,
        recordsSent: 0,
        recordsFailed: 0,
        recordsInvalid: 0,
        recordsRetried: 0,
        kinesisRecordsSent: 0,
        kinesisRecordsFailed: 0,
        bytesSent: 0,
        putRecordsRequests: 0,
        putRecordsErrors: 0,
        throttled: 0,
        potentialDuplicates: 0,
        shardMapRefreshes: 0,
        recordsRepacked: 0,
        largeRecordsSpread: 0,
        largeRecordsThrottled: 0,
    };

    add(counter: Counter, n = 1): void {
        this.counts[counter] += n;
    }

    snapshot(outstanding: number): ProducerMetrics {
        const c = this.counts;
        return {
            ...c,
            aggregationRatio: c.kinesisRecordsSent === 0 ? 0 : c.recordsSent / c.kinesisRecordsSent,
            outstanding,
        };
    }
}
