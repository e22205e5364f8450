import type { Settings } from "../config";
import type { CostOptions, Workload } from "./cost";

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

/**
 * How the stack runs its stream, for the cost estimate: the autoscaler's bounds (a provisioned stream
 * holds a count within them), the account's commitment and the warm throughput it declares.
 */
export function declaredCostOptions(s: Settings): CostOptions {
    const a = s.autoscaling;
    return {
        ...(a.enabled ? { shardBounds: { min: a.minShards, max: a.maxShards } } : {}),
        accountHasCommitment: s.stream.accountHasMinimumThroughputCommitment,
        ...(s.stream.warmThroughputMibps !== undefined ? { warmThroughputMibps: s.stream.warmThroughputMibps } : {}),
    };
}
