/**
 * Tag keys more than one side reads or writes. The policy pack keeps its own copy of the workload keys
 * (it is published alone); tests/policies/pipeline-capacity.test.ts holds the two equal.
 */

/** The autoscaler's record of its UpdateShardCount calls, a tag on the stream (functions/autoscaler/history.ts); the stack ignores its changes. */
export const HISTORY_TAG_KEY = "autoscaler:update-shard-count-calls";

/** What a stream is expected to carry, tagged on it by infra and read by the pack's shard-capacity rule. */
export const WORKLOAD_TAGS = Object.freeze({
    recordsPerSecond: "workload:records-per-second",
    averageRecordBytes: "workload:average-record-bytes",
    sharedConsumers: "workload:shared-consumers",
});
