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
 * Firehose documents no record over 1,000 KiB for any source; its Kinesis source is documented for
 * streams of the default 1 MiB records only, so a raised limit is flagged.
 */
export const FIREHOSE_READER_MAX_KIB = 1024;
/** Kinesis's default when a stream does not say (MaxRecordSizeInKiB). */
const DEFAULT_KIB = 1024;

const sizeOf = (stream: { props: Record<string, unknown> }) => (stream.props.maxRecordSizeInKib as number | undefined) ?? DEFAULT_KIB;

/** Every reader of a stream must take its largest record, or that record blocks or is lost there. */
export const kinesisStreamRecordSizeReaders: PackPolicy<StackValidationPolicy> = {
    policy: {
        name: "kinesis-stream-record-size-readers",
        description:
            `A Kinesis stream's maximum record size (maxRecordSizeInKib) must not exceed what its readers in the stack take: a Lambda event source mapping ` +
            `${LAMBDA_READER_MAX_KIB} KiB (base64 within the 6 MB invocation payload), a Firehose ${FIREHOSE_READER_MAX_KIB} KiB (no larger record documented). ` +
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
                for (const stream of linked) {
                    if (sizeOf(stream) > FIREHOSE_READER_MAX_KIB) {
                        report(
                            `stream ${stream.name} takes records up to ${sizeOf(stream)} KiB, but delivery stream ${fh.name} reads it and Firehose documents records of at most 1,000 KiB; lower maxRecordSizeInKib or archive large records another way.`,
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
        "(a Kinesis event carries records base64-encoded within the 6 MB synchronous payload) and 1024 KiB for Firehose (its documented record limit is " +
        '1,000 KiB; nothing documents larger records from a Kinesis source). The Kinesis guide\'s "Handle large records": verify that every downstream ' +
        "application handles the larger records before raising the limit.",
    remediation: "Lower maxRecordSizeInKib to what every reader takes, or move the reader that cannot (a KCL or Flink application sized for it).",
};
