import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";

/**
 * The shard-level metrics Kinesis offers. The pack keeps its own copy: it is published and run
 * without the program (tests/policies/kinesis-mode-monitoring.test.ts keeps it equal to infra/config.ts).
 */
export const SHARD_LEVEL_METRICS = [
    "IncomingBytes",
    "IncomingRecords",
    "OutgoingBytes",
    "OutgoingRecords",
    "WriteProvisionedThroughputExceeded",
    "ReadProvisionedThroughputExceeded",
    "IteratorAgeMilliseconds",
] as const;

/** Shard-level metrics show the hot shard the stream-level averages hide. */
export const kinesisStreamEnhancedMonitoring: PackPolicy<ResourceValidationPolicy> = {
    policy: {
        name: "kinesis-stream-enhanced-monitoring",
        description:
            "Kinesis streams must enable the shard-level (enhanced) metrics in requiredMetrics (default all seven, or ALL): a hot shard " +
            "throttles while the stream-level averages look healthy, and the autoscaler and on-call need per-shard figures. " +
            "Controls: pack-specific (no Security Hub, AWS Config, cdk-nag or Checkov check).",
        enforcementLevel: "mandatory",
        configSchema: {
            properties: { requiredMetrics: { type: "array", items: { type: "string", enum: [...SHARD_LEVEL_METRICS] }, default: [...SHARD_LEVEL_METRICS] } },
        },
        validateResource: validateResourceOfType(aws.kinesis.Stream, (stream, args, report) => {
            const required = args.getConfig<{ requiredMetrics?: string[] }>().requiredMetrics ?? [...SHARD_LEVEL_METRICS];
            const enabled = [...(stream.shardLevelMetrics ?? [])];
            if (enabled.includes("ALL")) return;
            const missing = required.filter((m) => !enabled.includes(m));
            if (missing.length > 0) report(`shardLevelMetrics lacks ${missing.join(", ")}; enable them (or ALL).`);
        }),
    },
    severity: "low",
    topics: ["monitoring"],
    controls: [],
    details:
        "`shardLevelMetrics` includes every metric of `requiredMetrics` (or `ALL`). A hot shard throttles while the stream-level averages look fine; " +
        "the autoscaler and on-call need per-shard figures. Shard-level metrics are billed per shard, so dev only advises.",
    remediation: "Add the missing metrics (or ALL) to shardLevelMetrics.",
};
