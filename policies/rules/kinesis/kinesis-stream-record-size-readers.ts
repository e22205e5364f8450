import type { StackValidationPolicy } from "@pulumi/policy";
import type { PackPolicy } from "../../lib/metadata";
import { at, forEachDecidable, candidatesFor, isStreamArnOf, linksOf } from "../common";
import { BY_NAME, ofType, streamNamesInArn, TYPE } from "../graph";
import { forEachMapping } from "../pipeline/shared";

/**
 * The largest Kinesis record a Lambda event source mapping can hand to its function: the event
 * carries each record base64-encoded (4 bytes per 3), within the 6 MB synchronous invocation payload
 * (taken as 6,000,000 bytes, less 2 KiB of envelope). Derived from those two documented limits.
 */
export const LAMBDA_READER_MAX_KIB = Math.floor(((6_000_000 - 2048) * 3) / 4 / 1024);
/**
 * Records over 1 MiB are the Kinesis guide's "large records". Its "Handle large records" (AWS
 * components compatible with large records) says a Firehose reading a stream delivers them to
 * Amazon S3 "without any additional configuration", but that "when you use dynamic partitioning,
 * delivery of large records is not supported", that a Lambda processor is not recommended with them
 * ("this may lead to intermittent failures"), and that HTTP, Snowflake and Redshift destinations do
 * not support them. (Firehose's 1,000 KiB record limit is its PutRecord API's, for direct PUT.)
 */
export const FIREHOSE_READER_MAX_KIB = 1024;

/** What keeps a Firehose from taking a stream's large records, per the Kinesis guide; empty when nothing does. */
function firehoseLargeRecordBlockers(fh: { props: Record<string, unknown> }): string[] {
    const destination = fh.props.destination as string | undefined;
    const s3 = at(fh.props, "extendedS3Configuration");
    const processors = at(s3, "processingConfiguration", "enabled") === true ? ((at(s3, "processingConfiguration", "processors") as { type?: string }[] | undefined) ?? []) : [];
    return [
        destination !== undefined && destination !== "extended_s3" && `its ${destination} destination (large records are delivered to Amazon S3 only)`,
        at(s3, "dynamicPartitioningConfiguration", "enabled") === true && "dynamic partitioning (does not support large records)",
        processors.some((x) => x?.type === "Lambda") && "a Lambda processor (not recommended with large records: intermittent failures)",
    ].filter((x): x is string => typeof x === "string");
}

/** Kinesis's default when a stream does not say (MaxRecordSizeInKiB). */
const DEFAULT_KIB = 1024;

const sizeOf = (stream: { props: Record<string, unknown> }) => (stream.props.maxRecordSizeInKib as number | undefined) ?? DEFAULT_KIB;

/** Every reader of a stream must take its largest record, or that record blocks or is lost there. */
export const kinesisStreamRecordSizeReaders: PackPolicy<StackValidationPolicy> = {
    policy: {
        name: "kinesis-stream-record-size-readers",
        description:
            `A Kinesis stream's maximum record size (maxRecordSizeInKib) must not exceed what its readers in the stack take: a Lambda event source mapping ` +
            `${LAMBDA_READER_MAX_KIB} KiB (base64 within the 6 MB invocation payload), a Firehose ${FIREHOSE_READER_MAX_KIB} KiB unless it delivers to S3 without dynamic partitioning or a Lambda processor (Kinesis guide, "Handle large records"). ` +
            "Controls: pack-specific (no Security Hub, AWS Config, cdk-nag or Checkov check).",
        enforcementLevel: "mandatory",
        validateStack: (args, report) => {
            forEachMapping(args.resources, ({ esm, stream }) => {
                if (stream && sizeOf(stream) > LAMBDA_READER_MAX_KIB) {
                    report(
                        `stream ${stream.name} takes records up to ${sizeOf(stream)} KiB, but event source mapping ${esm.name} can hand its function at most ${LAMBDA_READER_MAX_KIB} KiB (base64 in a 6 MB payload); lower maxRecordSizeInKib.`,
                        stream.urn,
                    );
                }
            });
            const streams = ofType(args.resources, TYPE.stream);
            forEachDecidable(ofType(args.resources, TYPE.firehose), (fh) => {
                const source = fh.props.kinesisSourceConfiguration;
                if (source === undefined) return;
                const { linked } = linksOf(
                    fh,
                    "kinesisSourceConfiguration",
                    candidatesFor(fh, "kinesisSourceConfiguration", streams, BY_NAME, () => streamNamesInArn(at(source, "kinesisStreamArn"))),
                    (s) => isStreamArnOf(at(source, "kinesisStreamArn"), s.props.name as string),
                );
                const blockers = firehoseLargeRecordBlockers(fh);
                for (const stream of linked) {
                    if (sizeOf(stream) > FIREHOSE_READER_MAX_KIB && blockers.length > 0) {
                        report(
                            `stream ${stream.name} takes records up to ${sizeOf(stream)} KiB, but delivery stream ${fh.name} reads it with ${blockers.join(" and ")} (Kinesis guide, "Handle large records"); lower maxRecordSizeInKib or archive large records another way.`,
                            stream.urn,
                        );
                    }
                }
            });
        },
    },
    severity: "medium",
    topics: ["resilience"],
    controls: [],
    details:
        "Stack rule: for each stream of the stack, its `maxRecordSizeInKib` (absent: 1024) against its readers, joined as the other stack rules join them " +
        `(a Lambda event source mapping by \`eventSourceArn\`, a Firehose by \`kinesisSourceConfiguration\`): at most ${LAMBDA_READER_MAX_KIB} KiB for Lambda ` +
        "(a Kinesis event carries records base64-encoded within the 6 MB synchronous payload); for a Firehose, 1024 KiB when it uses dynamic partitioning " +
        '(which the Kinesis guide\'s "Handle large records" says does not support large records), a Lambda processor (not recommended with them: ' +
        "intermittent failures) or a destination other than S3 (HTTP, Snowflake and Redshift do not support them); plain delivery to S3 takes records up " +
        "to 10 MiB. Firehose's own 1,000 KiB record limit is its PutRecord API's (direct PUT), not a Kinesis source's. The guide: verify that every " +
        "downstream application handles the larger records before raising the limit.",
    remediation: "Lower maxRecordSizeInKib to what every reader takes, or move the reader that cannot (a KCL or Flink application sized for it).",
};
