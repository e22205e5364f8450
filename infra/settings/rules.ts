// The rules that span keys (one key bounded or required by another) and the stack's region: each
// reports one line on the key to change, unless that key's own value was already refused.
import { MAX_BODY_BYTES } from "../../contracts/env/ingest";
import type { ConfigReader } from "../lib/config-reader";
import { isAwsRegion, partitionOf, type ResolvedRegion } from "../lib/regions";
import { LOG_RETENTION_DAYS, NAME, SCHEMA, type Values } from "./schema";

/**
 * Checks the region the AWS provider will deploy to. `undefined` region: nothing sets one (refused);
 * `null`: the caller checks single keys only and knows no region (unit tests).
 */
export function checkRegion(r: ConfigReader, region: ResolvedRegion | undefined | null): void {
    if (region === undefined) {
        r.report("No AWS region: set aws:region in the stack file (pulumi config set aws:region us-east-1), or AWS_REGION / AWS_DEFAULT_REGION, or a region in the AWS profile");
    }
    if (region && !isAwsRegion(region.region)) {
        const allowed = "must be an AWS region code such as us-east-1 (infra/lib/regions.ts lists them)";
        r.report(
            region.source === "aws:region"
                ? `Invalid configuration aws:region = ${JSON.stringify(region.region)}: ${allowed}`
                : `Invalid AWS region ${JSON.stringify(region.region)} from ${region.source}: ${allowed}`,
        );
    }
}

/**
 * The largest record a Lambda event source mapping can hand over: base64 (4 bytes per 3) within the
 * 6 MB synchronous payload, taken as 6,000,000 bytes less 2 KiB of envelope. The policy pack's
 * kinesis-stream-record-size-readers uses the same figure (tests/infra/large-records.test.ts).
 */
export const LAMBDA_READER_MAX_KIB = Math.floor(((6_000_000 - 2048) * 3) / 4 / 1024);

/** Reports every cross-field problem of `v`, read for stack `stack` in `region` (null: unknown). */
export function checkRules(r: ConfigReader, v: Values, stack: string, region: ResolvedRegion | undefined | null): void {
    if (v.environment === undefined && !NAME.re.test(stack)) {
        r.problem("environment", stack, `${NAME.allowed} (it defaults to the stack name, so set it when the stack name does not fit)`);
    }

    if (v.streamMode === "ON_DEMAND" && v.shardCount !== 0) {
        r.problem("shardCount", v.shardCount, "applies only when streamMode is PROVISIONED (on-demand streams manage their own shards); remove it or set 0");
    }
    if (v.streamMode === "PROVISIONED" && v.shardCount === 0) {
        r.problem("shardCount", v.shardCount, "is required when streamMode is PROVISIONED: an integer from 1 to 10000 (shards)");
    }

    // The consumer and the replicator are Lambda functions behind event source mappings, which hand
    // records over base64-encoded within the 6 MB invocation payload.
    if (v.maxRecordSizeKib > LAMBDA_READER_MAX_KIB) {
        r.problem(
            "maxRecordSizeKib",
            v.maxRecordSizeKib,
            `must be at most ${LAMBDA_READER_MAX_KIB} KiB: the consumer Lambda's event source mapping hands records over base64-encoded within Lambda's 6 MB invocation payload, so a larger record could never be processed`,
        );
    }

    // UpdateStreamWarmThroughput: "only supported for data streams with the on-demand capacity mode in
    // accounts that have MinimumThroughputBillingCommitment enabled".
    if (v.warmThroughputMibps !== 0 && v.streamMode !== "ON_DEMAND") {
        r.problem("warmThroughputMibps", v.warmThroughputMibps, "applies only when streamMode is ON_DEMAND (provisioned streams have no warm throughput); remove it or set 0");
    } else if (v.warmThroughputMibps !== 0 && !v.accountHasMinimumThroughputCommitment) {
        r.problem(
            "warmThroughputMibps",
            v.warmThroughputMibps,
            "needs accountHasMinimumThroughputCommitment: true (AWS accepts warm throughput only in accounts with the minimum throughput billing commitment, enabled account-wide outside this stack)",
        );
    }

    if (v.kmsKeyArn !== undefined && v.kmsKeyDeletionWindowDays !== SCHEMA.kmsKeyDeletionWindowDays.default) {
        r.problem(
            "kmsKeyDeletionWindowDays",
            v.kmsKeyDeletionWindowDays,
            "applies only to a key this stack creates; provide either kmsKeyArn or kmsKeyDeletionWindowDays, not both",
        );
    }

    const halfRetentionMs = (v.retentionHours * 3_600_000) / 2;
    if (v.iteratorAgeAlarmMs > halfRetentionMs) {
        r.problem(
            "iteratorAgeAlarmMs",
            v.iteratorAgeAlarmMs,
            `must be at most half the retention (${halfRetentionMs} ms for retentionHours ${v.retentionHours}), or records expire before anyone is alerted`,
        );
    }

    if (!LOG_RETENTION_DAYS.includes(v.logRetentionDays)) {
        r.problem("logRetentionDays", v.logRetentionDays, `must be one of the values CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(", ")}`);
    }

    if (v.ingestAuthorization === "JWT" && v.ingestJwtIssuer === undefined) r.problem("ingestJwtIssuer", "", "is required when ingestAuthorization is JWT");
    if (v.ingestAuthorization === "JWT" && v.ingestJwtAudience.length === 0) r.problem("ingestJwtAudience", "[]", "needs at least one audience when ingestAuthorization is JWT");
    if (v.ingestAuthorization === "IAM" && (v.ingestJwtIssuer !== undefined || v.ingestJwtAudience.length > 0)) {
        r.problem(
            v.ingestJwtIssuer !== undefined ? "ingestJwtIssuer" : "ingestJwtAudience",
            v.ingestJwtIssuer ?? v.ingestJwtAudience.join(","),
            "applies only when ingestAuthorization is JWT",
        );
    }

    if (v.ingestMaxBodyBytes !== 0 && v.ingestMaxBodyBytes < MAX_BODY_BYTES.min) {
        r.problem("ingestMaxBodyBytes", v.ingestMaxBodyBytes, `must be 0 (follow the stream's record size) or from ${MAX_BODY_BYTES.min} to ${MAX_BODY_BYTES.max} bytes`);
    }

    const retentionSeconds = v.retentionHours * 3600;
    if (v.consumerMaxRecordAgeSeconds >= retentionSeconds) {
        r.problem(
            "consumerMaxRecordAgeSeconds",
            v.consumerMaxRecordAgeSeconds,
            `must be shorter than the retention (${retentionSeconds} s for retentionHours ${v.retentionHours}), so failed batches reach the on-failure destination while they can still be replayed`,
        );
    }

    if (v.archiveExpirationDays !== 0 && v.archiveExpirationDays <= v.archiveTransitionDays) {
        r.problem("archiveExpirationDays", v.archiveExpirationDays, `must be 0 (keep forever) or later than archiveTransitionDays (${v.archiveTransitionDays})`);
    }
    if (v.archiveFreshnessAlarmSeconds <= v.archiveBufferIntervalSeconds) {
        r.problem(
            "archiveFreshnessAlarmSeconds",
            v.archiveFreshnessAlarmSeconds,
            `must be longer than archiveBufferIntervalSeconds (${v.archiveBufferIntervalSeconds}), or the alarm fires on every buffer`,
        );
    }

    if ((v.workloadRecordsPerSecond === 0) !== (v.workloadAverageRecordBytes === 0)) {
        r.problem(
            v.workloadRecordsPerSecond === 0 ? "workloadRecordsPerSecond" : "workloadAverageRecordBytes",
            0,
            "must be declared together with its pair (workloadRecordsPerSecond and workloadAverageRecordBytes), or both left at 0",
        );
    }

    const { autoscalingMinShards: minShards, autoscalingMaxShards: maxShards } = v;
    if (v.autoscalingEnabled && v.streamMode !== "PROVISIONED") {
        r.problem("autoscalingEnabled", true, "applies only when streamMode is PROVISIONED (on-demand streams scale themselves)");
    }
    if (maxShards < minShards) r.problem("autoscalingMaxShards", maxShards, `must be at least autoscalingMinShards (${minShards})`);
    if (v.autoscalingEnabled && v.streamMode === "PROVISIONED" && (v.shardCount < minShards || v.shardCount > maxShards)) {
        r.problem("shardCount", v.shardCount, `must lie between autoscalingMinShards (${minShards}) and autoscalingMaxShards (${maxShards}) when autoscaling is on`);
    }

    if (v.replicaRegion !== undefined && region && isAwsRegion(region.region)) {
        if (v.replicaRegion === region.region) r.problem("replicaRegion", v.replicaRegion, `must differ from the stack's own region (${region.region}, from ${region.source})`);
        else if (partitionOf(v.replicaRegion) !== partitionOf(region.region)) {
            r.problem(
                "replicaRegion",
                v.replicaRegion,
                `must be in the stack's partition (${partitionOf(region.region)}, region ${region.region}): one set of credentials cannot reach another partition`,
            );
        }
    }
    if (v.replicaRegion === undefined && v.replicaCapacity !== SCHEMA.replicaCapacity.default) {
        r.problem("replicaCapacity", v.replicaCapacity, "applies only when replicaRegion is set");
    }
    if (v.replicaRegion === undefined && v.replicaRegionHasMinimumThroughputCommitment) {
        r.problem("replicaRegionHasMinimumThroughputCommitment", true, "applies only when replicaRegion is set");
    }

    if ((v.vpcId === undefined) !== (v.vpcSubnetIds.length === 0)) {
        r.problem(v.vpcId === undefined ? "vpcId" : "vpcSubnetIds", v.vpcId ?? "[]", "vpcId and vpcSubnetIds go together: set both for a Kinesis VPC endpoint, or neither");
    }
    if (v.lambdasInVpc && v.vpcId === undefined) r.problem("lambdasInVpc", true, "needs vpcId and vpcSubnetIds");

    if ((v.analyticsArtifactBucket === undefined) !== (v.analyticsArtifactKey === undefined)) {
        r.problem(
            v.analyticsArtifactBucket === undefined ? "analyticsArtifactBucket" : "analyticsArtifactKey",
            "",
            "analyticsArtifactBucket and analyticsArtifactKey go together: set both to deploy the Flink application, or neither",
        );
    }
}
