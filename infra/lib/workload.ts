import type { Settings } from "../config";
import type { Workload } from "./cost";

/**
 * The workload a stack declares, with its readers counted from what the stack deploys: polling
 * readers (the consumer without EFO, Firehose, the replicator, the Flink application) share each
 * shard's 2 MiB/s; EFO readers (the consumer with EFO, the KCL application) have their own.
 * Undefined when the stack declares no workload.
 */
export function declaredWorkload(s: Settings): Workload | undefined {
    if (s.workload.recordsPerSecond === 0) return undefined;
    const polling = [!s.consumer.useEfo, true, s.replication.region !== undefined, s.analytics !== undefined];
    const efo = [s.consumer.useEfo, s.kcl.applicationName !== undefined];
    return {
        recordsPerSecond: s.workload.recordsPerSecond,
        averageRecordBytes: s.workload.averageRecordBytes,
        sharedConsumers: polling.filter(Boolean).length,
        efoConsumers: efo.filter(Boolean).length,
        retentionHours: s.stream.retentionHours,
        firehose: true,
    };
}
