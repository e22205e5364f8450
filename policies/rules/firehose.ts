// Firehose delivery streams archiving the stream: errors logged, buffering within what Firehose
// accepts, the data protected end to end (the source stream's encryption, a guarded bucket).
import * as aws from "@pulumi/aws";
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import { arnName, at, forEachDecidable, isAwsManagedKey, isStreamArnOf, linksOf } from "./common";
import { ofType, TYPE } from "./graph";
import { BUCKET_CHECKS, PUBLIC_ACCESS_FLAGS, sideResourcesOf } from "./s3";

/** The destination configuration property of each Firehose destination. */
export const DESTINATION_CONFIG: Record<string, string> = {
    extended_s3: "extendedS3Configuration",
    http_endpoint: "httpEndpointConfiguration",
    opensearch: "opensearchConfiguration",
    opensearchserverless: "opensearchserverlessConfiguration",
    elasticsearch: "elasticsearchConfiguration",
    redshift: "redshiftConfiguration",
    splunk: "splunkConfiguration",
    snowflake: "snowflakeConfiguration",
    iceberg: "icebergConfiguration",
};

export function firehoseDeliveryLogging(): ResourceValidationPolicy {
    return {
        name: "firehose-delivery-logging",
        description:
            "Firehose delivery streams must log delivery errors to CloudWatch Logs (cloudwatchLoggingOptions enabled with a log group in the destination " +
            "configuration): without it a failing delivery (permissions, key, partitioning) is silent until the freshness alarm. " +
            "Controls: pack-specific (no Security Hub, AWS Config, cdk-nag or Checkov check).",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.kinesis.FirehoseDeliveryStream, (fh, _args, report) => {
            const prop = DESTINATION_CONFIG[fh.destination];
            const config = prop ? (fh as unknown as Record<string, unknown>)[prop] : undefined;
            if (!prop || config === undefined) {
                report(`destination ${fh.destination} has no ${prop ?? "destination"} configuration to log from.`);
                return;
            }
            const logging = at(config, "cloudwatchLoggingOptions");
            if (at(logging, "enabled") !== true) report(`${prop}.cloudwatchLoggingOptions is not enabled; log delivery errors to a log group.`);
            else if (!at(logging, "logGroupName")) report(`${prop}.cloudwatchLoggingOptions names no logGroupName.`);
        }),
    };
}

export const FIREHOSE_MAX_BUFFER_MIB = 128;
export const FIREHOSE_MAX_INTERVAL_SECONDS = 900;
export const DYNAMIC_PARTITIONING_MIN_BUFFER_MIB = 64;

export function firehoseBuffering(): ResourceValidationPolicy {
    return {
        name: "firehose-buffering",
        description:
            "Firehose S3 delivery must buffer 1–128 MiB (at least 64 MiB with dynamic partitioning) for at most maxIntervalSeconds (default 900, " +
            "Firehose's maximum): out-of-range values fail at deploy, long intervals delay the archive. Defaults when unset: 5 MiB, 300 s. " +
            "Controls: pack-specific (no Security Hub, AWS Config, cdk-nag or Checkov check).",
        enforcementLevel: "mandatory",
        configSchema: { properties: { maxIntervalSeconds: { type: "integer", minimum: 0, maximum: FIREHOSE_MAX_INTERVAL_SECONDS, default: FIREHOSE_MAX_INTERVAL_SECONDS } } },
        validateResource: validateResourceOfType(aws.kinesis.FirehoseDeliveryStream, (fh, args, report) => {
            if (fh.destination !== "extended_s3") args.notApplicable("only S3 delivery is checked");
            const max = args.getConfig<{ maxIntervalSeconds?: number }>().maxIntervalSeconds ?? FIREHOSE_MAX_INTERVAL_SECONDS;
            const s3 = fh.extendedS3Configuration;
            const size = s3?.bufferingSize ?? 5;
            const interval = s3?.bufferingInterval ?? 300;
            if (size < 1 || size > FIREHOSE_MAX_BUFFER_MIB) report(`bufferingSize is ${size} MiB; Firehose accepts 1 to ${FIREHOSE_MAX_BUFFER_MIB} MiB.`);
            else if (s3?.dynamicPartitioningConfiguration?.enabled === true && size < DYNAMIC_PARTITIONING_MIN_BUFFER_MIB) {
                report(`bufferingSize is ${size} MiB with dynamic partitioning on; it needs at least ${DYNAMIC_PARTITIONING_MIN_BUFFER_MIB} MiB.`);
            }
            if (interval < 0 || interval > max) report(`bufferingInterval is ${interval} s; at most ${max} s is allowed.`);
        }),
    };
}

/** The Kinesis stream a delivery stream reads, or the ARN of one the stack does not declare. */
function sourceOf(fh: PolicyResource, streams: PolicyResource[]): { stream?: PolicyResource; external?: string } | undefined {
    const source = fh.props.kinesisSourceConfiguration;
    if (source === undefined) return undefined;
    const { linked, undecided } = linksOf(fh, "kinesisSourceConfiguration", streams, (s) => isStreamArnOf(at(source, "kinesisStreamArn"), s.props.name as string));
    if (linked.length > 0) return { stream: linked[0] };
    if (undecided !== undefined) throw undecided;
    return { external: String(at(source, "kinesisStreamArn")) };
}

export function firehoseSourceEncrypted(): StackValidationPolicy {
    return {
        name: "firehose-source-encrypted",
        description:
            "A Firehose reading a Kinesis stream must read a stream of the stack encrypted with KMS (such a Firehose takes no encryption setting: the " +
            "stream's protects the records); a Direct PUT Firehose must enable serverSideEncryption with a customer-managed key. " +
            "Controls: Security Hub DataFirehose.1, cdk-nag AwsSolutions-KDF1, Checkov CKV_AWS_240 / CKV_AWS_241.",
        enforcementLevel: "mandatory",
        validateStack: (args, report) => {
            const streams = ofType(args.resources, TYPE.stream);
            forEachDecidable(ofType(args.resources, TYPE.firehose), (fh) => {
                if (fh.props.mskSourceConfiguration !== undefined) return; // MSK: the cluster's encryption, out of this pack's scope
                const source = sourceOf(fh, streams);
                if (source === undefined) {
                    const sse = fh.props.serverSideEncryption;
                    const keyArn = at(sse, "keyArn") as string | undefined;
                    if (at(sse, "enabled") !== true || at(sse, "keyType") !== "CUSTOMER_MANAGED_CMK" || !keyArn || isAwsManagedKey(keyArn)) {
                        report(`delivery stream ${fh.name} takes direct puts without serverSideEncryption on a customer-managed key (keyType CUSTOMER_MANAGED_CMK, keyArn).`, fh.urn);
                    }
                } else if (source.external !== undefined) {
                    report(`delivery stream ${fh.name} reads ${source.external}, a stream this stack does not declare: its encryption cannot be checked.`, fh.urn);
                } else {
                    const s = source.stream!;
                    if (s.props.encryptionType !== "KMS" || !s.props.kmsKeyId) {
                        report(`delivery stream ${fh.name} reads stream ${s.name}, which is not encrypted with KMS; with a Kinesis source the stream's encryption protects the records.`, fh.urn);
                    }
                }
            });
        },
    };
}

/** What is wrong with a bucket by the S3 rules of the pack: the rule names that fail. */
function failingBucketRules(bucket: PolicyResource, resources: PolicyResource[]): string[] {
    const failing: string[] = [];
    for (const [name, check] of BUCKET_CHECKS) {
        let failed = false;
        check(bucket, resources, () => (failed = true));
        if (failed) failing.push(name);
    }
    const blocks = sideResourcesOf(bucket, resources, TYPE.bucketPublicAccessBlock);
    if (blocks.some((b) => PUBLIC_ACCESS_FLAGS.some((f) => b.props[f] !== true))) failing.push("s3-public-access-block-flags");
    return failing;
}

export function firehoseDestinationBucket(): StackValidationPolicy {
    return {
        name: "firehose-destination-bucket",
        description:
            "A Firehose delivering to S3 must deliver to a bucket the stack declares that passes every S3 rule of the pack (encryption, versioning, public " +
            "access block, TLS-only policy, access logging, lifecycle): the archive holds every record of the stream. " +
            "Controls: pack-specific (joins Security Hub S3.5, S3.8, S3.9, S3.13, S3.14, S3.17 to the delivery stream).",
        enforcementLevel: "mandatory",
        validateStack: (args, report) => {
            const buckets = ofType(args.resources, TYPE.bucket);
            forEachDecidable(ofType(args.resources, TYPE.firehose), (fh) => {
                if (fh.props.destination !== "extended_s3") return;
                // Read only when the dependencies do not decide: the bucket's ARN is unknown in a first preview.
                const bucketArn = () => at(fh.props.extendedS3Configuration, "bucketArn");
                const { linked, undecided } = linksOf(fh, "extendedS3Configuration", buckets, (b) => typeof b.props.bucket === "string" && arnName(bucketArn()) === b.props.bucket);
                if (linked.length === 0) {
                    if (undecided !== undefined) throw undecided;
                    report(`delivery stream ${fh.name} delivers to ${String(bucketArn())}, a bucket this stack does not declare: its guards cannot be checked.`, fh.urn);
                    return;
                }
                for (const bucket of linked) {
                    const failing = failingBucketRules(bucket, args.resources);
                    if (failing.length > 0) report(`delivery stream ${fh.name} delivers to bucket ${bucket.name}, which fails ${failing.join(", ")}.`, fh.urn);
                }
            });
        },
    };
}
